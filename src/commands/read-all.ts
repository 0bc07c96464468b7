import { mapConcurrent } from '../core/concurrency.js';
import { InterruptedError } from '../errors.js';
import type { CommandContext } from './context.js';

/**
 * Reads `items` concurrently within --concurrency, for the read phase of a command, where every
 * item is needed: the first failure is thrown, and a Ctrl-C that stopped some items from starting
 * throws InterruptedError, so a plan is never made from half of what should have been read.
 */
export async function readAll<T, R>(
  ctx: CommandContext,
  items: readonly T[],
  read: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const settled = await mapConcurrent(items, ctx.global.concurrency, read, ctx.signal);
  return settled.map((s) => {
    if (s.status === 'fulfilled') return s.value;
    if (s.status === 'rejected') throw s.reason;
    throw new InterruptedError('Interrupted while reading: nothing was changed.');
  });
}
