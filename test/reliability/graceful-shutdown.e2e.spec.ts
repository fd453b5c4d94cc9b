import { postgresServer } from '../support/postgres-server.js';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { freePort } from '../../scripts/embedded-postgres.mjs';
import { createMigratedDatabase, environmentFor, sql, type TestDatabase } from '../support/database.js';
import { expectWith } from '../support/expect-with.js';
import { spawnService, waitForOk } from '../support/process.js';
import { FaultProxy } from './support/fault-proxy.js';
import { now, recordFigures, signalUnderLoad } from './support/load.js';

/**
 * docs/reliability.md#f-3: SIGTERM while requests are in flight. Every request accepted before the signal must
 * complete, readiness must flip at once, and the process must exit 0 well inside ECS's 30 s stop timeout.
 * The database is reached through a proxy adding 250 ms, so dozens of requests are in flight at the signal.
 */
let database: TestDatabase;
let proxy: FaultProxy;
let proxyPort: number;

beforeAll(async () => {
  database = await createMigratedDatabase('shutdown');
  await sql(database.name, `INSERT INTO books (title, author) SELECT 'Book ' || i, 'Author' FROM generate_series(1, 50) AS i`);
  const postgres = postgresServer();
  proxy = new FaultProxy(postgres.host, postgres.port);
  proxy.latencyMs = 250;
  proxyPort = await proxy.listen();
});

afterAll(async () => {
  await proxy?.close();
  await database?.drop();
});

async function sigtermUnderLoad(nodeArgs: string[] = []) {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const service = spawnService(
    'reader',
    [],
    environmentFor(database.name, { PORT: String(port), DB_PORT: String(proxyPort), DB_POOL_MAX: '30', LOG_LEVEL: 'info' }),
    { nodeArgs },
  );
  try {
    await waitForOk(`${url}/health/ready`, 20_000);
    let signalAt = Number.POSITIVE_INFINITY;
    const readiness: Array<{ at: number; status: number }> = [];
    const polling = (async () => {
      while (now() < signalAt + 1500) {
        const status = await fetch(`${url}/health/ready`, { signal: AbortSignal.timeout(2000) }).then(
          (r) => r.status,
          () => 0,
        );
        readiness.push({ at: now(), status });
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    })();
    // Every accepted request waits 250 ms on the database, so all of them are still in flight at the signal; the
    // negative control shows the test still sees drops.
    const load = await signalUnderLoad(
      (sequence) => ({ name: 'GET /books/:id', url: `${url}/books/${(sequence % 50) + 1}` }),
      () => {
        signalAt = now();
        service.child.kill('SIGTERM');
      },
    );
    await polling;
    const exit = await service.exited;
    const exitMs = now() - signalAt;
    // For a failure's message: what each dropped request got, and how long before the signal it was sent.
    const droppedDetail = load.dropped.map(
      (sample) => `${sample.status || sample.error} sent ${Math.round(signalAt - sample.startedAt)} ms before SIGTERM`,
    );
    const firstNotReady = readiness.find((probe) => probe.at > signalAt && probe.status !== 200);
    return {
      exit,
      exitMs,
      inFlightAtSignal: load.inFlightAtSignal,
      dropped: load.dropped.length,
      droppedDetail,
      accepted: load.accepted.length,
      readyFlipMs: firstNotReady ? firstNotReady.at - signalAt : Number.NaN,
      firstNotReadyStatus: firstNotReady?.status,
      output: service.output(),
    };
  } finally {
    service.child.kill('SIGKILL');
  }
}

describe('graceful shutdown under load', () => {
  it('finishes every request accepted before SIGTERM, flips readiness, and exits 0 quickly', async () => {
    const result = await sigtermUnderLoad();
    expect(result.inFlightAtSignal).toBeGreaterThan(5);
    expectWith(result.dropped, `dropped: ${result.droppedDetail.join('; ')}\n${result.output.slice(-3000)}`).toBe(0);
    expect(result.exit.code).toBe(0);
    expect(result.exitMs).toBeLessThan(10_000);
    expect(result.readyFlipMs).toBeLessThan(1000);
    expect(result.output).toContain('shut down cleanly');
    await recordFigures('gracefulShutdown', {
      acceptedBeforeSigterm: result.accepted,
      inFlightAtSigterm: result.inFlightAtSignal,
      dropped: result.dropped,
      readinessNotOkAfterMs: Math.round(result.readyFlipMs),
      readinessStatusSeen: result.firstNotReadyStatus,
      exitCode: result.exit.code,
      shutdownMs: Math.round(result.exitMs),
    });
  }, 60_000);

  it('negative control: without the SIGTERM drain the same test sees dropped requests', async () => {
    const result = await sigtermUnderLoad(['--import', new URL('./support/no-drain.mjs', import.meta.url).pathname]);
    expect(result.inFlightAtSignal).toBeGreaterThan(5);
    expect(result.dropped).toBeGreaterThan(0);
    expect(result.exit.signal).toBe('SIGTERM');
    await recordFigures('gracefulShutdownNegativeControl', { inFlightAtSigterm: result.inFlightAtSignal, dropped: result.dropped });
  }, 60_000);
});
