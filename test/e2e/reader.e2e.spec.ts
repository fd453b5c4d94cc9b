import { beforeEach, describe, expect, it } from '@jest/globals';
import { adminClient, sql } from '../support/database.js';
import { expectErrorResponse, json, postJson, servicesOnMigratedDatabase, startService } from '../support/services.js';

const stack = servicesOnMigratedDatabase('reader', ['reader', 'writer']);

beforeEach(async () => {
  await sql(stack.database.name, 'TRUNCATE books RESTART IDENTITY');
});

async function seed(books: Array<{ title: string; author: string }>): Promise<void> {
  for (const book of books) await sql(stack.database.name, 'INSERT INTO books (title, author) VALUES ($1, $2)', [book.title, book.author]);
}

async function page(query: string): Promise<{ status: number; body: any }> {
  const response = await fetch(`${stack.reader.url}/books${query}`);
  return { status: response.status, body: await json(response) };
}

async function readAll(query: string, limit: number, between?: (pageIndex: number) => Promise<void>): Promise<any[]> {
  const items: any[] = [];
  let cursor: string | null = null;
  for (let pageIndex = 0; pageIndex < 1000; pageIndex++) {
    const separator = query ? '&' : '';
    const { status, body } = await page(`?${query}${separator}limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`);
    expect(status).toBe(200);
    items.push(...body.items);
    cursor = body.nextCursor;
    if (!cursor) return items;
    await between?.(pageIndex);
  }
  throw new Error('pagination did not end');
}

describe('GET /books', () => {
  it('returns an empty page with a null cursor on an empty table', async () => {
    expect(await page('')).toEqual({ status: 200, body: { items: [], nextCursor: null } });
  });

  it('pages through every book exactly once, in id order, with the default limit of 20', async () => {
    await seed(Array.from({ length: 45 }, (_, i) => ({ title: `Book ${i + 1}`, author: `Author ${i % 3}` })));
    const first = await page('');
    expect(first.body.items).toHaveLength(20);
    expect(first.body.items[0]).toMatchObject({ id: 1, title: 'Book 1', description: '', isbn: null, version: 1 });
    const all = await readAll('', 7);
    expect(all.map((book) => book.id)).toEqual(Array.from({ length: 45 }, (_, i) => i + 1));
  });

  it('has no next cursor when the last page is exactly full', async () => {
    await seed(Array.from({ length: 10 }, (_, i) => ({ title: `B${i}`, author: 'A' })));
    const { body } = await page('?limit=10');
    expect(body.items).toHaveLength(10);
    expect(body.nextCursor).toBeNull();
  });

  it('neither skips nor repeats rows when books are inserted and deleted between pages', async () => {
    await seed(Array.from({ length: 30 }, (_, i) => ({ title: `Seed ${i}`, author: 'A' })));
    const seen = await readAll('', 8, async (pageIndex) => {
      await postJson(`${stack.writer.url}/books`, { title: `Inserted during page ${pageIndex}`, author: 'A' });
      await fetch(`${stack.writer.url}/books/${pageIndex + 1}`, { method: 'DELETE' }); // already read: must not shift later pages
    });
    const ids = seen.map((book) => book.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    // every seed row still present when its page was read is in the result, plus the rows inserted while paging
    for (let id = 1; id <= 30; id++) expect(ids).toContain(id);
    expect(seen.filter((book) => book.title.startsWith('Inserted')).length).toBeGreaterThan(0);
  });

  it('filters by author, case-insensitively, across pages', async () => {
    await seed(Array.from({ length: 25 }, (_, i) => ({ title: `T${i}`, author: i % 2 ? 'Ursula K. Le Guin' : 'Iain M. Banks' })));
    const all = await readAll('author=ursula%20k.%20le%20guin', 5);
    expect(all).toHaveLength(12);
    expect(all.every((book) => book.author === 'Ursula K. Le Guin')).toBe(true);
  });

  // docs/http-contract.md#search: q is words (stemmed, accents folded, stop words dropped), no longer a substring.
  it('searches the words of title and author with q; punctuation and parts of words match nothing', async () => {
    await seed([
      { title: 'The Dispossessed', author: 'Ursula K. Le Guin' },
      { title: 'Dune', author: 'Frank Herbert' },
      { title: '100% Pure', author: 'Someone' },
      { title: '100 Pure', author: 'Someone_else' },
    ]);
    const titles = async (q: string) => (await page(`?q=${encodeURIComponent(q)}`)).body.items.map((book: any) => book.title);
    expect(await titles('dispossessed')).toEqual(['The Dispossessed']);
    expect(await titles('dispos')).toEqual([]); // a substring matched before the full-text search
    expect(await titles('HERBERT')).toEqual(['Dune']);
    expect(await titles('le guin')).toEqual(['The Dispossessed']);
    expect(await titles('100%')).toEqual(['100% Pure', '100 Pure']);
    expect(await titles('e_e')).toEqual([]);
    expect(await titles('nothing like this')).toEqual([]);
    expect(await titles("' OR 'x'='x")).toEqual([]);
  });

  it('pages a search with a cursor that only that search accepts', async () => {
    await seed(Array.from({ length: 9 }, (_, i) => ({ title: `River ${i}`, author: i % 3 ? 'A' : 'River' })));
    const all = await readAll('q=river', 2);
    expect(all.map((book) => book.id)).toEqual([1, 4, 7, 2, 3, 5, 6, 8, 9]); // author "River" first, then the titles
    const { body } = await page('?q=river&limit=2');
    expect((await page(`?q=rivers&limit=2&cursor=${body.nextCursor}`)).status).toBe(400);
    expect((await page(`?limit=2&cursor=${body.nextCursor}`)).status).toBe(400);
    const forged = JSON.parse(Buffer.from(body.nextCursor, 'base64url').toString());
    const tampered = Buffer.from(JSON.stringify({ ...forged, t: 2 })).toString('base64url');
    expect(await page(`?q=river&limit=2&cursor=${tampered}`)).toEqual({
      status: 400,
      body: {
        statusCode: 400,
        error: 'Bad Request',
        message: 'cursor is invalid or was issued for different filters',
        requestId: expect.any(String),
      },
    });
  });

  const badQueries: Array<[string, RegExp]> = [
    ['?limit=0', /limit must be an integer between 1 and 100/],
    ['?limit=1000', /limit must be an integer between 1 and 100/],
    ['?limit=-1', /limit must be an integer between 1 and 100/],
    ['?limit=abc', /limit must be an integer between 1 and 100/],
    ['?limit=1.5', /limit must be an integer between 1 and 100/],
    ['?limit=1&limit=2', /limit must be an integer between 1 and 100/],
    ['?foo=1', /property foo should not exist/],
    ['?cursor=not-a-cursor', /cursor is invalid/],
    ['?cursor=%27%20OR%201%3D1--', /cursor is invalid/],
    [`?cursor=${Buffer.from('{"v":1,"after":-5,"f":"x"}').toString('base64url')}`, /cursor is invalid/],
    [`?cursor=${'A'.repeat(300)}`, /cursor must be shorter than or equal to 200/],
    [`?q=${'x'.repeat(101)}`, /q must be shorter than or equal to 100/],
    ['?q=', /q must be longer than or equal to 1/],
    ['?q=a%00b', /q must not contain control characters/],
    ['?q=a%E2%80%AEb', /^q must not contain control characters or bidirectional formatting characters$/],
    ['?q=a%C2%9Bb', /^q must not contain control characters/],
    ['?author=Le%E2%81%A7Guin', /^author must not contain control characters or bidirectional formatting characters$/],
    ['?q=one%20two%20three%20four%20five%20six%20seven%20eight%20nine', /q must have at most 8 words/],
    ['?author[$ne]=x', /author/],
  ];
  it.each(badQueries)('rejects %s with 400', async (query, message) => {
    const { status, body } = await page(query);
    expect(status).toBe(400);
    expect(body).toEqual({ statusCode: 400, error: 'Bad Request', message: expect.stringMatching(message), requestId: expect.any(String) });
  });

  it('refuses a cursor issued for other filters', async () => {
    await seed(Array.from({ length: 5 }, (_, i) => ({ title: `T${i}`, author: 'A' })));
    const { body } = await page('?limit=2&author=A');
    expect(body.nextCursor).toEqual(expect.any(String));
    expect((await page(`?limit=2&cursor=${body.nextCursor}`)).status).toBe(400);
    expect((await page(`?limit=2&author=a&cursor=${body.nextCursor}`)).status).toBe(200);
  });
});

describe('GET /books/:id', () => {
  it('returns the book with a strong ETag, and 304 for a matching If-None-Match', async () => {
    await seed([{ title: 'Dune', author: 'Frank Herbert' }]);
    const response = await fetch(`${stack.reader.url}/books/1`);
    expect(response.status).toBe(200);
    const etag = response.headers.get('etag');
    expect(etag).toBe('"1.1"');
    const notModified = await fetch(`${stack.reader.url}/books/1`, { headers: { 'if-none-match': etag! } });
    expect(notModified.status).toBe(304);
    expect(await notModified.text()).toBe('');
    expect((await fetch(`${stack.reader.url}/books/1`, { headers: { 'if-none-match': `W/${etag}` } })).status).toBe(304);
    expect((await fetch(`${stack.reader.url}/books/1`, { headers: { 'if-none-match': '"1.0"' } })).status).toBe(200);

    await fetch(`${stack.writer.url}/books/1`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      body: '{"title":"Dune!"}',
    });
    const changed = await fetch(`${stack.reader.url}/books/1`, { headers: { 'if-none-match': etag! } });
    expect(changed.status).toBe(200);
    expect(changed.headers.get('etag')).toBe('"1.2"');
  });

  it('404 with the error shape for a missing book', async () => {
    const response = await fetch(`${stack.reader.url}/books/42`);
    await expectErrorResponse(response, 404, 'Not Found', 'book 42 not found');
  });

  it.each(['0', '-1', '1.5', '1e3', '0x10', '%201', '1abc', '99999999999999999999', 'abc'])('400 for id %s', async (id) => {
    const response = await fetch(`${stack.reader.url}/books/${id}`);
    expect(response.status).toBe(400);
    expect((await json(response)).message).toMatch(/id must be an integer/);
  });

  it('the reader has no write routes', async () => {
    expect((await postJson(`${stack.reader.url}/books`, { title: 'T', author: 'A' })).status).toBe(404);
    expect((await fetch(`${stack.reader.url}/books/1`, { method: 'DELETE' })).status).toBe(404);
  });
});

describe('read-only sessions', () => {
  it('a write through the reader’s own connection pool fails in PostgreSQL', async () => {
    const { Database } = await import('#libs/persistence');
    const { pool } = stack.reader.app.get(Database);
    await expect(pool.query(`INSERT INTO books (title, author) VALUES ('x', 'y')`)).rejects.toThrow(/read-only transaction/);
    await expect(pool.query(`DELETE FROM books`)).rejects.toThrow(/read-only transaction/);
    const [row] = await sql<{ count: string }>(stack.database.name, 'SELECT count(*) FROM books');
    expect(row!.count).toBe('0');
  });

  it('the reader connects to DB_READ_HOST when it is set', async () => {
    // A replica address that does not exist: start-up must fail on it rather than silently use DB_HOST.
    await expect(startService('reader', stack.database.name, { DB_READ_HOST: '127.0.0.2', DB_PORT: '1' })).rejects.toThrow(
      /127\.0\.0\.2:1/,
    );
  });

  it('identifies its sessions as library-reader in pg_stat_activity', async () => {
    const client = adminClient(stack.database.name);
    await client.connect();
    await fetch(`${stack.reader.url}/books`);
    const { rows } = await client.query(
      `SELECT DISTINCT application_name FROM pg_stat_activity WHERE datname = $1 AND application_name LIKE 'library-%'`,
      [stack.database.name],
    );
    await client.end();
    expect(rows.map((row) => row.application_name).sort()).toEqual(['library-reader', 'library-writer']);
  });
});
