import { beforeEach, describe, expect, it } from '@jest/globals';
import { expectWith } from '../support/expect-with.js';
import { sql } from '../support/database.js';
import { expectErrorResponse, json, postJson, sendJson, servicesOnMigratedDatabase } from '../support/services.js';

const DUNE = { title: 'Dune', author: 'Frank Herbert', description: 'Spice.', isbn: '0-441-17271-7' };

const stack = servicesOnMigratedDatabase('writer', ['writer', 'reader']);

beforeEach(async () => {
  await sql(stack.database.name, 'TRUNCATE books, idempotency_keys RESTART IDENTITY');
});

async function createBook(body: Record<string, unknown> = DUNE): Promise<{ id: number; etag: string; book: any }> {
  const response = await postJson(`${stack.writer.url}/books`, body);
  expect(response.status).toBe(201);
  const book = await json(response);
  return { id: book.id, etag: response.headers.get('etag')!, book };
}

async function bookCount(): Promise<number> {
  const [row] = await sql<{ count: string }>(stack.database.name, 'SELECT count(*) FROM books');
  return Number(row!.count);
}

describe('POST /books', () => {
  it('creates a book: 201, Location, ETag, ISBN-10 stored as ISBN-13, trimmed text', async () => {
    const response = await postJson(`${stack.writer.url}/books`, { ...DUNE, title: '  Dune  ' });
    expect(response.status).toBe(201);
    const book = await json(response);
    expect(book).toMatchObject({ title: 'Dune', author: 'Frank Herbert', description: 'Spice.', isbn: '9780441172719', version: 1 });
    expect(Number.isInteger(book.id)).toBe(true);
    expect(new Date(book.createdAt).toISOString()).toBe(book.createdAt);
    expect(response.headers.get('location')).toBe(`/books/${book.id}`);
    expect(response.headers.get('etag')).toBe(`"${book.id}.1"`);

    const fetched = await fetch(`${stack.reader.url}${response.headers.get('location')}`);
    expect(await json(fetched)).toEqual(book);
  });

  it('defaults description to "" and isbn to null', async () => {
    const { book } = await createBook({ title: 'Untitled', author: 'Anon' });
    expect(book).toMatchObject({ description: '', isbn: null });
  });

  it('refuses a second book with the same ISBN, even written as ISBN-10 vs ISBN-13 (409)', async () => {
    await createBook();
    const response = await postJson(`${stack.writer.url}/books`, { title: 'Dune (again)', author: 'F. H.', isbn: '978-0-441-17271-9' });
    expect(response.status).toBe(409);
    expect(await json(response)).toMatchObject({ statusCode: 409, error: 'Conflict', message: expect.stringContaining('isbn') });
    expect(await bookCount()).toBe(1);
  });

  const badBodies: Array<[string, unknown, RegExp]> = [
    ['missing title', { author: 'A' }, /title/],
    ['empty title', { title: '', author: 'A' }, /title should not be empty/],
    ['blank title', { title: '   ', author: 'A' }, /title should not be empty/],
    ['title too long', { title: 'x'.repeat(201), author: 'A' }, /title must be shorter than or equal to 200/],
    ['author too long', { title: 'T', author: 'x'.repeat(101) }, /author must be shorter/],
    ['description too long', { title: 'T', author: 'A', description: 'x'.repeat(2001) }, /description must be shorter/],
    ['number as title', { title: 42, author: 'A' }, /title must be a string/],
    ['object as author', { title: 'T', author: { $ne: 1 } }, /author must be a string/],
    ['array as title', { title: ['a'], author: 'A' }, /title must be a string/],
    ['NUL in title', { title: 'a\u0000b', author: 'A' }, /title must not contain control characters/],
    [
      'right-to-left override in title',
      { title: 'invoice\u202Eexe.pdf', author: 'A' },
      /^title must not contain control characters or bidirectional formatting characters$/,
    ],
    ['first-strong isolate in author', { title: 'T', author: 'A\u2068B' }, /^author must not contain control characters or bidirectional/],
    ['C1 control (NEL) in author', { title: 'T', author: 'A\u0085B' }, /^author must not contain control characters/],
    [
      'Arabic letter mark in description',
      { title: 'T', author: 'A', description: 'x\u061Cy' },
      /^description must not contain control characters/,
    ],
    ['left-to-right mark in title', { title: 'a\u200Eb', author: 'A' }, /^title must not contain/],
    ['unknown field', { title: 'T', author: 'A', rating: 5 }, /property rating should not exist/],
    ['client-chosen id', { id: 7, title: 'T', author: 'A' }, /property id should not exist/],
    ['client-chosen version', { title: 'T', author: 'A', version: 9 }, /property version should not exist/],
    ['bad ISBN checksum', { title: 'T', author: 'A', isbn: '0-441-17271-8' }, /isbn must be a valid ISBN/],
    ['ISBN of letters', { title: 'T', author: 'A', isbn: 'abcdefghij' }, /isbn must be a valid ISBN/],
    ['ISBN as number', { title: 'T', author: 'A', isbn: 441172717 }, /isbn must be a valid ISBN/],
    ['JSON array', [{ title: 'T', author: 'A' }], /request body must be a JSON object/],
    ['JSON string', 'T', /request body must be a JSON object/],
    ['JSON null', null, /request body must be a JSON object/],
  ];
  it.each(badBodies)('rejects %s with a 400 naming the field, and stores nothing', async (_case, body, message) => {
    const response = await postJson(`${stack.writer.url}/books`, body);
    await expectErrorResponse(response, 400, 'Bad Request', expect.stringMatching(message));
    expect(await bookCount()).toBe(0);
  });

  it('answers malformed JSON, empty bodies, wrong content types, prototype poisoning and oversized bodies with 4xx JSON', async () => {
    const post = (body: string, contentType?: string) =>
      fetch(`${stack.writer.url}/books`, { method: 'POST', headers: contentType ? { 'content-type': contentType } : {}, body });
    const cases: Array<[Response, number]> = [
      [await post('{"title": "T",', 'application/json'), 400],
      [await post('', 'application/json'), 400],
      [await post('title=T&author=A', 'application/x-www-form-urlencoded'), 415],
      [await post('T', 'text/plain'), 415],
      [await post('{"title":"T","author":"A","__proto__":{"admin":true}}', 'application/json'), 400],
      [await post('{"title":"T","author":"A","constructor":{"prototype":{"admin":true}}}', 'application/json'), 400],
      [await post(JSON.stringify({ title: 'T', author: 'A', description: 'x'.repeat(70_000) }), 'application/json'), 413],
    ];
    for (const [response, status] of cases) {
      expect(response.status).toBe(status);
      expect(await json(response)).toMatchObject({ statusCode: status, error: expect.any(String), message: expect.any(String) });
    }
    expect(await bookCount()).toBe(0);
  });
});

describe('PUT and PATCH /books/:id', () => {
  it('PUT replaces every field, resets omitted optional ones and bumps the version', async () => {
    const { id } = await createBook();
    const response = await sendJson('PUT', `${stack.writer.url}/books/${id}`, { title: 'Dune Messiah', author: 'Frank Herbert' });
    expect(response.status).toBe(200);
    const book = await json(response);
    expect(book).toMatchObject({ id, title: 'Dune Messiah', description: '', isbn: null, version: 2 });
    expect(response.headers.get('etag')).toBe(`"${id}.2"`);
    expect(new Date(book.updatedAt).getTime()).toBeGreaterThanOrEqual(new Date(book.createdAt).getTime());
  });

  it('PATCH changes only the given fields', async () => {
    const { id } = await createBook();
    const response = await sendJson('PATCH', `${stack.writer.url}/books/${id}`, { description: 'Desert planet.' });
    expect(response.status).toBe(200);
    expect(await json(response)).toMatchObject({ title: 'Dune', isbn: '9780441172719', description: 'Desert planet.', version: 2 });
  });

  it('PATCH with isbn null clears it; an empty PATCH is a 400', async () => {
    const { id } = await createBook();
    const cleared = await sendJson('PATCH', `${stack.writer.url}/books/${id}`, { isbn: null });
    expect(await json(cleared)).toMatchObject({ isbn: null });
    const empty = await sendJson('PATCH', `${stack.writer.url}/books/${id}`, {});
    expect(empty.status).toBe(400);
    expect((await json(empty)).message).toMatch(/at least one of: title, author, description, isbn/);
  });

  it.each(['title', 'author', 'description'])('PATCH refuses %s: null with 400 and changes nothing', async (field) => {
    const { id } = await createBook();
    const response = await sendJson('PATCH', `${stack.writer.url}/books/${id}`, { [field]: null });
    expect(response.status).toBe(400);
    expect((await json(response)).message).toBe(`${field} must not be null`);
    const [row] = await sql(stack.database.name, 'SELECT version FROM books WHERE id = $1', [id]);
    expect(row).toEqual({ version: 1 });
  });

  it('PUT needs the full book; PATCH validates what it is given', async () => {
    const { id } = await createBook();
    expect((await sendJson('PUT', `${stack.writer.url}/books/${id}`, { title: 'Only a title' })).status).toBe(400);
    expect((await sendJson('PATCH', `${stack.writer.url}/books/${id}`, { title: '' })).status).toBe(400);
    expect((await sendJson('PATCH', `${stack.writer.url}/books/${id}`, { extra: 1 })).status).toBe(400);
    const [row] = await sql(stack.database.name, 'SELECT title, version FROM books WHERE id = $1', [id]);
    expect(row).toEqual({ title: 'Dune', version: 1 });
  });

  it('404 for a missing book, 409 for an ISBN that belongs to another book', async () => {
    expect((await sendJson('PATCH', `${stack.writer.url}/books/999`, { title: 'X' })).status).toBe(404);
    expect((await sendJson('PUT', `${stack.writer.url}/books/999`, { title: 'X', author: 'Y' })).status).toBe(404);
    await createBook();
    const { id: other } = await createBook({ title: 'Other', author: 'O' });
    const response = await sendJson('PATCH', `${stack.writer.url}/books/${other}`, { isbn: '9780441172719' });
    expect(response.status).toBe(409);
  });
});

describe('text fields (control and bidi characters)', () => {
  it('keeps line breaks and tabs in a description, and text in any script', async () => {
    const { book } = await createBook({ title: 'שלום עולם', author: 'نجيب محفوظ', description: 'one\ttwo\r\nthree' });
    expect(book).toMatchObject({ title: 'שלום עולם', author: 'نجيب محفوظ', description: 'one\ttwo\r\nthree' });
  });

  it.each([
    ['PUT', 'title', { ...DUNE, title: 'Dune\u202E' }],
    ['PATCH', 'author', { author: 'Frank\u2066 Herbert' }],
    ['PATCH', 'description', { description: 'a\u009Bb' }],
  ])('%s with a bidi or C1 control in %s is a 400 naming it, and the book is unchanged', async (method, field, body) => {
    const { id, book } = await createBook();
    const response = await sendJson(method, `${stack.writer.url}/books/${id}`, body);
    expect(response.status).toBe(400);
    expect((await json(response)).message).toMatch(new RegExp(`^${field} must not contain control characters`));
    expect(await json(await fetch(`${stack.reader.url}/books/${id}`))).toEqual(book);
  });
});

describe('If-Match (optimistic concurrency)', () => {
  it('applies a write whose If-Match is current and refuses a stale one with 412', async () => {
    const { id, etag } = await createBook();
    const first = await sendJson('PATCH', `${stack.writer.url}/books/${id}`, { title: 'First' }, { 'if-match': etag });
    expect(first.status).toBe(200);
    const stale = await sendJson('PATCH', `${stack.writer.url}/books/${id}`, { title: 'Second' }, { 'if-match': etag });
    expect(stale.status).toBe(412);
    expect(await json(stale)).toMatchObject({ statusCode: 412, error: 'Precondition Failed' });
    const staleDelete = await fetch(`${stack.writer.url}/books/${id}`, { method: 'DELETE', headers: { 'if-match': etag } });
    expect(staleDelete.status).toBe(412);
    const [row] = await sql(stack.database.name, 'SELECT title, version FROM books WHERE id = $1', [id]);
    expect(row).toEqual({ title: 'First', version: 2 });
  });

  it('uses the ETag the reader sends, accepts "*" and lists, never weak or foreign tags', async () => {
    const { id } = await createBook();
    const etag = (await fetch(`${stack.reader.url}/books/${id}`)).headers.get('etag')!;
    expect((await sendJson('PATCH', `${stack.writer.url}/books/${id}`, { title: 'A' }, { 'if-match': `W/${etag}` })).status).toBe(412);
    expect((await sendJson('PATCH', `${stack.writer.url}/books/${id}`, { title: 'A' }, { 'if-match': `"${id + 1}.1"` })).status).toBe(412);
    expect((await sendJson('PATCH', `${stack.writer.url}/books/${id}`, { title: 'A' }, { 'if-match': 'garbage' })).status).toBe(412);
    expect((await sendJson('PATCH', `${stack.writer.url}/books/${id}`, { title: 'A' }, { 'if-match': `"${id}.9", ${etag}` })).status).toBe(
      200,
    );
    expect((await sendJson('PATCH', `${stack.writer.url}/books/${id}`, { title: 'B' }, { 'if-match': '*' })).status).toBe(200);
    expect((await sendJson('PATCH', `${stack.writer.url}/books/999`, { title: 'B' }, { 'if-match': '*' })).status).toBe(404);
  });

  it('lets exactly one of N parallel PATCHes with the same ETag win', async () => {
    const { id, etag } = await createBook();
    const attempts = 20;
    const responses = await Promise.all(
      Array.from({ length: attempts }, (_, i) =>
        sendJson('PATCH', `${stack.writer.url}/books/${id}`, { title: `Writer ${i}` }, { 'if-match': etag }),
      ),
    );
    const statuses = responses.map((response) => response.status).sort();
    expect(statuses.filter((status) => status === 200)).toHaveLength(1);
    expect(statuses.filter((status) => status === 412)).toHaveLength(attempts - 1);
    const winner = await json(responses.find((response) => response.status === 200)!);
    const [row] = await sql(stack.database.name, 'SELECT title, version FROM books WHERE id = $1', [id]);
    expect(row).toEqual({ title: winner.title, version: 2 });
  });
});

describe('DELETE /books/:id', () => {
  it('deletes (204, no body), then 404', async () => {
    const { id, etag } = await createBook();
    const response = await fetch(`${stack.writer.url}/books/${id}`, { method: 'DELETE', headers: { 'if-match': etag } });
    expect(response.status).toBe(204);
    expect(await response.text()).toBe('');
    expect((await fetch(`${stack.writer.url}/books/${id}`, { method: 'DELETE' })).status).toBe(404);
    expect((await fetch(`${stack.reader.url}/books/${id}`)).status).toBe(404);
  });
});

describe('ids', () => {
  const badIds = ['0', '-1', '1.5', '1e3', '0x10', '%201', '1abc', '99999999999999999999', '2147483648', 'abc', '01'];
  it.each(badIds)('rejects id %s with 400 on every method', async (badId) => {
    for (const [method, body] of [
      ['PUT', { title: 'T', author: 'A' }],
      ['PATCH', { title: 'T' }],
      ['DELETE', undefined],
    ] as const) {
      const response = await fetch(`${stack.writer.url}/books/${badId}`, {
        method,
        headers: body ? { 'content-type': 'application/json' } : {},
        body: body ? JSON.stringify(body) : undefined,
      });
      expectWith(response.status, `${method} ${badId}`).toBe(400);
      expect((await json(response)).message).toMatch(/id must be an integer between 1 and 2147483647/);
    }
  });
  it('accepts the largest id and answers 404', async () => {
    expect((await sendJson('PATCH', `${stack.writer.url}/books/2147483647`, { title: 'T' })).status).toBe(404);
  });
});
