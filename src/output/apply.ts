/**
 * The one renderer of an apply's outcomes, for every mutating command: a line per change
 * (applied / failed / skipped / not started), the counts, and how to finish; and the same as JSON.
 */
import type { ApplyResult, ChangeOutcome } from '../commands/apply-flow.js';
import type { Colors } from './colors.js';
import type { Reporter } from './reporter.js';

/** How a command names its changes in the report. */
export interface OutcomeWords {
  /** Past tense of the write, e.g. "applied", "deleted", "registered". */
  applied: string;
  /** Shown after a partial run, e.g. "Re-run the same command to finish: alarms in place are skipped." */
  rerunHint?: string | undefined;
}

const DEFAULT_WORDS: OutcomeWords = {
  applied: 'applied',
  rerunHint: 'Re-run the same command to finish: applied changes are skipped.',
};

/** Writes the per-change lines to stdout and the summary to stderr (human mode). */
export function reportOutcomes<C>(
  out: Reporter,
  result: ApplyResult<C>,
  label: (change: C) => string,
  words: OutcomeWords = DEFAULT_WORDS,
): void {
  if (result.mode === 'nothing-to-do') {
    out.info('Nothing to do.');
    return;
  }
  if (result.mode === 'dry-run') {
    out.info('Dry run: no changes were sent.');
    return;
  }
  const lines = result.outcomes.map((o) => outcomeLine(o, label, words, out.colors));
  if (lines.length) out.result(lines.join('\n'));
  const { applied, failed, notStarted, skipped } = result.counts;
  out.info(
    `${applied} ${words.applied}, ${failed} failed, ${notStarted} not started${skipped ? `, ${skipped} skipped` : ''}.`,
  );
  if (result.interrupted) out.info('Interrupted: no change was started after Ctrl-C.');
  if ((failed || notStarted || skipped) && words.rerunHint) out.info(words.rerunHint);
}

function outcomeLine<C>(
  o: ChangeOutcome<C>,
  label: (change: C) => string,
  words: OutcomeWords,
  colors: Colors,
): string {
  const text = label(o.change);
  switch (o.status) {
    case 'applied':
      return `${colors.green(words.applied)}  ${text}`;
    case 'failed':
      return `${colors.red('failed')}   ${text}: ${o.reason ?? 'unknown error'}`;
    case 'skipped':
      return `${colors.yellow('skipped')}  ${text}: ${o.reason ?? ''}`;
    case 'planned':
    case 'not-started':
      return `${colors.yellow('not started')} ${text}`;
  }
}

/** The JSON form of an apply: `changes[]` with each change's fields, `status` and `reason`. */
export function outcomesJson<C>(
  result: ApplyResult<C>,
  toJson: (change: C) => Record<string, unknown>,
): {
  changes: Record<string, unknown>[];
  counts: ApplyResult<C>['counts'];
  interrupted?: true;
} {
  return {
    changes: result.outcomes.map((o) => ({
      ...toJson(o.change),
      status: o.status,
      // `error` for a failed write (what scripts have read since 0.1), `reason` for a skipped one.
      ...(o.reason !== undefined ? { [o.status === 'failed' ? 'error' : 'reason']: o.reason } : {}),
    })),
    counts: result.counts,
    ...(result.interrupted ? { interrupted: true as const } : {}),
  };
}
