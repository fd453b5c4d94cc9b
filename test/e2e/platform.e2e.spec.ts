import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createMigratedDatabase, sql } from '../support/database.js';
import { json, type RunningService, startService } from '../support/services.js';

let database: { name: string; drop: () => Promise<void> };
let reader: RunningService;

beforeAll(async () => {
  database = await createMigratedDatabase('platform');
  reader = await startService('reader', database.name);
});
afterAll(async () => {
  await reader?.close();
  await database?.drop();
});

describe('health', () => {
  it('/health answers without the database; /health/ready pings it', async () => {
    expect(await json(await fetch(`${reader.url}/health`))).toEqual({ status: 'ok' });
    const ready = await fetch(`${reader.url}/health/ready`);
    expect(ready.status).toBe(200);
    expect(await json(ready)).toMatchObject({ status: 'ok', info: { database: { status: 'up' }, lifecycle: { status: 'up' } } });
  });

  it('/health/ready is 503 while the database refuses connections, /health stays 200, and both recover', async () => {
    await sql('postgres', `ALTER DATABASE ${database.name} ALLOW_CONNECTIONS false`);
    await sql('postgres', `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1`, [database.name]);
    try {
      const notReady = await fetch(`${reader.url}/health/ready`);
      expect(notReady.status).toBe(503);
      expect(await json(notReady)).toMatchObject({ status: 'error', error: { database: { status: 'down' } } });
      expect((await fetch(`${reader.url}/health`)).status).toBe(200);
      const list = await fetch(`${reader.url}/books`);
      expect(list.status).toBe(503);
      expect(list.headers.get('retry-after')).toBe('1');
      expect(await json(list)).toEqual({
        statusCode: 503,
        error: 'Service Unavailable',
        message: 'The database is unavailable; retry shortly',
      });
    } finally {
      await sql('postgres', `ALTER DATABASE ${database.name} ALLOW_CONNECTIONS true`);
    }
    expect((await fetch(`${reader.url}/health/ready`)).status).toBe(200);
    expect((await fetch(`${reader.url}/books`)).status).toBe(200);
  });
});

describe('HTTP hardening', () => {
  it('echoes a safe X-Request-Id, falls back to the ALB trace id, and replaces unsafe ones', async () => {
    const own = await fetch(`${reader.url}/health`, { headers: { 'x-request-id': 'req-123_abc' } });
    expect(own.headers.get('x-request-id')).toBe('req-123_abc');
    const trace = 'Root=1-67891233-abcdef012345678912345678';
    const alb = await fetch(`${reader.url}/health`, { headers: { 'x-amzn-trace-id': trace } });
    expect(alb.headers.get('x-request-id')).toBe(trace);
    const unsafe = await fetch(`${reader.url}/health`, { headers: { 'x-request-id': 'a b<script>' } });
    expect(unsafe.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  // Issue 13: the JSON API gets nosniff (all a browser needs for a non-HTML response); helmet's browser set
  // (CSP and the rest) only on /docs, the one HTML page.
  it("sends nosniff on the API, helmet's browser set on /docs, and no x-powered-by", async () => {
    const response = await fetch(`${reader.url}/books`);
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('content-security-policy')).toBeNull();
    expect(response.headers.get('x-powered-by')).toBeNull();
    const docs = await fetch(`${reader.url}/docs`);
    expect(docs.headers.get('x-content-type-options')).toBe('nosniff');
    expect(docs.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(docs.headers.get('x-powered-by')).toBeNull();
  });

  it('keeps idle connections open longer than the ALB (60 s) so the ALB never reuses a closed socket', () => {
    const server = reader.app.getHttpServer();
    expect(server.keepAliveTimeout).toBeGreaterThan(60_000);
  });

  it('answers unknown routes with the JSON error shape', async () => {
    const response = await fetch(`${reader.url}/nowhere`);
    expect(response.status).toBe(404);
    expect(await json(response)).toEqual({ statusCode: 404, error: 'Not Found', message: 'Cannot GET /nowhere' });
  });
});
