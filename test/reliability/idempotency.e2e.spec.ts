import { randomUUID } from 'node:crypto';
import { beforeEach, describe, expect, it } from '@jest/globals';
import { adminClient, sql } from '../support/database.js';
import { json, postJson, servicesOnMigratedDatabase } from '../support/services.js';
import { IdempotencyService } from '../../apps/writer/src/idempotency/idempotency.service.js';

const BOOK = { title: 'The Word for World Is Forest', author: 'Ursula K. Le Guin' };

const stack = servicesOnMigratedDatabase('idempotency', ['writer']);

beforeEach(async () => {
  await sql(stack.database.name, 'TRUNCATE books, idempotency_keys RESTART IDENTITY');
});

const count = async (table: string): Promise<number> =>
  Number((await sql<{ n: string }>(stack.database.name, `SELECT count(*) AS n FROM ${table}`))[0]!.n);

describe('Idempotency-Key on POST /books', () => {
  it('replays the first response (status, body, Location, ETag) for a retry, and creates one book', async () => {
    const key = randomUUID();
    const first = await postJson(`${stack.writer.url}/books`, BOOK, { 'idempotency-key': key });
    const retry = await postJson(`${stack.writer.url}/books`, BOOK, { 'idempotency-key': key });
    expect(first.status).toBe(201);
    expect(retry.status).toBe(201);
    expect(await json(retry)).toEqual(await json(first));
    expect(retry.headers.get('location')).toBe(first.headers.get('location'));
    expect(retry.headers.get('etag')).toBe(first.headers.get('etag'));
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect(await count('books')).toBe(1);
  });

  it('accepts the key as an RFC 8941 string ("…") too, as the same key', async () => {
    const key = randomUUID();
    await postJson(`${stack.writer.url}/books`, BOOK, { 'idempotency-key': `"${key}"` });
    const retry = await postJson(`${stack.writer.url}/books`, BOOK, { 'idempotency-key': key });
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect(await count('books')).toBe(1);
  });

  it('answers 422 when the key is reused with a different body, changing nothing', async () => {
    const key = randomUUID();
    await postJson(`${stack.writer.url}/books`, BOOK, { 'idempotency-key': key });
    const other = await postJson(`${stack.writer.url}/books`, { ...BOOK, title: 'Another title' }, { 'idempotency-key': key });
    expect(other.status).toBe(422);
    expect(await json(other)).toMatchObject({
      statusCode: 422,
      error: 'Unprocessable Entity',
      message: expect.stringMatching(/different request/),
    });
    expect(await count('books')).toBe(1);
  });

  it('lets exactly one of N parallel duplicates create the book; the others get 409 or the replay', async () => {
    const key = randomUUID();
    const attempts = 16;
    const responses = await Promise.all(
      Array.from({ length: attempts }, () => postJson(`${stack.writer.url}/books`, BOOK, { 'idempotency-key': key })),
    );
    const created = responses.filter((response) => response.status === 201 && response.headers.get('idempotent-replayed') !== 'true');
    const conflicts = responses.filter((response) => response.status === 409);
    const replays = responses.filter((response) => response.headers.get('idempotent-replayed') === 'true');
    expect(created).toHaveLength(1);
    expect(conflicts.length + replays.length).toBe(attempts - 1);
    for (const conflict of conflicts) expect((await json(conflict)).message).toMatch(/still in progress/);
    expect(await count('books')).toBe(1);
    expect(await count('idempotency_keys')).toBe(1);
  });

  it('answers 409 at once, without waiting, while a request with the same key is in flight', async () => {
    const key = randomUUID();
    // Hold the key's lock from another session, exactly as an in-flight first request does.
    const holder = adminClient(stack.database.name);
    await holder.connect();
    await holder.query('BEGIN');
    await holder.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [key]);
    try {
      const started = performance.now();
      const response = await postJson(`${stack.writer.url}/books`, BOOK, { 'idempotency-key': key });
      expect(response.status).toBe(409);
      expect(performance.now() - started).toBeLessThan(1000);
    } finally {
      await holder.query('ROLLBACK');
      await holder.end();
    }
    expect(await count('books')).toBe(0);
    expect((await postJson(`${stack.writer.url}/books`, BOOK, { 'idempotency-key': key })).status).toBe(201);
  });

  it.each([
    ['longer than 255 characters', 'k'.repeat(256)],
    ['empty', '""'],
    ['with spaces', 'two words'],
    ['with non-ASCII', 'clé'],
  ])('rejects a key %s with 400 and stores nothing', async (_case, key) => {
    const response = await fetch(`${stack.writer.url}/books`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': key },
      body: JSON.stringify(BOOK),
    });
    expect(response.status).toBe(400);
    expect((await json(response)).message).toMatch(/Idempotency-Key must be 1 to 255 visible ASCII characters/);
    expect(await count('books')).toBe(0);
  });

  it('accepts a 255-character key', async () => {
    expect((await postJson(`${stack.writer.url}/books`, BOOK, { 'idempotency-key': 'k'.repeat(255) })).status).toBe(201);
  });

  it('without a key, two identical POSTs create two books', async () => {
    await postJson(`${stack.writer.url}/books`, BOOK);
    await postJson(`${stack.writer.url}/books`, BOOK);
    expect(await count('books')).toBe(2);
  });

  it('does not save the key when the request fails, so a corrected retry runs', async () => {
    const key = randomUUID();
    await postJson(`${stack.writer.url}/books`, { ...BOOK, isbn: '9780441172719' });
    const conflict = await postJson(
      `${stack.writer.url}/books`,
      { ...BOOK, title: 'Dup', isbn: '9780441172719' },
      { 'idempotency-key': key },
    );
    expect(conflict.status).toBe(409);
    expect(await count('idempotency_keys')).toBe(0);
    const invalid = await postJson(`${stack.writer.url}/books`, { title: '' }, { 'idempotency-key': key });
    expect(invalid.status).toBe(400);
    expect(await count('idempotency_keys')).toBe(0);
  });

  it('treats an expired key as new, and the purge deletes expired records', async () => {
    const key = randomUUID();
    await postJson(`${stack.writer.url}/books`, BOOK, { 'idempotency-key': key });
    await sql(stack.database.name, `UPDATE idempotency_keys SET created_at = now() - interval '25 hours'`);
    const again = await postJson(`${stack.writer.url}/books`, { ...BOOK, title: 'New after expiry' }, { 'idempotency-key': key });
    expect(again.status).toBe(201);
    expect(again.headers.get('idempotent-replayed')).toBeNull();
    expect(await count('books')).toBe(2);

    await sql(
      stack.database.name,
      `INSERT INTO idempotency_keys (key, request_hash, response_code, response_body, created_at)
      VALUES ('old-1', repeat('0', 64), 201, '{}', now() - interval '30 hours'), ('fresh-1', repeat('0', 64), 201, '{}', now())`,
    );
    const purged = await stack.writer.app.get(IdempotencyService).purgeExpired();
    expect(purged).toBe(1);
    const keys = await sql<{ key: string }>(stack.database.name, 'SELECT key FROM idempotency_keys ORDER BY key');
    expect(keys.map((row) => row.key)).toEqual(['fresh-1', key].sort());
  });
});
