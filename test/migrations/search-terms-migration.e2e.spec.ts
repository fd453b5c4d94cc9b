import pg from 'pg';
import type { QueryRunner } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { migrations } from '#libs/persistence';
import { adminClient, createMigratedDatabase, sql, type TestDatabase } from '../support/database.js';

/**
 * Migration CreateBookSearchTerms runs outside a transaction (`transaction = false`: each backfill batch
 * commits on its own), so it must be safe to run again from the start after any interruption, and its
 * backfill must index the books that existed before its triggers, batch after batch.
 */
let database: TestDatabase;
let client: pg.Client;
const Migration = migrations.find((candidate) => candidate.name === 'CreateBookSearchTerms1764230700000')!;
const migration = new Migration();
/** The migration only sends SQL through `query`: a pg client stands in for TypeORM's runner. */
const runner = { query: async (text: string, params?: unknown[]) => (await client.query(text, params)).rows } as unknown as QueryRunner;

beforeAll(async () => {
  database = await createMigratedDatabase('search_migration');
  client = adminClient(database.name);
  await client.connect();
});
afterAll(async () => {
  await client?.end();
  await database?.drop();
});

/** Rows in book_search_terms the books do not have, and the other way round. */
async function drift(): Promise<number> {
  const [row] = await sql<{ n: number }>(
    database.name,
    `SELECT count(*)::int AS n FROM (
       (SELECT lexeme, book_id FROM book_search_terms
        EXCEPT SELECT lexeme, id FROM books, unnest(book_search_lexemes(title, author)) AS lexeme)
       UNION ALL
       (SELECT lexeme, id FROM books, unnest(book_search_lexemes(title, author)) AS lexeme
        EXCEPT SELECT lexeme, book_id FROM book_search_terms)) AS d`,
  );
  return row!.n;
}
const count = async (table: string) => (await sql<{ n: number }>(database.name, `SELECT count(*)::int AS n FROM ${table}`))[0]!.n;

describe('CreateBookSearchTerms', () => {
  it('backfills the books that were there before it, in batches (50,000 books: three batches)', async () => {
    await migration.down(runner);
    expect(await sql(database.name, `SELECT to_regclass('book_search_terms') AS t`)).toEqual([{ t: null }]);
    await sql(
      database.name,
      `INSERT INTO books (title, author) SELECT 'Título ' || g || ' of the rivers', 'Author ' || (g % 100) FROM generate_series(1, 50000) g`,
    );
    await migration.up(runner);
    expect(await count('book_search_terms')).toBeGreaterThan(150_000);
    expect(await drift()).toBe(0);
  }, 120_000);

  it('runs again from the start after an interrupted backfill and after a complete run, changing nothing twice', async () => {
    // An interrupted run: the last batches never committed.
    await sql(database.name, 'DELETE FROM book_search_terms WHERE book_id > 25000');
    expect(await drift()).toBeGreaterThan(0);
    await migration.up(runner);
    expect(await drift()).toBe(0);
    const terms = await count('book_search_terms');
    await migration.up(runner);
    expect(await count('book_search_terms')).toBe(terms);
    const triggers = await sql(
      database.name,
      `SELECT tgname FROM pg_trigger WHERE tgrelid = 'books'::regclass AND NOT tgisinternal ORDER BY 1`,
    );
    expect(triggers.map((row) => row.tgname)).toEqual([
      'book_search_terms_delete',
      'book_search_terms_insert',
      'book_search_terms_truncate',
      'book_search_terms_update',
    ]);
  }, 120_000);

  it('empties the terms with the books on TRUNCATE, so reused ids never inherit old words', async () => {
    await sql(database.name, 'TRUNCATE books RESTART IDENTITY');
    expect(await count('book_search_terms')).toBe(0);
    await sql(database.name, `INSERT INTO books (title, author) VALUES ('Kindred', 'Octavia E. Butler')`);
    expect(await sql(database.name, 'SELECT lexeme FROM book_search_terms WHERE book_id = 1 ORDER BY 1')).toEqual([
      { lexeme: 'butler' },
      { lexeme: 'e' },
      { lexeme: 'kindr' },
      { lexeme: 'octavia' },
    ]);
  });

  it('reverts completely and applies again', async () => {
    await migration.down(runner);
    await migration.down(runner);
    expect(await sql(database.name, `SELECT count(*)::int AS n FROM pg_ts_config WHERE cfgname = 'library_search'`)).toEqual([{ n: 0 }]);
    await migration.up(runner);
    expect(await drift()).toBe(0);
    expect(await count('book_search_terms')).toBe(4);
  });
});
