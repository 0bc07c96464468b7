/**
 * The process boundary: the only place that reads process.argv, installs the Ctrl-C handler and sets
 * process.exitCode. Errors become a message, a hint and a stable exit code here and nowhere else.
 */
// First: Ctrl-C is caught from here on, even while the rest of the program loads.

import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { isAwsSdkError, toAwsError } from '../aws/call.js';
import { type AwsClientConfig, createAwsClients } from '../aws/clients.js';
import type { CommandContext, GlobalOptions } from '../commands/context.js';
import { EcsopsError, ExitCode, InterruptedError, UsageError } from '../errors.js';
import { loadColors, shouldUseColor } from '../output/colors.js';
import { createReporter, type Reporter } from '../output/reporter.js';
import { CommanderError } from './commander.js';
import { type RawFleetFlags, toFleetOptions } from './fleet-options.js';
import { interruptSignal, onSecondInterrupt } from './interrupt.js';
import { createProgram } from './program.js';
import type { RunCommand } from './run.js';

const VERSION = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

/** Runs the CLI for `argv` (process.argv shape) and sets process.exitCode. */
export async function main(argv: string[]): Promise<void> {
  // The SDK warns on every run under Node 20 that *future* SDK releases will need Node 22. The locked
  // versions support Node 20; the warning would only pollute stderr for scripts. The user can re-enable it.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  onSecondInterrupt(() => process.exit(ExitCode.interrupted));
  const signal = interruptSignal;

  const run: RunCommand = async (command, body) => {
    const global = toGlobalOptions(globalFlags(command));
    const colors = await loadColors(
      shouldUseColor({
        isTTY: Boolean(process.stdout.isTTY && process.stderr.isTTY),
        noColorFlag: !global.color,
        json: global.json,
        env: process.env,
      }),
    );
    const out = createReporter({
      json: global.json,
      command: commandPath(command),
      interrupted: () => signal.aborted,
      colors,
      debug: global.debug,
      stdout: process.stdout,
      stderr: process.stderr,
      env: process.env,
    });
    const clientConfig: AwsClientConfig = {
      profile: global.profile,
      endpoint: global.endpointUrl,
      maxAttempts: global.maxAttempts,
      userAgent: `ecsops/${VERSION}`,
      fallbackRegion: process.env.AWS_DEFAULT_REGION || undefined,
      debugLog: global.debug ? (line) => out.debug(line) : undefined,
    };
    const ctx: CommandContext = {
      out,
      global,
      signal,
      interactive: Boolean(process.stdin.isTTY && process.stderr.isTTY),
      aws: createAwsClients(clientConfig),
      // readline is loaded only when a prompt is actually shown.
      confirm: async (question) =>
        (await import('../output/prompt.js')).askYesNo(question, {
          input: process.stdin,
          output: process.stderr,
        }),
      sleep: (ms) => abortableSleep(ms, signal),
      now: () => Date.now(),
    };
    try {
      if (signal.aborted) throw new InterruptedError('Interrupted before anything was done.');
      const fleet = global.fleet;
      if (fleet) {
        // --accounts / --org: the command runs once per account (src/cli/fleet.ts), loaded only then.
        const flags = globalFlags(command);
        const mutating = command.options.some((o) => o.long === '--yes');
        process.exitCode = await (await import('./fleet.js')).runFleet(ctx, fleet, body, {
          clientsFor: (credentials, account) =>
            createAwsClients({
              ...clientConfig,
              credentials,
              debugLog: global.debug ? (line) => out.debug(`[${account}] ${line}`) : undefined,
            }),
          reportError: (error, accountOut) => reportError(error, accountOut, global.debug),
          errorDocument,
          mutating,
          prompts: mutating && !flags.yes && !flags.dryRun && ctx.interactive,
          localFileFlags: localFileFlags(command),
        });
      } else {
        process.exitCode = await body(ctx);
      }
    } catch (error) {
      process.exitCode = reportError(error, out, global.debug);
      // --json promises one document on stdout, failures included.
      if (global.json && !out.wroteJson) out.json({ error: errorDocument(error, process.exitCode) });
    }
    // Ctrl-C always ends in 130, whatever the command managed to finish.
    if (signal.aborted) {
      process.exitCode = ExitCode.interrupted;
      if (global.json && !out.wroteJson)
        out.json({ error: errorDocument(new InterruptedError(), ExitCode.interrupted) });
    }
  };

  const program = createProgram({ version: VERSION, run });
  try {
    await program.parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError && error.exitCode === 0) {
      // --help and --version.
      process.exitCode = ExitCode.ok;
      return;
    }
    // Every other commander error is a usage error; commander has already printed it on stderr.
    const usage = error instanceof CommanderError ? new UsageError(commanderMessage(error)) : error;
    const out = createFallbackReporter(argv.includes('--json'));
    process.exitCode =
      error instanceof CommanderError ? ExitCode.usage : reportError(usage, out, argv.includes('--debug'));
    if (out.jsonMode) out.json({ error: errorDocument(usage, process.exitCode) });
  }
}

// commander's message is "error: unknown option '--bogus'"; the JSON document carries the part after it.
function commanderMessage(error: InstanceType<typeof CommanderError>): string {
  return error.message.replace(/^error: /, '');
}

/** Resolves after `ms`, or at once when the signal aborts; leaves no listener behind either way. */
function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const onAbort = () => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * The program-level flags merged with the leaf command's. `--dry-run` and `--yes` may stand before
 * the command (`ecsops --yes alarm create ...`) or after it; either place counts.
 */
function globalFlags(command: Command): Record<string, unknown> {
  const merged: Record<string, unknown> = {};
  for (let c: Command | null = command; c; c = c.parent) {
    for (const [key, value] of Object.entries(c.opts())) {
      if (key === 'dryRun' || key === 'yes') merged[key] = Boolean(merged[key]) || Boolean(value);
      else if (!(key in merged) || merged[key] === undefined) merged[key] = value;
    }
  }
  return merged;
}

function commandPath(command: Command): string {
  const names: string[] = [];
  for (let c: Command | null = command; c?.parent; c = c.parent) names.unshift(c.name());
  return names.join(' ');
}

function errorDocument(error: unknown, exitCode: number) {
  const e = isAwsSdkError(error) ? toAwsError({ operation: 'AWS call', iamAction: 'unknown' }, error) : error;
  return {
    exitCode,
    type: e instanceof EcsopsError ? e.name : 'InternalError',
    message: e instanceof Error ? e.message : String(e),
    ...(e instanceof EcsopsError && e.hint ? { hint: e.hint } : {}),
  };
}

function toGlobalOptions(flags: Record<string, unknown>): GlobalOptions {
  return {
    regions: (flags.region as string[] | undefined) ?? [],
    profile: flags.profile as string | undefined,
    endpointUrl: flags.endpointUrl as string | undefined,
    json: Boolean(flags.json),
    color: flags.color !== false,
    debug: Boolean(flags.debug),
    concurrency: (flags.concurrency as number | undefined) ?? 8,
    maxAttempts: (flags.maxAttempts as number | undefined) ?? 8,
    fleet: toFleetOptions(flags as RawFleetFlags),
  };
}

function createFallbackReporter(json = false): Reporter {
  return createReporter({
    json,
    command: 'ecsops',
    debug: false,
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
  });
}

/** Prints an error with its hint and returns its exit code; unknown errors are bugs. */
function reportError(error: unknown, out: Reporter, debug: boolean): ExitCode {
  // An SDK error that escaped an adapter still deserves a proper message.
  const translated = isAwsSdkError(error)
    ? toAwsError({ operation: 'AWS call', iamAction: 'unknown' }, error)
    : error;
  if (translated instanceof EcsopsError) {
    out.error(translated.message);
    if (translated.hint) out.info(`hint: ${translated.hint}`);
    if (debug && translated.cause instanceof Error && translated.cause.stack)
      out.info(translated.cause.stack);
    return translated.exitCode;
  }
  const message = translated instanceof Error ? translated.message : String(translated);
  out.error(
    `${message}\nThis is a bug in ecsops. Please report it with the output of the same command run with --debug.`,
  );
  if (debug && translated instanceof Error && translated.stack) out.info(translated.stack);
  return ExitCode.aws;
}

/** The flags of `command` that name one local file to write (refused across several accounts). */
function localFileFlags(command: Command): string[] {
  const opts = command.opts() as { out?: unknown; inPlace?: unknown; configOut?: unknown };
  return [
    ...(opts.out !== undefined ? ['--out'] : []),
    ...(opts.inPlace ? ['--in-place'] : []),
    ...(opts.configOut !== undefined ? ['--config-out'] : []),
  ];
}
