import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { freePort } from '../../scripts/embedded-postgres.mjs';
import { environmentFor, sql } from '../support/database.js';
import { everyJsonLine, spawnService, type SpawnedService, waitForOk } from '../support/process.js';
import { expectErrorResponse, json, servicesOnMigratedDatabase } from '../support/services.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Sends raw bytes on one connection and returns everything the server wrote before closing it. */
function rawExchange(url: string, request: string): Promise<string> {
  const { port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), '127.0.0.1', () => socket.write(request));
    let received = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (received += chunk));
    socket.on('close', () => resolve(received));
    socket.on('error', (error: NodeJS.ErrnoException) => (error.code === 'ECONNRESET' ? resolve(received) : reject(error)));
    socket.setTimeout(5000, () => socket.destroy(new Error(`no answer from ${url} within 5 s`)));
  });
}

function parseRawResponse(raw: string): { status: number; headers: Record<string, string>; body: any } {
  const [head = '', body = ''] = raw.split('\r\n\r\n');
  const [statusLine = '', ...headerLines] = head.split('\r\n');
  const headers = Object.fromEntries(
    headerLines.map((line) => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]),
  );
  return { status: Number(statusLine.split(' ')[1]), headers, body: JSON.parse(body) };
}

const stack = servicesOnMigratedDatabase('platform', ['reader']);

describe('health', () => {
  it('/health answers without the database; /health/ready pings it', async () => {
    expect(await json(await fetch(`${stack.reader.url}/health`))).toEqual({ status: 'ok' });
    const ready = await fetch(`${stack.reader.url}/health/ready`);
    expect(ready.status).toBe(200);
    expect(await json(ready)).toMatchObject({ status: 'ok', info: { database: { status: 'up' }, lifecycle: { status: 'up' } } });
  });

  it('/health/ready is 503 while the database refuses connections, /health stays 200, and both recover', async () => {
    await sql('postgres', `ALTER DATABASE ${stack.database.name} ALLOW_CONNECTIONS false`);
    await sql('postgres', `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1`, [stack.database.name]);
    try {
      const notReady = await fetch(`${stack.reader.url}/health/ready`);
      expect(notReady.status).toBe(503);
      expect(await json(notReady)).toMatchObject({ status: 'error', error: { database: { status: 'down' } } });
      expect((await fetch(`${stack.reader.url}/health`)).status).toBe(200);
      const list = await fetch(`${stack.reader.url}/books`);
      await expectErrorResponse(list, 503, 'Service Unavailable', 'The database is unavailable; retry shortly');
      expect(list.headers.get('retry-after')).toBe('1');
    } finally {
      await sql('postgres', `ALTER DATABASE ${stack.database.name} ALLOW_CONNECTIONS true`);
    }
    expect((await fetch(`${stack.reader.url}/health/ready`)).status).toBe(200);
    expect((await fetch(`${stack.reader.url}/books`)).status).toBe(200);
  });
});

describe('HTTP hardening', () => {
  it('echoes a safe X-Request-Id, falls back to the Root of the ALB trace id, and replaces unsafe ones', async () => {
    const idOf = async (headers: Record<string, string>) =>
      (await fetch(`${stack.reader.url}/health`, { headers })).headers.get('x-request-id');
    expect(await idOf({ 'x-request-id': 'req-123_abc.7:x' })).toBe('req-123_abc.7:x');
    expect(await idOf({ 'x-request-id': 'r'.repeat(128) })).toBe('r'.repeat(128));
    const root = '1-67891233-abcdef012345678912345678';
    expect(await idOf({ 'x-amzn-trace-id': `Root=${root}` })).toBe(root);
    expect(await idOf({ 'x-amzn-trace-id': `Self=1-67891234-12456789abcdef012345678;Root=${root};Sampled=1` })).toBe(root);
    for (const unsafe of ['a b<script>', 'r'.repeat(129), 'x'.repeat(8000), 'Root=1-2-3;Sampled=1', 'id/with/slashes', 'ünïcode']) {
      expect([unsafe.slice(0, 20), await idOf({ 'x-request-id': unsafe })]).toEqual([unsafe.slice(0, 20), expect.stringMatching(UUID)]);
    }
    // An unsafe X-Request-Id counts as absent: the ALB's id, when there is one, is used.
    expect(await idOf({ 'x-request-id': 'r'.repeat(129), 'x-amzn-trace-id': `Root=${root}` })).toBe(root);
  });

  it('answers header fields over 16 KiB with 431 in the error shape, with a generated request id', async () => {
    const raw = await rawExchange(
      stack.reader.url,
      `GET /books HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Request-Id: mine\r\nX-Padding: ${'p'.repeat(17 * 1024)}\r\n\r\n`,
    );
    const response = parseRawResponse(raw);
    expect(response.status).toBe(431);
    expect(response.headers).toMatchObject({
      'content-type': 'application/json; charset=utf-8',
      'x-content-type-options': 'nosniff',
      connection: 'close',
      'x-request-id': expect.stringMatching(UUID),
    });
    expect(response.body).toEqual({
      statusCode: 431,
      error: 'Request Header Fields Too Large',
      message: 'Request line and header fields exceed 16 KiB',
      requestId: response.headers['x-request-id'],
    });
    expect(Number(response.headers['content-length'])).toBe(Buffer.byteLength(JSON.stringify(response.body)));
  });

  it('answers a malformed request with 400 in the error shape', async () => {
    const response = parseRawResponse(await rawExchange(stack.reader.url, 'GET /books HTTP/1.1\r\nHost 127.0.0.1\r\n\r\n'));
    expect(response.status).toBe(400);
    expect(response.body).toEqual({
      statusCode: 400,
      error: 'Bad Request',
      message: 'Malformed HTTP request',
      requestId: response.headers['x-request-id'],
    });
  });

  // Issue 13: the JSON API gets nosniff (all a browser needs for a non-HTML response); helmet's browser set
  // (CSP and the rest) only on /docs, the one HTML page.
  it("sends nosniff on the API, helmet's browser set on /docs, and no x-powered-by", async () => {
    const response = await fetch(`${stack.reader.url}/books`);
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('content-security-policy')).toBeNull();
    expect(response.headers.get('x-powered-by')).toBeNull();
    const docs = await fetch(`${stack.reader.url}/docs`);
    expect(docs.headers.get('x-content-type-options')).toBe('nosniff');
    expect(docs.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(docs.headers.get('x-powered-by')).toBeNull();
  });

  it('keeps idle connections open longer than the ALB (60 s) so the ALB never reuses a closed socket', () => {
    const server = stack.reader.app.getHttpServer();
    expect(server.keepAliveTimeout).toBeGreaterThan(60_000);
  });

  it('answers unknown routes with the JSON error shape', async () => {
    const response = await fetch(`${stack.reader.url}/nowhere`);
    await expectErrorResponse(response, 404, 'Not Found', 'Cannot GET /nowhere');
  });
});

describe('what the running process logs', () => {
  let spawned: SpawnedService | undefined;
  let url: string;

  beforeAll(async () => {
    const port = await freePort();
    spawned = spawnService('reader', [], environmentFor(stack.database.name, { PORT: String(port), LOG_LEVEL: 'info' }));
    url = `http://127.0.0.1:${port}`;
    await waitForOk(`${url}/health/ready`, 20_000);
  }, 30_000);
  afterAll(() => {
    spawned?.child.kill('SIGKILL');
  });

  async function requestLines(marker: string): Promise<Array<Record<string, any>>> {
    const deadline = performance.now() + 5000;
    for (;;) {
      const lines = everyJsonLine(spawned!.output()).filter((line) => String((line.req as any)?.url ?? '').includes(marker));
      if (lines.length > 0 || performance.now() > deadline) return lines;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }

  it('never logs or echoes an unsafe X-Request-Id: the request line carries the generated one', async () => {
    const unsafe = `evil-${'x'.repeat(8000)}`;
    const response = await fetch(`${url}/books?limit=7`, { headers: { 'x-request-id': unsafe } });
    expect(response.status).toBe(200);
    const generated = response.headers.get('x-request-id');
    expect(generated).toMatch(UUID);
    const [line] = await requestLines('limit=7');
    expect(line).toMatchObject({ msg: 'request completed', req: { id: generated } });
    expect(spawned!.output()).not.toContain('evil-');

    const safe = await fetch(`${url}/books?limit=8`, { headers: { 'x-request-id': 'caller-42' } });
    expect(safe.headers.get('x-request-id')).toBe('caller-42');
    expect((await requestLines('limit=8'))[0]).toMatchObject({ req: { id: 'caller-42' } });
  });

  it('logs a 431 once, at warn, with its generated id and no header content', async () => {
    const raw = await rawExchange(url, `GET /books HTTP/1.1\r\nHost: x\r\nX-Padding: secret-${'p'.repeat(17 * 1024)}\r\n\r\n`);
    const { headers } = parseRawResponse(raw);
    const deadline = performance.now() + 5000;
    let line: Record<string, any> | undefined;
    while (!line && performance.now() < deadline) {
      line = everyJsonLine(spawned!.output()).find((entry) => entry.reqId === headers['x-request-id']);
      if (!line) await new Promise((resolve) => setTimeout(resolve, 25));
    }
    expect(line).toMatchObject({ level: 'warn', res: { statusCode: 431 }, code: 'HPE_HEADER_OVERFLOW' });
    expect(spawned!.output()).not.toContain('secret-');
  });
});
