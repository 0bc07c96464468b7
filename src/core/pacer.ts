/**
 * A token-bucket pacer. CloudWatch's PutMetricAlarm, DeleteAlarms and friends are limited to 3 TPS
 * per Region; the SDK's adaptive retry recovers from throttling, but pacing first means a
 * 500-alarm run is not a storm of throttled requests and retries.
 */

/** The clock and sleep a pacer uses; injected so tests can run on a fake clock. */
export interface PacerClock {
  /** Milliseconds, monotonic enough for pacing (Date.now or performance.now). */
  now(): number;
  sleep(ms: number): Promise<void>;
}

/** Pacer settings. */
export interface PacerOptions {
  /** Sustained calls per second. */
  ratePerSecond: number;
  /**
   * Calls allowed back to back after an idle spell. 1 (the default) keeps every 1-second window at
   * or below `ratePerSecond`, which is what a TPS quota measures.
   */
  burst?: number;
}

/** Paces calls: `await pacer.acquire()` before each one. */
export interface Pacer {
  acquire(): Promise<void>;
  /** Runs `fn` once a slot is free. */
  run<T>(fn: () => Promise<T>): Promise<T>;
}

/** PutMetricAlarm / TagResource / DeleteAlarms: 3 TPS per Region (CloudWatch service quotas). */
export const CLOUDWATCH_WRITE_TPS = 3;

/** Creates a token-bucket pacer; concurrent callers queue in call order. */
export function createPacer(options: PacerOptions, clock: PacerClock): Pacer {
  const { ratePerSecond } = options;
  const burst = options.burst ?? 1;
  if (!(ratePerSecond > 0) || !Number.isFinite(ratePerSecond))
    throw new RangeError('ratePerSecond must be > 0');
  if (!Number.isInteger(burst) || burst < 1) throw new RangeError('burst must be a whole number >= 1');
  const msPerToken = 1000 / ratePerSecond;
  let tokens = burst;
  let last = clock.now();

  async function acquire(): Promise<void> {
    const now = clock.now();
    tokens = Math.min(burst, tokens + (now - last) / msPerToken);
    last = now;
    // Taking the token before waiting (the bucket may go into debt) reserves this caller's slot, so
    // callers that arrive while others wait line up behind them instead of racing.
    tokens -= 1;
    if (tokens < 0) await clock.sleep(-tokens * msPerToken);
  }

  return {
    acquire,
    async run<T>(fn: () => Promise<T>): Promise<T> {
      await acquire();
      return fn();
    },
  };
}
