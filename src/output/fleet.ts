/**
 * Output of a fleet run (`--accounts`, `--org`): each account's reporter, which prefixes stderr with
 * the account and captures the command's result instead of printing it, and the one rendering of all
 * accounts once they are done (a view's `fleet` rendering, or a section per account).
 */
import type { ExitCode } from '../errors.js';
import type { AccountResult, CommandResult, ResultView } from './present.js';
import type { Progress, Reporter } from './reporter.js';

/** What one account's run left behind for the final rendering. */
export interface AccountCapture {
  /** The command's result and its view, as present() handed them over. */
  result?: { value: CommandResult; view: ResultView<CommandResult> } | undefined;
  /** A document written with out.json() directly (not through present). */
  document?: Record<string, unknown> | undefined;
  /** stdout text written before the result (plans shown before the apply), when not streamed. */
  text: string[];
}

/** One account's outcome in a fleet run. */
export type AccountOutcome =
  | { account: string; status: 'done'; exitCode: ExitCode; capture: AccountCapture }
  | {
      account: string;
      status: 'failed';
      exitCode: ExitCode;
      capture: AccountCapture;
      /** The error document (type, message, hint) as main.ts writes it for a single-account run. */
      error: Record<string, unknown>;
    }
  | { account: string; status: 'not-started'; exitCode: ExitCode };

/** The heading of an account's section in human output. */
export function accountHeading(account: string): string {
  return `== account ${account} ==`;
}

/**
 * The reporter one account's command writes to. stderr lines are prefixed with `[account]`; the
 * result goes to `capture`. stdout text is streamed under the account's heading when `stream` is set
 * (one account at a time, so a plan is visible before its prompt), otherwise kept for the end.
 */
export function createAccountReporter(
  base: Reporter,
  account: string,
  options: { stream: boolean; heading?: boolean },
): { out: Reporter; capture: AccountCapture } {
  const capture: AccountCapture = { text: [] };
  const prefix = `[${account}] `;
  const tag = (message: string) =>
    message
      .split('\n')
      .map((line) => (line ? `${prefix}${line}` : line))
      .join('\n');
  let headed = options.heading === false;
  const stdout = (text: string, write: (t: string) => void) => {
    if (!options.stream) {
      capture.text.push(text);
      return;
    }
    if (!headed && !base.jsonMode) base.result(accountHeading(account));
    headed = true;
    write(text);
  };
  const out: Reporter = {
    jsonMode: base.jsonMode,
    colors: base.colors,
    get wroteJson() {
      return capture.document !== undefined || capture.result !== undefined;
    },
    result(text) {
      if (!base.jsonMode) stdout(text, (t) => base.result(t));
    },
    json(document) {
      if (capture.document) throw new Error('BUG: a command wrote two JSON documents');
      capture.document = document;
    },
    raw(text) {
      // Under --json the one document is the fleet's: raw text would break it.
      if (!base.jsonMode) stdout(text, (t) => base.raw(t));
    },
    info: (message) => base.info(tag(message)),
    warn: (message) => base.warn(tag(message)),
    error: (message) => base.error(tag(message)),
    debug: (message) => base.debug(tag(message)),
    progress(label, total): Progress {
      if (options.stream) return base.progress(tag(label), total);
      // Accounts run side by side: one plain line each rather than bars that overwrite each other.
      if (!base.jsonMode) base.info(tag(`${label}...`));
      return { tick: () => undefined, done: () => undefined };
    },
    resultCapture: {
      capture(value, view) {
        capture.result = {
          value,
          view: view as unknown as ResultView<CommandResult>,
        };
      },
    },
  };
  return { out, capture };
}

/** The accounts' results of one view, in account order, for a view's `fleet` rendering. */
function resultsOf(outcomes: readonly AccountOutcome[]): AccountResult<CommandResult>[] {
  const results: AccountResult<CommandResult>[] = [];
  for (const o of outcomes) {
    if (o.status !== 'not-started' && o.capture.result)
      results.push({ account: o.account, result: o.capture.result.value });
  }
  return results;
}

/** The view the accounts' results were presented with (every account runs the same command). */
function viewOf(outcomes: readonly AccountOutcome[]): ResultView<CommandResult> | undefined {
  for (const o of outcomes) if (o.status !== 'not-started' && o.capture.result) return o.capture.result.view;
  return undefined;
}

function statusJson(o: AccountOutcome): Record<string, unknown> {
  return {
    account: o.account,
    status: o.status,
    exitCode: o.exitCode,
    ...(o.status === 'failed' ? { error: o.error } : {}),
  };
}

/**
 * The one JSON document of a fleet run. With a `fleet` view: its document, plus `accounts` (each
 * account's status). Otherwise `accounts` holds each account's own document with `account` added.
 */
export function fleetJson(outcomes: readonly AccountOutcome[], exitCode: ExitCode): Record<string, unknown> {
  const view = viewOf(outcomes);
  if (view?.fleet) {
    return { ...view.fleet.json(resultsOf(outcomes)), accounts: outcomes.map(statusJson), exitCode };
  }
  return {
    accounts: outcomes.map((o) => {
      const own =
        o.status === 'not-started'
          ? {}
          : o.capture.result
            ? o.capture.result.view.json(o.capture.result.value)
            : (o.capture.document ?? {});
      // The account's own fields first, then the fleet's: `account` and `status` are never overwritten.
      return { account: o.account, ...own, ...statusJson(o) };
    }),
    exitCode,
  };
}

/** Human output of a fleet run: the combined `fleet` view, or one section per account. */
export function renderFleetHuman(out: Reporter, outcomes: readonly AccountOutcome[]): void {
  const view = viewOf(outcomes);
  const fleetView = view?.fleet;
  for (const o of outcomes) {
    if (o.status === 'not-started') continue;
    const own = o.capture.result;
    const hasSection = o.capture.text.length > 0 || (!fleetView && own !== undefined);
    if (!hasSection) continue;
    out.result(accountHeading(o.account));
    for (const text of o.capture.text) out.result(text);
    // The section's stderr lines (summaries, errors) name the account too.
    if (!fleetView && own)
      own.view.human(own.value, createAccountReporter(out, o.account, { stream: true, heading: false }).out);
  }
  if (fleetView) {
    const results = resultsOf(outcomes);
    if (results.length) fleetView.human(results, out);
  }
}

/** One stderr summary line: how many accounts finished, failed, or were not started. */
export function reportFleetSummary(out: Reporter, outcomes: readonly AccountOutcome[]): void {
  const failed = outcomes.filter((o) => o.status === 'failed').map((o) => o.account);
  const notStarted = outcomes.filter((o) => o.status === 'not-started').map((o) => o.account);
  const done = outcomes.length - failed.length - notStarted.length;
  const parts = [`${done} done`];
  if (failed.length) parts.push(`${failed.length} failed (${failed.join(', ')})`);
  if (notStarted.length) parts.push(`${notStarted.length} not started (${notStarted.join(', ')})`);
  out.info(`${outcomes.length} account(s): ${parts.join(', ')}.`);
}
