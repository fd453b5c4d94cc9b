import { postgresServer } from '../support/postgres-server.js';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createMigratedDatabase, type TestDatabase } from '../support/database.js';
import { type RunningService, startService } from '../support/services.js';
import { FaultProxy } from './support/fault-proxy.js';
import { recordFigures } from './support/load.js';

/**
 * docs/reliability.md#f-2: faults between the service and PostgreSQL, injected by a TCP proxy. Every fault must
 * end in a bounded 503 (never a hang, never a 500), and the service must recover by itself.
 */
const CONNECT_TIMEOUT_MS = 1000;
const STATEMENT_TIMEOUT_MS = 1000; // the client-side query timeout is 1 s above it

let database: TestDatabase;
let proxy: FaultProxy;
let reader: RunningService;

beforeAll(async () => {
  database = await createMigratedDatabase('faults');
  const postgres = postgresServer();
  proxy = new FaultProxy(postgres.host, postgres.port);
  const port = await proxy.listen();
  reader = await startService('reader', database.name, {
    DB_PORT: String(port),
    DB_CONNECT_TIMEOUT_MS: String(CONNECT_TIMEOUT_MS),
    DB_STATEMENT_TIMEOUT_MS: String(STATEMENT_TIMEOUT_MS),
  });
});

afterAll(async () => {
  await reader?.close();
  await proxy?.close();
  await database?.drop();
});

async function timed(path = '/books?limit=5'): Promise<{ status: number; ms: number }> {
  const started = performance.now();
  const response = await fetch(`${reader.url}${path}`, { signal: AbortSignal.timeout(15_000) });
  await response.arrayBuffer();
  return { status: response.status, ms: performance.now() - started };
}

/** Polls until a request succeeds; returns how long that took. */
async function timeToRecover(limitMs = 10_000): Promise<number> {
  const started = performance.now();
  while (performance.now() - started < limitMs) {
    if ((await timed()).status === 200) return performance.now() - started;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`no successful request within ${limitMs} ms`);
}

describe('network faults between the service and PostgreSQL', () => {
  it('latency beyond the query timeout gives a bounded 503, and requests succeed once it is gone', async () => {
    expect((await timed()).status).toBe(200);
    proxy.latencyMs = 4000;
    const slow = await timed();
    proxy.latencyMs = 0;
    expect(slow.status).toBe(503);
    expect(slow.ms).toBeLessThan(STATEMENT_TIMEOUT_MS + 1000 + 1000);
    const recoverMs = await timeToRecover();
    await recordFigures('networkLatency', {
      injectedLatencyMs: 4000,
      timeToFailMs: Math.round(slow.ms),
      timeToRecoverMs: Math.round(recoverMs),
    });
  });

  it('a reset of every pooled connection costs no request: the next one reconnects', async () => {
    await Promise.all([timed(), timed(), timed()]); // fill the pool with idle connections
    const reset = proxy.resetAll();
    expect(reset).toBeGreaterThan(0);
    await new Promise((resolve) => setTimeout(resolve, 50)); // let the pool see the resets
    const next = await timed();
    expect(next.status).toBe(200);
    await recordFigures('networkReset', { connectionsReset: reset, nextRequestStatus: next.status, nextRequestMs: Math.round(next.ms) });
  });

  it('a blackholed database fails new connections after the connect timeout, then recovers', async () => {
    proxy.resetAll();
    proxy.mode = 'blackhole';
    const blocked = await timed();
    const ready = await timed('/health/ready');
    const live = await timed('/health');
    proxy.mode = 'pass';
    proxy.resetAll(); // the blackholed sockets never complete; drop them as a NAT timeout would
    expect(blocked.status).toBe(503);
    expect(blocked.ms).toBeGreaterThanOrEqual(CONNECT_TIMEOUT_MS - 100);
    expect(blocked.ms).toBeLessThan(CONNECT_TIMEOUT_MS + 1000);
    expect(ready.status).toBe(503);
    expect(ready.ms).toBeLessThan(2000);
    expect(live.status).toBe(200);
    const recoverMs = await timeToRecover();
    await recordFigures('networkBlackhole', {
      timeToFailMs: Math.round(blocked.ms),
      readyMs: Math.round(ready.ms),
      timeToRecoverMs: Math.round(recoverMs),
    });
  });
});
