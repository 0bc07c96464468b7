import { describe, expect, it } from 'vitest';
import { CLOUDWATCH_WRITE_TPS, createPacer, type PacerClock } from '../../src/core/pacer.js';

/** A fake clock: sleep resolves once `advance` moves time past its deadline. */
function fakeClock(): PacerClock & { advance(ms: number): Promise<void>; time: number } {
  const sleepers: Array<{ until: number; resolve: () => void }> = [];
  const clock = {
    time: 0,
    now: () => clock.time,
    sleep: (ms: number) =>
      new Promise<void>((resolve) => {
        sleepers.push({ until: clock.time + ms, resolve });
      }),
    async advance(ms: number) {
      const end = clock.time + ms;
      const settle = () => new Promise<void>((resolve) => setImmediate(resolve));
      // Let calls started "now" run before time moves, then step 1 ms at a time so callers woken
      // early can queue again before later sleepers wake.
      await settle();
      while (clock.time < end) {
        clock.time += 1;
        for (const s of sleepers.filter((s) => s.until <= clock.time)) {
          sleepers.splice(sleepers.indexOf(s), 1);
          s.resolve();
        }
        await settle();
      }
    },
  };
  return clock;
}

/** Starts `n` calls at once and records when each one got its slot. */
async function startTimes(
  n: number,
  options: { ratePerSecond: number; burst?: number },
  runFor: number,
): Promise<number[]> {
  const clock = fakeClock();
  const pacer = createPacer(options, clock);
  const times: number[] = [];
  const calls = Array.from({ length: n }, () => pacer.run(async () => void times.push(clock.now())));
  await clock.advance(runFor);
  await Promise.all(calls);
  return times;
}

/** The most calls that started in any window of `ms` milliseconds. */
function busiestWindow(times: number[], ms: number): number {
  return Math.max(...times.map((t) => times.filter((u) => u >= t && u < t + ms).length));
}

describe('createPacer', () => {
  it('spaces calls 1/rate apart by default, so no 1-second window sees more than the rate', async () => {
    const times = await startTimes(10, { ratePerSecond: CLOUDWATCH_WRITE_TPS }, 4000);
    expect(times).toHaveLength(10);
    expect(times[0]).toBe(0);
    for (let i = 1; i < times.length; i++)
      expect((times[i] ?? 0) - (times[i - 1] ?? 0)).toBeGreaterThanOrEqual(333);
    expect(busiestWindow(times, 1000)).toBeLessThanOrEqual(3);
    // And it does not dawdle: 10 calls at 3/s need about 3 s.
    expect(times.at(-1)).toBeLessThanOrEqual(3001);
  });

  it('allows a burst after an idle spell, then the sustained rate', async () => {
    const times = await startTimes(6, { ratePerSecond: 2, burst: 3 }, 3000);
    expect(times.slice(0, 3)).toEqual([0, 0, 0]);
    expect(times.slice(3)).toEqual([500, 1000, 1500]);
  });

  it('refills while idle: a call after a pause does not wait', async () => {
    const clock = fakeClock();
    const pacer = createPacer({ ratePerSecond: 3 }, clock);
    await pacer.acquire();
    await clock.advance(1000);
    const before = clock.now();
    await pacer.acquire();
    expect(clock.now()).toBe(before);
  });

  it('passes results and errors through run()', async () => {
    const clock = fakeClock();
    const pacer = createPacer({ ratePerSecond: 3 }, clock);
    await expect(pacer.run(async () => 42)).resolves.toBe(42);
    const failing = pacer.run(async () => {
      throw new Error('boom');
    });
    const assertion = expect(failing).rejects.toThrow('boom');
    await clock.advance(400);
    await assertion;
  });

  it.each([
    [{ ratePerSecond: 0 }],
    [{ ratePerSecond: Number.POSITIVE_INFINITY }],
    [{ ratePerSecond: 3, burst: 0 }],
    [{ ratePerSecond: 3, burst: 1.5 }],
  ])('rejects %j', (options) => {
    expect(() => createPacer(options, fakeClock())).toThrow(RangeError);
  });
});
