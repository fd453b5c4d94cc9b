import { NotFoundException } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { afterAll, beforeAll, beforeEach, describe, expect, it, jest } from '@jest/globals';
import type { BookView } from '#libs/contracts';
import { controllerApp, expectErrorShape } from '../../../../test/support/controller-app.js';
import { readerService } from '../reader.module.js';
import { BooksQueryService } from './books-query.service.js';
import { BooksController } from './books.controller.js';
import type { ListBooksQueryDto } from './dto/list-books-query.dto.js';

/** The reader's HTTP surface through the production app wiring, with the query service mocked: no PostgreSQL. */

const DUNE: BookView = {
  id: 1,
  title: 'Dune',
  author: 'Frank Herbert',
  description: '',
  isbn: '9780441172719',
  version: 3,
  createdAt: '2026-11-27T12:00:00.000Z',
  updatedAt: '2026-11-28T12:00:00.000Z',
};

const books = {
  list: jest.fn<(query: ListBooksQueryDto) => Promise<unknown>>(),
  get: jest.fn<(id: number) => Promise<BookView>>(),
};
let app: NestFastifyApplication;

beforeAll(async () => {
  app = await controllerApp(readerService, [BooksController], [{ provide: BooksQueryService, useValue: books }]);
});
afterAll(async () => {
  await app?.close();
});
beforeEach(() => {
  books.list.mockReset().mockResolvedValue({ items: [DUNE], nextCursor: null });
  books.get.mockReset().mockImplementation(async (id) => {
    if (id !== 1) throw new NotFoundException(`book ${id} not found`);
    return DUNE;
  });
});

const get = (url: string, headers: Record<string, string> = {}) => app.inject({ method: 'GET', url, headers });

describe('GET /books', () => {
  it('200 JSON page, the query validated into the DTO with its default limit', async () => {
    const response = await get('/books?author=Frank%20Herbert');
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(response.json()).toEqual({ items: [DUNE], nextCursor: null });
    expect(books.list).toHaveBeenCalledWith(expect.objectContaining({ limit: 20, author: 'Frank Herbert' }));
  });

  it('accepts the trailing slash of the Django URLs', async () => {
    expect((await get('/books/')).statusCode).toBe(200);
    expect((await get('/books/?limit=5')).statusCode).toBe(200);
    expect(books.list).toHaveBeenLastCalledWith(expect.objectContaining({ limit: 5 }));
  });

  it.each([
    ['/books?limit=0', 'limit must be an integer between 1 and 100'],
    ['/books?limit=abc', 'limit must be an integer between 1 and 100'],
    ['/books?foo=1', 'property foo should not exist'],
    ['/books?q=', 'q must be longer than or equal to 1 characters'],
    ['/books?q=evil%E2%80%AEtxt', 'q must not contain control characters or bidirectional formatting characters'],
    ['/books?author=Le%C2%85Guin', 'author must not contain control characters or bidirectional formatting characters'],
  ])('%s → 400 in the error shape, never reaching the service', async (url, message) => {
    const response = await get(url);
    expectErrorShape(response, 400, 'Bad Request', message);
    expect(response.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(books.list).not.toHaveBeenCalled();
  });

  it('a database outage is a retryable 503, not a 500', async () => {
    books.list.mockRejectedValue(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }));
    const response = await get('/books');
    expectErrorShape(response, 503, 'Service Unavailable', 'The database is unavailable; retry shortly');
    expect(response.headers['retry-after']).toBe('1');
  });
});

describe('GET /books/:id', () => {
  it('200 with a strong ETag and no-cache, with or without the trailing slash', async () => {
    for (const url of ['/books/1', '/books/1/']) {
      const response = await get(url);
      expect(response.statusCode).toBe(200);
      expect(response.headers.etag).toBe('"1.3"');
      expect(response.headers['cache-control']).toBe('no-cache');
      expect(response.json()).toEqual(DUNE);
    }
    expect(books.get).toHaveBeenCalledWith(1);
  });

  it('304 with the ETag and an empty body for a matching If-None-Match (weak or listed too); 200 for another', async () => {
    for (const tag of ['"1.3"', 'W/"1.3"', '"1.2", "1.3"', '*']) {
      const response = await get('/books/1', { 'if-none-match': tag });
      expect(response.statusCode).toBe(304);
      expect(response.headers.etag).toBe('"1.3"');
      expect(response.body).toBe('');
    }
    expect((await get('/books/1', { 'if-none-match': '"1.2"' })).statusCode).toBe(200);
  });

  it('404 in the error shape', async () => {
    const response = await get('/books/2');
    expectErrorShape(response, 404, 'Not Found', 'book 2 not found');
  });

  it.each(['0', 'abc', '1.5', '99999999999999999999'])('400 for id %s, never reaching the service', async (id) => {
    const response = await get(`/books/${id}`);
    expectErrorShape(response, 400, 'Bad Request', 'id must be an integer between 1 and 2147483647');
    expect(books.get).not.toHaveBeenCalled();
  });
});

describe('the rest of the surface', () => {
  it('has no write routes: 404 in the error shape', async () => {
    const response = await app.inject({ method: 'POST', url: '/books', payload: { title: 'T', author: 'A' } });
    expectErrorShape(response, 404, 'Not Found', 'Cannot POST /books');
  });

  it('echoes a safe X-Request-Id and sends the security headers', async () => {
    const response = await get('/books', { 'x-request-id': 'req-1' });
    expect(response.headers['x-request-id']).toBe('req-1');
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.headers['x-powered-by']).toBeUndefined();
  });
});
