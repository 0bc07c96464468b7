/** Splits a list into consecutive batches of at most `size` (API batch limits). */
export function chunk<T>(items: readonly T[], size: number): T[][] {
  if (size < 1) throw new Error(`BUG: chunk size ${size}`);
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** The outcome of one item of a bounded-concurrency run. */
export type Settled<R> =
  | { status: 'fulfilled'; value: R }
  | { status: 'rejected'; reason: unknown }
  /** Never started because the run was aborted (Ctrl-C). */
  | { status: 'not-started' };

/**
 * Runs `fn` over `items` with at most `limit` in flight, in input order of results. One failure does
 * not stop the others; once `signal` aborts, items not yet started are reported as `not-started` and
 * the ones in flight finish, so the caller can report exactly what was applied.
 */
export async function mapConcurrent<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
  signal?: AbortSignal,
): Promise<Settled<R>[]> {
  const results: Settled<R>[] = items.map(() => ({ status: 'not-started' }));
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      if (signal?.aborted) return;
      const index = next++;
      try {
        results[index] = { status: 'fulfilled', value: await fn(items[index] as T, index) };
      } catch (reason) {
        results[index] = { status: 'rejected', reason };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return results;
}

/** Runs `fn` once a slot is free: the shared bound of a run on work started from many places. */
export type Limit = <R>(fn: () => Promise<R>) => Promise<R>;

/**
 * A counting semaphore: at most `limit` of the functions passed to it run at once, the rest start
 * in call order as slots free up. Give it leaf work only (one AWS request or one paginated listing):
 * a function that waits on another limited function while holding a slot could wait forever.
 */
export function createLimiter(limit: number): Limit {
  if (!(limit >= 1)) throw new Error(`BUG: limiter size ${limit}`);
  let running = 0;
  const queue: (() => void)[] = [];
  // A finished function hands its slot straight to the next in line, so a caller arriving in
  // between cannot take it too.
  const release = () => {
    const next = queue.shift();
    if (next) next();
    else running--;
  };
  return async <R>(fn: () => Promise<R>): Promise<R> => {
    if (running >= limit) await new Promise<void>((resolve) => queue.push(resolve));
    else running++;
    try {
      return await fn();
    } finally {
      release();
    }
  };
}

/** The promise, its failure marked as handled: it is awaited later, or may be dropped on purpose. */
export function observed<T>(p: Promise<T>): Promise<T> {
  p.catch(() => undefined);
  return p;
}

/** The value cached under `key`, or `read()` cached there; a failure is cached too, and observed. */
export function memo<T>(map: Map<string, Promise<T>>, key: string, read: () => Promise<T>): Promise<T> {
  let value = map.get(key);
  if (!value) {
    value = observed(read());
    map.set(key, value);
  }
  return value;
}

/** Awaits every promise; the first failure in list order (not in time) is thrown, so errors are stable. */
export async function allInOrder<T extends readonly unknown[]>(
  promises: {
    readonly [K in keyof T]: Promise<T[K]>;
  },
): Promise<T> {
  const settled = await Promise.allSettled(promises as readonly Promise<unknown>[]);
  return settled.map((s) => {
    if (s.status === 'rejected') throw s.reason;
    return s.value;
  }) as unknown as T;
}
