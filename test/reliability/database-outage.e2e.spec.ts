import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { freePort } from '../../scripts/embedded-postgres.mjs';
import { spawnService, type SpawnedService, waitForOk } from '../support/process.js';
import { startDedicatedPostgres } from '../support/dedicated-postgres.js';
import { countBy, now, percentile, recordFigures, runLoad, type Sample } from './support/load.js';

/**
 * docs/reliability.md#f-1: PostgreSQL stops for several seconds while GETs and POSTs flow. The services must
 * stay up, fail fast with 503 instead of hanging, report not-ready, and recover on their own.
 */
const CONNECT_TIMEOUT_MS = 2000;
const OUTAGE_MS = 5000;

let postgres: Awaited<ReturnType<typeof startDedicatedPostgres>>;
let reader: SpawnedService;
let writer: SpawnedService;
let readerUrl: string;
let writerUrl: string;

beforeAll(async () => {
  postgres = await startDedicatedPostgres();
  const [readerPort, writerPort] = [await freePort(), await freePort()];
  const tuning = { DB_CONNECT_TIMEOUT_MS: String(CONNECT_TIMEOUT_MS), DB_STATEMENT_TIMEOUT_MS: '2000' };
  reader = spawnService('reader', [], { ...postgres.environment, ...tuning, PORT: String(readerPort) });
  writer = spawnService('writer', [], { ...postgres.environment, ...tuning, PORT: String(writerPort) });
  readerUrl = `http://127.0.0.1:${readerPort}`;
  writerUrl = `http://127.0.0.1:${writerPort}`;
  await Promise.all([waitForOk(`${readerUrl}/health/ready`), waitForOk(`${writerUrl}/health/ready`)]);
}, 60_000);

/** Log lines of requests that failed with something other than a recognised outage (for diagnosis). */
function serverErrors(): string {
  const lines = (reader.output() + writer.output()).split('\n');
  return lines.filter((line) => line.includes('"HttpError"') && !/ECONNREFUSED|ECONNRESET|shutting down|starting up/.test(line)).join('\n');
}

afterAll(async () => {
  for (const service of [reader, writer]) service?.child.kill('SIGKILL');
  await postgres?.destroy();
});

describe('PostgreSQL outage under load', () => {
  it('stays up, answers 503 fast, reports not-ready, and recovers within 10 s without a restart', async () => {
    const testStart = now();
    const titles = new Map<number, string>();
    const load = runLoad({
      durationMs: 16_000,
      concurrency: 4,
      maxRequests: 20_000,
      timeoutMs: 10_000,
      next: (sequence) => {
        if (sequence % 2 === 0) return { name: 'GET /books', url: `${readerUrl}/books?limit=5` };
        const title = `outage-${sequence}-${randomUUID()}`;
        titles.set(sequence, title);
        return {
          name: 'POST /books',
          url: `${writerUrl}/books`,
          init: {
            method: 'POST',
            headers: { 'content-type': 'application/json', 'idempotency-key': randomUUID() },
            body: JSON.stringify({ title, author: 'Load' }),
          },
        };
      },
    });
    const probes: Array<{ at: number; live: number; ready: number }> = [];
    const probing = (async () => {
      while (now() - testStart < 16_000) {
        const [live, ready] = await Promise.all(
          [`${readerUrl}/health`, `${writerUrl}/health/ready`].map((url) =>
            fetch(url, { signal: AbortSignal.timeout(3000) }).then(
              (response) => response.status,
              () => 0,
            ),
          ),
        );
        probes.push({ at: now(), live: live!, ready: ready! });
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    })();

    await new Promise((resolve) => setTimeout(resolve, 3000));
    const outageStart = now();
    await postgres.stop();
    await new Promise((resolve) => setTimeout(resolve, OUTAGE_MS - (now() - outageStart)));
    await postgres.start();
    const outageEnd = now();
    const [samples] = await Promise.all([load, probing]);

    // The processes never exited.
    expect(reader.child.exitCode).toBeNull();
    expect(writer.child.exitCode).toBeNull();
    // Liveness never wavered; readiness went down during the outage and came back.
    expect(probes.every((probe) => probe.live === 200)).toBe(true);
    expect(probes.some((probe) => probe.at > outageStart && probe.at < outageEnd && probe.ready === 503)).toBe(true);
    expect(probes.at(-1)!.ready).toBe(200);

    const failed = samples.filter((sample) => sample.status !== 200 && sample.status !== 201);
    const statuses = countBy(samples, (sample) => sample.status);
    // Every failure is a clean 503, never a hang (0 = client timeout), never a 500.
    if (failed.some((sample) => sample.status === 500)) console.log(serverErrors());
    expect(countBy(failed, (sample) => sample.status)).toEqual({ 503: failed.length });
    expect(failed.length).toBeGreaterThan(0);
    const failLatencies = failed.map((sample) => sample.endedAt - sample.startedAt);
    expect(Math.max(...failLatencies)).toBeLessThan(CONNECT_TIMEOUT_MS + 1000);

    const firstFailure = Math.min(...failed.map((sample) => sample.endedAt));
    const lastFailure = Math.max(...failed.map((sample) => sample.endedAt));
    const recoveryMs = Math.max(0, lastFailure - outageEnd);
    expect(recoveryMs).toBeLessThan(10_000);
    const after = samples.filter((sample: Sample) => sample.startedAt > lastFailure);
    expect(after.length).toBeGreaterThan(10);

    // No POST was applied twice, and every 201 is in the table.
    const client = new pg.Client({
      host: postgres.environment.DB_HOST,
      port: Number(postgres.environment.DB_PORT),
      user: postgres.environment.DB_USER,
      password: postgres.environment.DB_PASSWORD,
      database: postgres.environment.DB_NAME,
    });
    await client.connect();
    const { rows } = await client.query(`SELECT title, count(*)::int AS n FROM books WHERE title LIKE 'outage-%' GROUP BY title`);
    await client.end();
    expect(rows.every((row) => row.n === 1)).toBe(true);
    const created = samples.filter((sample) => sample.name === 'POST /books' && sample.status === 201).length;
    expect(rows.length).toBeGreaterThanOrEqual(created);

    const latencies = samples.filter((sample) => sample.status === 200 || sample.status === 201).map((s) => s.endedAt - s.startedAt);
    await recordFigures('databaseOutage', {
      outageMs: Math.round(outageEnd - outageStart),
      timeToFirst503Ms: Math.round(firstFailure - outageStart),
      recoveryAfterPostgresBackMs: Math.round(recoveryMs),
      requests: samples.length,
      byStatus: statuses,
      clientTimeouts: statuses['0'] ?? 0,
      slowestFailureMs: Math.round(Math.max(...failLatencies)),
      okP50Ms: Math.round(percentile(latencies, 50)),
      okP99Ms: Math.round(percentile(latencies, 99)),
      postsApplied: rows.length,
      postsAnswered201: created,
    });
  }, 60_000);
});
