import { PreconditionFailedException } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { afterAll, beforeAll, beforeEach, describe, expect, it, jest } from '@jest/globals';
import type { BookView } from '#libs/contracts';
import type { IfMatchCondition } from '#libs/platform';
import { controllerApp, expectErrorShape } from '../../../../test/support/controller-app.js';
import { IdempotencyService, type SavedResponse } from '../idempotency/idempotency.service.js';
import { writerService } from '../writer.module.js';
import { BooksCommandService } from './books-command.service.js';
import { BooksController } from './books.controller.js';

/** The writer's HTTP surface through the production app wiring, with its services mocked: no PostgreSQL. */

const book = (changes: Partial<BookView> = {}): BookView => ({
  id: 7,
  title: 'Kindred',
  author: 'Octavia E. Butler',
  description: '',
  isbn: '9780807083697',
  version: 1,
  createdAt: '2026-11-27T12:00:00.000Z',
  updatedAt: '2026-11-27T12:00:00.000Z',
  ...changes,
});

const books = {
  create: jest.fn<(dto: unknown) => Promise<BookView>>(),
  replace: jest.fn<(id: number, dto: unknown, condition: IfMatchCondition) => Promise<BookView>>(),
  patch: jest.fn<(id: number, dto: unknown, condition: IfMatchCondition) => Promise<BookView>>(),
  remove: jest.fn<(id: number, condition: IfMatchCondition) => Promise<void>>(),
};
const idempotency = {
  parseKey: (header: string | undefined) => header,
  run: jest.fn<(key: string, request: unknown, handler: unknown) => Promise<SavedResponse>>(),
};
let app: NestFastifyApplication;

beforeAll(async () => {
  app = await controllerApp(
    writerService,
    [BooksController],
    [
      { provide: BooksCommandService, useValue: books },
      { provide: IdempotencyService, useValue: idempotency },
    ],
  );
});
afterAll(async () => {
  await app?.close();
});
beforeEach(() => {
  books.create.mockReset().mockResolvedValue(book());
  books.replace.mockReset().mockImplementation(async (id) => book({ id, version: 2, title: 'Replaced' }));
  books.patch.mockReset().mockImplementation(async (id) => book({ id, version: 2 }));
  books.remove.mockReset().mockResolvedValue(undefined);
  idempotency.run.mockReset();
});

const send = (method: 'POST' | 'PUT' | 'PATCH' | 'DELETE', url: string, payload?: unknown, headers: Record<string, string> = {}) =>
  app.inject({
    method,
    url,
    payload: payload === undefined ? undefined : JSON.stringify(payload),
    headers: { ...(payload === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
  });

const KINDRED = { title: '  Kindred  ', author: 'Octavia E. Butler', isbn: '0-8070-8369-0' };
const DEPRECATION = '@1795996800'; // 2026-11-30T00:00:00Z

describe('POST /books', () => {
  it('201 with Location, ETag and JSON; the body validated, trimmed and its ISBN normalised before the service sees it', async () => {
    const response = await send('POST', '/books', KINDRED);
    expect(response.statusCode).toBe(201);
    expect(response.headers.location).toBe('/books/7');
    expect(response.headers.etag).toBe('"7.1"');
    expect(response.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(response.headers.deprecation).toBeUndefined();
    expect(response.json()).toEqual(book());
    expect(books.create).toHaveBeenCalledWith({ title: 'Kindred', author: 'Octavia E. Butler', isbn: '9780807083697' });
  });

  it.each([
    [{ author: 'A' }, /title/],
    [{ title: 'T', author: 'A', rating: 5 }, /^property rating should not exist$/],
    [{ title: 'T', author: 'A', isbn: '0-8070-8369-5' }, /^isbn must be a valid ISBN-10 or ISBN-13/],
    [[{ title: 'T', author: 'A' }], /^request body must be a JSON object$/],
    [{ title: 'evil\u202etxt.exe', author: 'A' }, /^title must not contain control characters or bidirectional formatting characters$/],
    [{ title: 'T', author: 'A\u0085B' }, /^author must not contain control characters or bidirectional/],
    [{ title: 'T', author: 'A', description: 'line\nnext\u2067' }, /^description must not contain control characters \(other than tab/],
  ])('%j → 400 in the error shape, never reaching the service', async (payload, message) => {
    const response = await send('POST', '/books', payload);
    expectErrorShape(response, 400, 'Bad Request', expect.stringMatching(message));
    expect(books.create).not.toHaveBeenCalled();
  });

  it.each([
    ['application/x-www-form-urlencoded', 'title=T', 415, 'Unsupported Media Type'],
    ['application/json', '{"title":', 400, 'Bad Request'],
  ])('%s body %s → %d in the error shape', async (contentType, payload, statusCode, error) => {
    const response = await app.inject({ method: 'POST', url: '/books', payload, headers: { 'content-type': contentType } });
    expect(response.statusCode).toBe(statusCode);
    expect(response.json()).toMatchObject({ statusCode, error, message: expect.any(String) });
    expect(books.create).not.toHaveBeenCalled();
  });

  it.each([
    [true, 'true'],
    [false, undefined],
  ])('an Idempotency-Key answered before (%s): Idempotent-Replayed %s, with Location and ETag', async (replayed, header) => {
    idempotency.run.mockResolvedValue({ status: 201, body: book(), location: '/books/7', replayed });
    const response = await send('POST', '/books', KINDRED, { 'idempotency-key': 'key-1' });
    expect(response.statusCode).toBe(201);
    expect(response.headers['idempotent-replayed']).toBe(header);
    expect(response.headers.location).toBe('/books/7');
    expect(response.headers.etag).toBe('"7.1"');
    expect(idempotency.run).toHaveBeenCalledWith('key-1', expect.objectContaining({ title: 'Kindred' }), expect.any(Function));
    expect(books.create).not.toHaveBeenCalled();
  });
});

describe('PUT, PATCH and DELETE /books/:id', () => {
  it('PUT 200 with the new ETag; If-Match reaches the service as the versions it accepts', async () => {
    const response = await send('PUT', '/books/7', { title: 'Replaced', author: 'A' }, { 'if-match': '"7.1"' });
    expect(response.statusCode).toBe(200);
    expect(response.headers.etag).toBe('"7.2"');
    expect(books.replace).toHaveBeenCalledWith(7, { title: 'Replaced', author: 'A' }, { kind: 'versions', versions: [1] });
  });

  it('PATCH 412 in the error shape when the version moved', async () => {
    books.patch.mockRejectedValue(
      new PreconditionFailedException('book 7 was modified since the ETag in If-Match; fetch it again and retry'),
    );
    const response = await send('PATCH', '/books/7', { title: 'x' }, { 'if-match': '"7.0"' });
    expectErrorShape(response, 412, 'Precondition Failed', 'book 7 was modified since the ETag in If-Match; fetch it again and retry');
  });

  it('DELETE 204 with no body; no If-Match means any version', async () => {
    const response = await send('DELETE', '/books/7');
    expect(response.statusCode).toBe(204);
    expect(response.body).toBe('');
    expect(books.remove).toHaveBeenCalledWith(7, { kind: 'none' });
  });

  it('400 for a bad id on every method, never reaching the service', async () => {
    for (const method of ['PUT', 'PATCH', 'DELETE'] as const) {
      const response = await send(method, '/books/1e3', method === 'DELETE' ? undefined : { title: 'T', author: 'A' });
      expectErrorShape(response, 400, 'Bad Request', 'id must be an integer between 1 and 2147483647');
    }
    expect(books.replace).not.toHaveBeenCalled();
    expect(books.patch).not.toHaveBeenCalled();
    expect(books.remove).not.toHaveBeenCalled();
  });
});

describe('the Django-era URLs', () => {
  const deprecated = (response: { headers: Record<string, unknown> }, successor: string) => {
    expect(response.headers.deprecation).toBe(DEPRECATION);
    expect(response.headers.link).toBe(`<${successor}>; rel="successor-version"`);
  };

  it('POST /books/create/ creates like POST /books and names its successor', async () => {
    for (const url of ['/books/create/', '/books/create']) {
      const response = await send('POST', url, KINDRED);
      expect(response.statusCode).toBe(201);
      expect(response.headers.location).toBe('/books/7');
      deprecated(response, '/books');
    }
    expect(books.create).toHaveBeenCalledTimes(2);
  });

  it('PUT /books/<id>/update/ replaces like PUT /books/<id>', async () => {
    const response = await send('PUT', '/books/7/update/', { title: 'Replaced', author: 'A' }, { 'if-match': '"7.1"' });
    expect(response.statusCode).toBe(200);
    expect(response.headers.etag).toBe('"7.2"');
    deprecated(response, '/books/7');
    expect(books.replace).toHaveBeenCalledWith(7, { title: 'Replaced', author: 'A' }, { kind: 'versions', versions: [1] });
  });

  it('DELETE /books/<id>/delete/ deletes like DELETE /books/<id>', async () => {
    const response = await send('DELETE', '/books/7/delete/');
    expect(response.statusCode).toBe(204);
    deprecated(response, '/books/7');
    expect(books.remove).toHaveBeenCalledWith(7, { kind: 'none' });
  });

  it('the new URLs accept a trailing slash too, without deprecation headers', async () => {
    const created = await send('POST', '/books/', KINDRED);
    expect(created.statusCode).toBe(201);
    expect(created.headers.deprecation).toBeUndefined();
    expect((await send('PATCH', '/books/7/', { title: 'x' })).statusCode).toBe(200);
  });

  it('OpenAPI marks exactly the old paths deprecated', async () => {
    const document = (await app.inject({ method: 'GET', url: '/docs/json' })).json() as {
      paths: Record<string, Record<string, { deprecated?: boolean }>>;
    };
    const deprecatedOperations = Object.entries(document.paths).flatMap(([path, operations]) =>
      Object.entries(operations)
        .filter(([, operation]) => operation.deprecated)
        .map(([method]) => `${method.toUpperCase()} ${path}`),
    );
    expect(deprecatedOperations.sort()).toEqual(['DELETE /books/{id}/delete', 'POST /books/create', 'PUT /books/{id}/update']);
  });
});
