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
