/**
 * The one apply flow. Every mutating command plans first, then hands its changes here:
 * confirm -> apply each change -> a typed record of what happened to each one. Nothing else in
 * ecsops asks for confirmation, writes, or decides applied / failed / not started.
 *
 * The abort signal (Ctrl-C) is checked after the confirmation (also when --yes skipped it), before
 * every change, and between phases: once it fires no new write starts, calls in flight finish, and
 * the outcome of each change is still reported.
 */
import { chunk, mapConcurrent, type Settled } from '../core/concurrency.js';
import { ExitCode, InterruptedError, UsageError } from '../errors.js';
import type { CommandContext } from './context.js';
import { describeError } from './describe-error.js';

/** Flags of every mutating command. */
export interface MutatingOptions {
  dryRun: boolean;
  yes: boolean;
}

/** What happened to one planned change. */
export type ChangeStatus = 'planned' | 'applied' | 'failed' | 'not-started' | 'skipped';

/** One change of a plan with its outcome. */
export interface ChangeOutcome<C> {
  change: C;
  status: ChangeStatus;
  /** For `failed`: what went wrong, in ecsops' words. For `skipped`: why it was not attempted. */
  reason?: string | undefined;
}

/**
 * The apply flow's result. `mode` says how far it went: nothing to do, a dry run (the plan only),
 * or an apply (attempted; see each outcome).
 */
export interface ApplyResult<C> {
  mode: 'nothing-to-do' | 'dry-run' | 'apply';
  outcomes: ChangeOutcome<C>[];
  /** Ctrl-C arrived before every change was attempted. */
  interrupted: boolean;
  counts: { applied: number; failed: number; notStarted: number; skipped: number };
}

/** How to apply a plan's changes. */
export interface ApplySpec<C> {
  changes: readonly C[];
  /** The confirmation question, e.g. "Apply 3 change(s)?". */
  question: string;
  /** Progress label for one change (a name a person recognises). */
  label(change: C): string;
  /** Applies one change; throws on failure. Not used for changes a `batch` applies. */
  applyOne?(change: C): Promise<void>;
  /** Changes applied together in one call (e.g. DeleteAlarms takes 100 names): grouped by key, at most `size`. */
  batch?: { size: number; key(change: C): string; apply(changes: readonly C[]): Promise<void> };
  /** Changes run in ascending phases; a phase starts once the previous one settled. Default: one phase. */
  phaseOf?(change: C): number;
  /** Returns why a change must not be attempted given what happened so far (a prerequisite failed). */
  blockedBy?(change: C, done: readonly ChangeOutcome<C>[]): string | undefined;
  /** Changes in flight at once; default --concurrency. Sequential steps pass 1. */
  concurrency?: number;
}

/**
 * Confirms and applies. A declined prompt throws InterruptedError (nothing was changed); no
 * terminal and no --yes is a usage error rather than a hang (aws-cdk's TtyNotAttached).
 */
export async function applyChanges<C>(
  ctx: CommandContext,
  options: MutatingOptions,
  spec: ApplySpec<C>,
): Promise<ApplyResult<C>> {
  const outcomes: ChangeOutcome<C>[] = spec.changes.map((change) => ({ change, status: 'planned' }));
  if (outcomes.length === 0) return finish('nothing-to-do', outcomes, ctx.signal.aborted);
  if (options.dryRun) return finish('dry-run', outcomes, ctx.signal.aborted);
  if (!options.yes) {
    if (!ctx.interactive) {
      throw new UsageError(
        'Refusing to make changes without confirmation: there is no terminal to ask on.',
        'Pass --yes to apply, or --dry-run to preview.',
      );
    }
    if (ctx.signal.aborted || !(await ctx.confirm(spec.question))) {
      throw new InterruptedError('Aborted: nothing was changed.');
    }
  }

  const progress = ctx.out.progress(`Applying ${outcomes.length} change(s)`, outcomes.length);
  const phases = [...new Set(outcomes.map((o) => spec.phaseOf?.(o.change) ?? 0))].sort((a, b) => a - b);
  for (const phase of phases) {
    if (ctx.signal.aborted) break;
    const inPhase = outcomes.filter((o) => (spec.phaseOf?.(o.change) ?? 0) === phase);
    const runnable: ChangeOutcome<C>[] = [];
    for (const o of inPhase) {
      const blocked = spec.blockedBy?.(o.change, outcomes);
      if (blocked === undefined) runnable.push(o);
      else Object.assign(o, { status: 'skipped', reason: blocked });
    }
    const units = spec.batch ? batches(runnable, spec.batch) : runnable.map((o) => [o]);
    const settled = await mapConcurrent(
      units,
      spec.concurrency ?? ctx.global.concurrency,
      async (unit) => {
        // mapConcurrent checks the signal before starting a unit; this covers the await in between.
        if (ctx.signal.aborted) throw new ChangeNotStarted();
        if (spec.batch) await spec.batch.apply(unit.map((o) => o.change));
        else if (spec.applyOne) await spec.applyOne((unit[0] as ChangeOutcome<C>).change);
        else throw new Error('BUG: an apply spec needs applyOne or batch');
        for (const o of unit) progress.tick(spec.label(o.change));
      },
      ctx.signal,
    );
    settled.forEach((s, i) => {
      for (const o of units[i] ?? []) record(o, s);
    });
  }
  progress.done();
  return finish('apply', outcomes, ctx.signal.aborted);
}

/**
 * Thrown by an `applyOne`/`batch` that found, before sending anything, that it must not start (e.g.
 * Ctrl-C arrived while it waited for a paced write slot): the change is reported as not started.
 */
export class ChangeNotStarted extends Error {
  constructor(message = 'Not started: interrupted before the write was sent.') {
    super(message);
    this.name = 'ChangeNotStarted';
  }
}

function record<C>(o: ChangeOutcome<C>, s: Settled<void>): void {
  if (s.status === 'fulfilled') o.status = 'applied';
  else if (s.status === 'rejected' && !(s.reason instanceof ChangeNotStarted)) {
    o.status = 'failed';
    o.reason = describeError(s.reason);
  } else o.status = 'not-started';
}

function batches<C>(
  outcomes: readonly ChangeOutcome<C>[],
  batch: NonNullable<ApplySpec<C>['batch']>,
): ChangeOutcome<C>[][] {
  const byKey = new Map<string, ChangeOutcome<C>[]>();
  for (const o of outcomes) {
    const key = batch.key(o.change);
    byKey.set(key, [...(byKey.get(key) ?? []), o]);
  }
  return [...byKey.values()].flatMap((group) => chunk(group, batch.size));
}

function finish<C>(
  mode: ApplyResult<C>['mode'],
  outcomes: ChangeOutcome<C>[],
  interrupted: boolean,
): ApplyResult<C> {
  if (mode === 'apply') {
    // Anything still `planned` after an apply never started (the run was interrupted first).
    for (const o of outcomes) if (o.status === 'planned') o.status = 'not-started';
  }
  return { mode, outcomes, interrupted, counts: countOutcomes(outcomes) };
}

function countOutcomes(outcomes: readonly ChangeOutcome<unknown>[]): ApplyResult<unknown>['counts'] {
  const count = (status: ChangeStatus) => outcomes.filter((o) => o.status === status).length;
  return {
    applied: count('applied'),
    failed: count('failed'),
    notStarted: count('not-started'),
    skipped: count('skipped'),
  };
}

/** Several applies of one command (steps with their own confirmation) as one result, in order. */
export function mergeApplyResults<C>(...results: ApplyResult<C>[]): ApplyResult<C> {
  const outcomes = results.flatMap((r) => r.outcomes);
  const modes = results.map((r) => r.mode);
  return {
    mode: modes.includes('apply') ? 'apply' : modes.includes('dry-run') ? 'dry-run' : 'nothing-to-do',
    outcomes,
    interrupted: results.some((r) => r.interrupted),
    counts: countOutcomes(outcomes),
  };
}

/** Changes a command never handed to the flow: skipped with `reason`, or (no reason) not started. */
export function unattemptedChanges<C>(changes: readonly C[], reason: string | undefined): ApplyResult<C> {
  const outcomes: ChangeOutcome<C>[] = changes.map((change) =>
    reason === undefined ? { change, status: 'not-started' } : { change, status: 'skipped', reason },
  );
  return { mode: 'apply', outcomes, interrupted: false, counts: countOutcomes(outcomes) };
}

/**
 * The exit code of an apply: 130 when interrupted, 4 when some changes failed and others were
 * applied, 3 when changes failed and none was applied, else 0.
 */
export function applyExitCode(result: Pick<ApplyResult<unknown>, 'interrupted' | 'counts'>): ExitCode {
  if (result.interrupted) return ExitCode.interrupted;
  const { applied, failed, skipped } = result.counts;
  if (failed > 0 || skipped > 0) return applied > 0 ? ExitCode.partial : ExitCode.aws;
  return ExitCode.ok;
}

/** Merges several apply results (e.g. one per step) into one exit code: the worst wins. */
export function worstExitCode(...codes: ExitCode[]): ExitCode {
  const rank: ExitCode[] = [
    ExitCode.ok,
    ExitCode.findings,
    ExitCode.usage,
    ExitCode.aws,
    ExitCode.partial,
    ExitCode.interrupted,
  ];
  return codes.reduce((worst, c) => (rank.indexOf(c) > rank.indexOf(worst) ? c : worst), ExitCode.ok);
}
