/**
 * The one poller used to follow a deployment: a deadline, exponential backoff between unchanged ticks,
 * a reset when something moved, retry (with backoff) of transient errors such as throttling, and abort.
 */
export type Tick<T> = { done: true; value: T } | { done: false; progressed?: boolean };

export interface PollOptions {
  /** First delay between ticks. */
  intervalMs: number;
  /** Backoff ceiling. */
  maxIntervalMs: number;
  /** Multiplier applied after a tick in which nothing moved. */
  backoff?: number;
  /** Absolute deadline (epoch ms). */
  deadline: number;
  signal?: AbortSignal;
  now?: () => number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Errors for which we keep polling (with backoff) instead of failing. */
  isTransient?: (err: unknown) => boolean;
  onTransientError?: (err: unknown) => void;
}

export class PollTimeoutError extends Error {
  override readonly name = 'PollTimeoutError';
}

export class PollAbortedError extends Error {
  override readonly name = 'PollAbortedError';
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new PollAbortedError('aborted'));
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(new PollAbortedError('aborted'));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

const TRANSIENT = /Throttl|TooManyRequests|RequestLimitExceeded|ServiceUnavailable|InternalFailure|ServerException|TimeoutError|ECONNRESET/;
export function isTransientAwsError(err: unknown): boolean {
  const name = (err as { name?: string } | undefined)?.name ?? '';
  return TRANSIENT.test(name);
}

export async function poll<T>(tick: (attempt: number) => Promise<Tick<T>>, opts: PollOptions): Promise<T> {
  const now = opts.now ?? Date.now;
  const wait = opts.sleep ?? sleep;
  const backoff = opts.backoff ?? 1.5;
  const isTransient = opts.isTransient ?? isTransientAwsError;
  let interval = opts.intervalMs;
  for (let attempt = 1; ; attempt++) {
    if (opts.signal?.aborted) throw new PollAbortedError('aborted');
    let result: Tick<T>;
    try {
      result = await tick(attempt);
    } catch (err) {
      if (!isTransient(err)) throw err;
      opts.onTransientError?.(err);
      result = { done: false };
    }
    if (result.done) return result.value;
    interval = result.progressed ? opts.intervalMs : Math.min(Math.round(interval * backoff), opts.maxIntervalMs);
    const remaining = opts.deadline - now();
    if (remaining <= 0) throw new PollTimeoutError('deadline passed');
    await wait(Math.min(interval, remaining), opts.signal);
    if (now() >= opts.deadline) {
      // One last look, so a deployment that completed right at the deadline is not called a timeout.
      const last = await tick(attempt + 1).catch((err: unknown) => {
        if (isTransient(err)) return { done: false } as Tick<T>;
        throw err;
      });
      if (last.done) return last.value;
      throw new PollTimeoutError('deadline passed');
    }
  }
}
