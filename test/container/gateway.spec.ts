import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { freePort } from '../../scripts/embedded-postgres.mjs';
import { createMigratedDatabase, environmentFor, type TestDatabase } from '../support/database.js';
import { type SpawnedService, jsonLines, spawnService, waitForOk } from '../support/process.js';
import { type RecordingProxy, type RunningNginx, findNginx, startGateway, startRecordingProxy } from './support/gateway.js';

/**
 * The compose gateway, docker/gateway/nginx.conf, run by a real nginx in front of the two real services
 * (only the addresses change: upstreams point at recording hops in front of the services, and it listens on
 * a free loopback port). It must route like the ALB: GET/HEAD → reader, POST/PUT/PATCH/DELETE → writer,
 * anything else → the ALB's JSON 405, and forward the request id and X-Forwarded-* headers.
 *
 * CI installs nginx (.ci/run). Elsewhere, without nginx, the file is skipped rather than failed.
 */

const nginxBinary = findNginx();
const NOT_ALLOWED = { statusCode: 405, error: 'Method Not Allowed', message: 'Method not allowed' }; // the ALB's default action
const BOOK = { title: 'A Wizard of Earthsea', author: 'Ursula K. Le Guin', isbn: '978-0-547-72202-3' };

jest.setTimeout(60_000);

(!nginxBinary && process.env.CI !== 'true' ? describe.skip : describe)(
  'the gateway routes like the ALB (nginx in front of both services)',
  () => {
    let database: TestDatabase | undefined;
    const services: Partial<Record<'reader' | 'writer', { process: SpawnedService; url: string; proxy: RecordingProxy }>> = {};
    let nginx: RunningNginx | undefined;
    let gateway = '';

    beforeAll(async () => {
      if (!nginxBinary) throw new Error('nginx is not installed (apt-get install nginx-light; .ci/run does it in CI)');
      database = await createMigratedDatabase('gateway');
      for (const name of ['reader', 'writer'] as const) {
        const port = await freePort();
        const child = spawnService(name, ['serve'], environmentFor(database.name, { PORT: String(port) }));
        const url = `http://127.0.0.1:${port}`;
        services[name] = { process: child, url, proxy: await startRecordingProxy(url) };
      }
      await Promise.all(
        (['reader', 'writer'] as const).map((name) =>
          waitForOk(`${services[name]!.url}/health/ready`, 45_000).catch((error: Error) => {
            throw new Error(`${error.message}\n${services[name]!.process.output()}`);
          }),
        ),
      );

      ({ nginx, url: gateway } = await startGateway(nginxBinary, {
        reader: services.reader!.proxy.port,
        writer: services.writer!.proxy.port,
      }));
    }, 120_000);

    afterAll(async () => {
      await nginx?.stop();
      for (const service of Object.values(services)) {
        await service.proxy.close();
        service.process.child.kill('SIGTERM');
        const timer = setTimeout(() => service.process.child.kill('SIGKILL'), 10_000);
        await service.process.exited;
        clearTimeout(timer);
      }
      await database?.drop();
    }, 60_000);

    /** Requests each upstream saw with the given X-Request-Id. */
    function seenBy(requestId: string): Record<'reader' | 'writer', string[]> {
      const pick = (proxy: RecordingProxy): string[] =>
        proxy.requests
          .filter((request) => request.headers['x-request-id'] === requestId)
          .map((request) => `${request.method} ${request.url}`);
      return { reader: pick(services.reader!.proxy), writer: pick(services.writer!.proxy) };
    }

    function send(
      method: string,
      path: string,
      requestId: string,
      body?: unknown,
      headers: Record<string, string> = {},
    ): Promise<Response> {
      return fetch(`${gateway}${path}`, {
        method,
        headers: { 'x-request-id': requestId, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    }

    it('the services answer differently, so the routing is observable: the reader has no POST, the writer no GET /books', async () => {
      expect(
        (
          await fetch(`${services.reader!.url}/books`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify(BOOK),
          })
        ).status,
      ).toBe(404);
      expect((await fetch(`${services.writer!.url}/books`)).status).toBe(404);
    });

    it('GET and HEAD go to the reader', async () => {
      const list = await send('GET', '/books?limit=5', 'route-get');
      expect(list.status).toBe(200);
      expect(await list.json()).toMatchObject({ items: expect.any(Array) });
      const head = await send('HEAD', '/books', 'route-head');
      expect(head.status).toBe(200);
      expect(await head.text()).toBe('');
      expect(seenBy('route-get')).toEqual({ reader: ['GET /books?limit=5'], writer: [] });
      expect(seenBy('route-head')).toEqual({ reader: ['HEAD /books'], writer: [] });
    });

    it('POST, PUT, PATCH and DELETE go to the writer, and what they write is read back through the reader', async () => {
      const created = await send('POST', '/books', 'route-post', BOOK);
      expect(created.status).toBe(201);
      const book = (await created.json()) as { id: number };
      expect(created.headers.get('location')).toBe(`/books/${book.id}`);

      const read = await send('GET', `/books/${book.id}`, 'route-read');
      expect(read.status).toBe(200);
      expect(await read.json()).toMatchObject({ id: book.id, title: BOOK.title });

      expect((await send('PUT', `/books/${book.id}`, 'route-put', { title: 'The Tombs of Atuan', author: BOOK.author })).status).toBe(200);
      expect((await send('PATCH', `/books/${book.id}`, 'route-patch', { description: 'Earthsea, book two' })).status).toBe(200);
      const reread = await send('GET', `/books/${book.id}`, 'route-reread');
      expect(await reread.json()).toMatchObject({ title: 'The Tombs of Atuan', description: 'Earthsea, book two', version: 3 });
      expect((await send('DELETE', `/books/${book.id}`, 'route-delete')).status).toBe(204);
      expect((await send('GET', `/books/${book.id}`, 'route-gone')).status).toBe(404);

      expect(seenBy('route-post')).toEqual({ reader: [], writer: ['POST /books'] });
      expect(seenBy('route-put')).toEqual({ reader: [], writer: [`PUT /books/${book.id}`] });
      expect(seenBy('route-patch')).toEqual({ reader: [], writer: [`PATCH /books/${book.id}`] });
      expect(seenBy('route-delete')).toEqual({ reader: [], writer: [`DELETE /books/${book.id}`] });
      expect(seenBy('route-read')).toEqual({ reader: [`GET /books/${book.id}`], writer: [] });
    });

    it.each(['OPTIONS', 'PROPFIND'])('%s gets the ALB’s JSON 405 and reaches neither service', async (method) => {
      const response = await send(method, '/books', `route-${method.toLowerCase()}`);
      expect(response.status).toBe(405);
      expect(response.headers.get('content-type')).toMatch(/^application\/json/);
      expect(await response.json()).toEqual(NOT_ALLOWED);
      expect(seenBy(`route-${method.toLowerCase()}`)).toEqual({ reader: [], writer: [] });
    });

    // nginx writes its access-log line after it sends the response, so the client can see the response first:
    // wait for the line (bounded) instead of reading the log once.
    async function gatewayLogLine(requestId: string): Promise<Record<string, unknown> | undefined> {
      const deadline = Date.now() + 5_000;
      for (;;) {
        const line = jsonLines(nginx!.stdout()).find((entry) => entry.requestId === requestId);
        if (line || Date.now() > deadline) return line;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    }

    it('passes X-Request-Id through and adds X-Forwarded-For/-Proto/-Port and the Host, as the ALB does', async () => {
      const response = await send('GET', '/books', 'trace-me-123', undefined, { 'x-forwarded-for': '203.0.113.7' });
      expect(response.status).toBe(200);
      expect(response.headers.get('x-request-id')).toBe('trace-me-123'); // the service echoes the id it used
      const seen = services.reader!.proxy.requests.find((request) => request.headers['x-request-id'] === 'trace-me-123')!;
      expect(seen.headers).toMatchObject({
        'x-forwarded-for': '203.0.113.7, 127.0.0.1',
        'x-forwarded-proto': 'http',
        'x-forwarded-port': new URL(gateway).port,
        host: new URL(gateway).host,
      });
      const logged = await gatewayLogLine('trace-me-123');
      expect(logged).toMatchObject({ service: 'gateway', method: 'GET', url: '/books', status: 200, targetGroup: 'reader' });
    });

    it('mints a request id when the caller sends none, the same one the service uses and the gateway logs', async () => {
      const response = await fetch(`${gateway}/books?limit=1`);
      const id = response.headers.get('x-request-id');
      expect(id).toMatch(/^[0-9a-f]{32}$/);
      expect(seenBy(id!).reader).toEqual(['GET /books?limit=1']);
      expect(await gatewayLogLine(id!)).toBeDefined();
    });

    it('leaves errors and limits to the services: their JSON 400, 404 and 413 come through unchanged', async () => {
      const badId = await send('GET', '/books/0', 'error-400');
      expect(badId.status).toBe(400);
      expect(await badId.json()).toMatchObject({ statusCode: 400, error: 'Bad Request' });
      const missing = await send('PATCH', '/books/2147483647', 'error-404', { title: 'x' });
      expect(missing.status).toBe(404);
      expect(await missing.json()).toMatchObject({ statusCode: 404 });
      const huge = await send('POST', '/books', 'error-413', { ...BOOK, description: 'x'.repeat(100 * 1024) });
      expect(huge.status).toBe(413);
      expect(await huge.json()).toMatchObject({ statusCode: 413 });
      expect(seenBy('error-413')).toEqual({ reader: [], writer: ['POST /books'] });
    });
  },
);
