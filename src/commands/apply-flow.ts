import { InterruptedError, UsageError } from '../errors.js';
import type { CommandContext } from './context.js';

/** Flags of every mutating command. */
export interface MutatingOptions {
  dryRun: boolean;
  yes: boolean;
}

/**
 * The confirm step of read -> plan -> diff -> confirm -> apply -> report. Returns 'dry-run' (stop after
 * the diff) or 'apply'; a declined prompt throws InterruptedError. With no terminal and no --yes it is a
 * usage error rather than a hang (aws-cdk's TtyNotAttached).
 */
export async function confirmApply(
  ctx: CommandContext,
  options: MutatingOptions,
  question: string,
): Promise<'dry-run' | 'apply'> {
  if (options.dryRun) return 'dry-run';
  if (options.yes) return 'apply';
  if (!ctx.interactive) {
    throw new UsageError(
      'Refusing to make changes without confirmation: there is no terminal to ask on.',
      'Pass --yes to apply, or --dry-run to preview.',
    );
  }
  if (ctx.signal.aborted || !(await ctx.confirm(question))) {
    throw new InterruptedError('Aborted: nothing was changed.');
  }
  return 'apply';
}
