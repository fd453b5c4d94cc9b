/** A bounded, loopback-only load generator that records every request, for fault tests. */

export interface Sample {
  name: string;
  startedAt: number;
  endedAt: number;
  /** HTTP status, or 0 for a client timeout / connection error. */
  status: number;
  error?: string;
}

export interface LoadOptions {
  durationMs: number;
  concurrency: number;
  /** Hard cap on requests, whatever the duration. */
  maxRequests: number;
  /** Per-request client timeout. */
  timeoutMs: number;
  next: (sequence: number) => { name: string; url: string; init?: RequestInit };
}

export const now = (): number => performance.now();

export async function runLoad(options: LoadOptions): Promise<Sample[]> {
  const samples: Sample[] = [];
  const deadline = now() + options.durationMs;
  let sequence = 0;
  const worker = async (): Promise<void> => {
    while (now() < deadline && sequence < options.maxRequests) {
      const { name, url, init } = options.next(sequence++);
      const startedAt = now();
      try {
        const response = await fetch(url, { ...init, signal: AbortSignal.timeout(options.timeoutMs) });
        await response.arrayBuffer();
        samples.push({ name, startedAt, endedAt: now(), status: response.status });
      } catch (error) {
        samples.push({ name, startedAt, endedAt: now(), status: 0, error: (error as Error).name });
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  return samples;
}

/** What happened to the requests of a load when the server got its stop signal. */
export interface SignalledLoad {
  signalAt: number;
  samples: Sample[];
  /** Sent at least 50 ms before the signal: the server had them. */
  accepted: Sample[];
  inFlightAtSignal: number;
  /** Accepted requests that did not get a 200. */
  dropped: Sample[];
}

/**
 * Four seconds of GETs from 24 clients (bounded at 5,000 requests), and `signal` (SIGTERM, by whatever runs the
 * server) 1.5 s in. A request counts as accepted when it was sent at least 50 ms before the signal: one sent just
 * before it may still sit in the client (on a loaded 2-core machine, for tens of ms) and reach a server that
 * already stopped accepting, which is correct behaviour, not a drop.
 */
export async function signalUnderLoad(next: LoadOptions['next'], signal: () => void | Promise<void>): Promise<SignalledLoad> {
  const load = runLoad({ durationMs: 4_000, concurrency: 24, maxRequests: 5_000, timeoutMs: 10_000, next });
  await new Promise((resolve) => setTimeout(resolve, 1_500));
  const signalAt = now();
  await signal();
  const samples = await load;
  const accepted = samples.filter((sample) => sample.startedAt < signalAt - 50);
  return {
    signalAt,
    samples,
    accepted,
    inFlightAtSignal: accepted.filter((sample) => sample.endedAt > signalAt).length,
    dropped: accepted.filter((sample) => sample.status !== 200),
  };
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

export function countBy<T>(items: T[], key: (item: T) => string | number): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const item of items) counts[String(key(item))] = (counts[String(key(item))] ?? 0) + 1;
  return counts;
}

/** Appends a figure set to .test-results/reliability.json so the README can quote measured numbers. */
export async function recordFigures(name: string, figures: Record<string, unknown>): Promise<void> {
  const { mkdir, readFile, writeFile } = await import('node:fs/promises');
  const path = new URL('../../../.test-results/reliability.json', import.meta.url);
  await mkdir(new URL('.', path), { recursive: true });
  const existing = await readFile(path, 'utf8')
    .then(JSON.parse)
    .catch(() => ({}));
  await writeFile(path, JSON.stringify({ ...existing, [name]: { ...figures, measuredAt: new Date().toISOString() } }, null, 2));
  console.log(`[${name}]`, JSON.stringify(figures));
}
