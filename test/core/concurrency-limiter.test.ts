import { describe, expect, it } from 'vitest';
import { createLimiter } from '../../src/core/concurrency.js';

describe('createLimiter', () => {
  it.each([1, 2, 5])('runs at most %i at once, in call order, and every result comes back', async (size) => {
    const limit = createLimiter(size);
    let running = 0;
    let most = 0;
    const order: number[] = [];
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        limit(async () => {
          order.push(i);
          running++;
          most = Math.max(most, running);
          await new Promise((r) => setTimeout(r, 1 + (i % 3)));
          running--;
          return i * 2;
        }),
      ),
    );
    expect(most).toBe(size);
    expect(order).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(results).toEqual(Array.from({ length: 20 }, (_, i) => i * 2));
  });

  it('a failure frees its slot and is the caller’s to handle', async () => {
    const limit = createLimiter(1);
    await expect(limit(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(
      limit(() => {
        throw new Error('sync');
      }),
    ).rejects.toThrow('sync');
    expect(await limit(async () => 'next')).toBe('next');
  });
});
