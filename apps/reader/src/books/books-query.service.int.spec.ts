import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { validateEnvironment } from '#libs/config';
import { buildDataSourceOptions } from '#libs/persistence';
import { createMigratedDatabase, environmentFor, sql } from '../../../../test/support/database.js';
import { BooksQueryService } from './books-query.service.js';

/**
 * search() answers in two parts (the first rows in id order, then the trigram index for the rest of the
 * page). Whatever the term's density, the pages must be exactly those of the one-query definition:
 * `id > after AND filters ORDER BY id LIMIT n`, with no row skipped or repeated across pages.
 */
let database: { name: string; drop: () => Promise<void> };
let dataSource: DataSource;
let books: BooksQueryService;

beforeAll(async () => {
  database = await createMigratedDatabase('reader_search');
  // 30,000 books: "common" in every 50th title, "middling" in 12 titles after id 10,000, "lonely" in one
  // near the end, "edge" exactly at the head boundary; authors alternate so the author filter combines.
  await sql(
    database.name,
    `INSERT INTO books (title, author)
     SELECT concat_ws(' ', 'Book', g,
              CASE WHEN g % 50 = 0 THEN 'common' END,
              CASE WHEN g > 10000 AND g % 1500 = 7 THEN 'middling' END,
              CASE WHEN g = 29000 THEN 'lonely' END,
              CASE WHEN g IN (9999, 10000, 10001, 10002) THEN 'edge' END),
            CASE WHEN g % 2 = 0 THEN 'Even Author' ELSE 'Odd Author' END
       FROM generate_series(1, 30000) g`,
  );
  await sql(database.name, 'ANALYZE books');
  dataSource = await new DataSource(buildDataSourceOptions(validateEnvironment(environmentFor(database.name)), 'reader')).initialize();
  books = new BooksQueryService(dataSource);
}, 60_000);

afterAll(async () => {
  await dataSource?.destroy();
  await database?.drop();
});

async function expected(q: string, author: string | undefined, after: number, limit: number): Promise<number[]> {
  const rows = await sql<{ id: number }>(
    database.name,
    `SELECT id FROM books WHERE id > $1 AND (title || ' ' || author) ILIKE $2 AND ($3::text IS NULL OR lower(author) = lower($3))
      ORDER BY id LIMIT $4`,
    [after, `%${q}%`, author ?? null, limit],
  );
  return rows.map((row) => row.id);
}

describe('BooksQueryService search pages', () => {
  it.each([
    ['common', undefined, 20],
    ['middling', undefined, 5],
    ['middling', 'odd author', 3],
    ['lonely', undefined, 20],
    ['edge', undefined, 2],
    ['nothing matches this', undefined, 20],
    ['book 2999', 'Even Author', 4],
  ])('q=%s author=%s limit=%d walks every page exactly', async (q, author, limit) => {
    const seen: number[] = [];
    let cursor: string | undefined;
    for (let pageNumber = 0; pageNumber < 200; pageNumber++) {
      const after = seen.at(-1) ?? 0;
      const page = await books.list({ q, author, limit, cursor });
      expect(page.items.map((book) => book.id)).toEqual(await expected(q, author, after, limit));
      seen.push(...page.items.map((book) => book.id));
      if (!page.nextCursor) break;
      cursor = page.nextCursor;
    }
    expect(seen).toEqual(await expected(q, author, 0, 100_000));
  });
});
