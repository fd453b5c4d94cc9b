import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { freePort } from '../../scripts/embedded-postgres.mjs';
import { type RunningNginx, findNginx, startGateway } from '../container/support/gateway.js';
import { createMigratedDatabase, environmentFor, type TestDatabase } from '../support/database.js';
import { type SpawnedService, spawnService, waitForOk } from '../support/process.js';

/**
 * The seed's URLs still work: every URL the Django original served, sent through the real compose gateway
 * (docker/gateway/nginx.conf in a real nginx, routing by method like the ALB) to the two built services.
 * The routing needs no change: GET goes to the reader, which accepts the trailing slash; POST/PUT/DELETE go
 * to the writer, which serves the old write paths as deprecated aliases (Deprecation + Link headers).
 *
 * CI installs nginx (.ci/run). Elsewhere, without nginx, the file is skipped with a message.
 */
const nginxBinary = findNginx();
const run = nginxBinary || process.env.CI === 'true';
if (!run) console.warn('django-urls.gateway.spec.ts skipped: nginx is not installed (apt-get install nginx-light)');

jest.setTimeout(60_000);

(run ? describe : describe.skip)('the Django URLs through the gateway', () => {
  let database: TestDatabase | undefined;
  const services: SpawnedService[] = [];
  let nginx: RunningNginx | undefined;
  let gateway = '';

  beforeAll(async () => {
    if (!nginxBinary) throw new Error('nginx is not installed (apt-get install nginx-light; .ci/run does it in CI)');
    database = await createMigratedDatabase('django');
    const ports: Record<'reader' | 'writer', number> = { reader: await freePort(), writer: await freePort() };
    for (const name of ['reader', 'writer'] as const) {
      services.push(spawnService(name, ['serve'], environmentFor(database.name, { PORT: String(ports[name]) })));
    }
    await Promise.all(
      (['reader', 'writer'] as const).map((name, i) =>
        waitForOk(`http://127.0.0.1:${ports[name]}/health/ready`, 45_000).catch((error: Error) => {
          throw new Error(`${error.message}\n${services[i]!.output()}`);
        }),
      ),
    );
    ({ nginx, url: gateway } = await startGateway(nginxBinary, ports));
  }, 120_000);

  afterAll(async () => {
    await nginx?.stop();
    for (const service of services) {
      service.child.kill('SIGTERM');
      const timer = setTimeout(() => service.child.kill('SIGKILL'), 10_000);
      await service.exited;
      clearTimeout(timer);
    }
    await database?.drop();
  }, 60_000);

  const send = (method: string, path: string, body?: unknown): Promise<Response> =>
    fetch(`${gateway}${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });

  const DEPRECATED_AT = '@1795996800'; // RFC 9745 Date: 2026-11-30T00:00:00Z

  it('POST /books/create/, GET /books/, GET /books/<id>/, PUT /books/<id>/update/, DELETE /books/<id>/delete/', async () => {
    const created = await send('POST', '/books/create/', { title: 'A Wizard of Earthsea', author: 'Ursula K. Le Guin' });
    expect(created.status).toBe(201);
    const book = (await created.json()) as { id: number };
    expect(created.headers.get('location')).toBe(`/books/${book.id}`);
    expect(created.headers.get('deprecation')).toBe(DEPRECATED_AT);
    expect(created.headers.get('link')).toBe('</books>; rel="successor-version"');

    const list = await send('GET', '/books/');
    expect(list.status).toBe(200);
    expect(((await list.json()) as { items: Array<{ id: number }> }).items.map((item) => item.id)).toEqual([book.id]);
    expect(list.headers.get('deprecation')).toBeNull();

    const one = await send('GET', `/books/${book.id}/`);
    expect(one.status).toBe(200);
    expect(await one.json()).toMatchObject({ id: book.id, title: 'A Wizard of Earthsea', version: 1 });

    const updated = await send('PUT', `/books/${book.id}/update/`, { title: 'The Tombs of Atuan', author: 'Ursula K. Le Guin' });
    expect(updated.status).toBe(200);
    expect(await updated.json()).toMatchObject({ id: book.id, title: 'The Tombs of Atuan', version: 2 });
    expect(updated.headers.get('deprecation')).toBe(DEPRECATED_AT);
    expect(updated.headers.get('link')).toBe(`</books/${book.id}>; rel="successor-version"`);

    const deleted = await send('DELETE', `/books/${book.id}/delete/`);
    expect(deleted.status).toBe(204);
    expect(deleted.headers.get('deprecation')).toBe(DEPRECATED_AT);
    expect(deleted.headers.get('link')).toBe(`</books/${book.id}>; rel="successor-version"`);
    expect((await send('GET', `/books/${book.id}/`)).status).toBe(404);
  });

  it('the old URLs without their trailing slash work too', async () => {
    const created = await send('POST', '/books/create', { title: 'Kindred', author: 'Octavia E. Butler' });
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: number };
    expect((await send('PUT', `/books/${id}/update`, { title: 'Kindred', author: 'O. E. Butler' })).status).toBe(200);
    expect((await send('DELETE', `/books/${id}/delete`)).status).toBe(204);
  });
});
