import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { validateEnvironment } from '#libs/config';
import { BookRepository, buildPoolConfig, Database } from '#libs/persistence';
import { createMigratedDatabase, environmentFor, sql } from '../../../../test/support/database.js';
import { BooksQueryService } from './books-query.service.js';

/**
 * `q` on real PostgreSQL: the words a person types (stemmed, accents and case folded, stop words dropped,
 * every word required), the two relevance tiers, and keyset pages across both that are exactly those of the
 * one-query definition below, written with PostgreSQL's own `@@ plainto_tsquery` and not with the term table
 * the service reads (migration CreateBookSearchTerms), so the triggers that keep that table are checked too.
 */
let database: { name: string; drop: () => Promise<void> };
let pool: pg.Pool;
let books: BooksQueryService;

/** Ids above the bulk rows, for the small hand-written catalogue. */
const BULK = 30_000;

beforeAll(async () => {
  database = await createMigratedDatabase('reader_search');
  // 30,000 books: "common" in every 50th title, "middling" in 12 titles, "lonely" in one near the end;
  // every 7th book is by Ada Okafor and every 11th mentions her in its title (by someone else), so
  // q=ada okafor has a long tier 0 and a long tier 1; authors alternate otherwise, for the author filter.
  await sql(
    database.name,
    `INSERT INTO books (title, author)
     SELECT concat_ws(' ', 'Book', g,
              CASE WHEN g % 50 = 0 THEN 'common' END,
              CASE WHEN g > 10000 AND g % 1500 = 7 THEN 'middling' END,
              CASE WHEN g = 29000 THEN 'lonely' END,
              CASE WHEN g % 11 = 0 THEN 'letters to Ada Okafor' END),
            CASE WHEN g % 7 = 0 THEN 'Ada Okafor' WHEN g % 2 = 0 THEN 'Even Author' ELSE 'Odd Author' END
       FROM generate_series(1, ${BULK}) g`,
  );
  await sql(
    database.name,
    `INSERT INTO books (title, author) VALUES
       ('The Rivers of London', 'Ben Aaronovitch'),
       ('Running Wild', 'Mei Lindgren'),
       ('Solaris', 'Stanisław Lem'),
       ('Café Society', 'Anonymous'),
       ('The Silent River', 'Ada Okafor'),
       ('The Silent Sea', 'Clive Cussler'),
       ('The Dispossessed', 'Ursula K. Le Guin'),
       ('100% Pure', 'Someone')`,
  );
  await sql(database.name, 'ANALYZE books');
  pool = new pg.Pool(buildPoolConfig(validateEnvironment(environmentFor(database.name)), 'reader'));
  books = new BooksQueryService(new BookRepository(new Database(pool)));
}, 60_000);

afterAll(async () => {
  await pool?.end();
  await database?.drop();
});

const titles = async (q: string, author?: string) => (await books.list({ q, author, limit: 100 })).items.map((book) => book.title);

/** The definition: tier 0 (author is exactly q), then every other book with all of q's words, each in id order. */
async function expected(q: string, author: string | undefined): Promise<number[]> {
  const rows = await sql<{ id: number }>(
    database.name,
    `SELECT id FROM (
       SELECT 0 AS tier, id FROM books WHERE lower(author) = lower($1)
       UNION ALL
       SELECT 1, id FROM books
        WHERE to_tsvector('library_search', title || ' ' || author) @@ plainto_tsquery('library_search', $1)
          AND lower(author) <> lower($1)
     ) AS matches JOIN books USING (id)
     WHERE $2::text IS NULL OR lower(books.author) = lower($2)
     ORDER BY tier, id`,
    [q.trim().replace(/\s+/g, ' '), author ?? null],
  );
  return rows.map((row) => row.id);
}

describe('q: what a search matches', () => {
  it('stems English words: a singular finds the plural and the other way round', async () => {
    expect(await titles('river')).toContain('The Rivers of London');
    expect(await titles('rivers')).toEqual(expect.arrayContaining(['The Rivers of London', 'The Silent River']));
    expect(await titles('run')).toEqual(['Running Wild']);
  });

  it('ignores accents and case, in the text and in the query', async () => {
    expect(await titles('stanislaw')).toEqual(['Solaris']);
    expect(await titles('STANISŁAW')).toEqual(['Solaris']);
    expect(await titles('cafe')).toEqual(['Café Society']);
    expect(await titles('Café')).toEqual(['Café Society']);
  });

  it('drops stop words: alone they match nothing, next to a word they change nothing', async () => {
    expect(await titles('the')).toEqual([]);
    expect(await titles('of the')).toEqual([]);
    expect(await titles('the silent')).toEqual(await titles('silent'));
    expect(await titles('the silent')).toEqual(['The Silent River', 'The Silent Sea']);
  });

  it('needs every word, in any order, from the title or the author', async () => {
    expect(await titles('silent river')).toEqual(['The Silent River']);
    expect(await titles('river silent')).toEqual(['The Silent River']);
    expect(await titles('silent cussler')).toEqual(['The Silent Sea']);
    expect(await titles('silent lonely')).toEqual([]);
  });

  it('matches whole words (stemmed), not parts of words', async () => {
    expect(await titles('dispossessed')).toEqual(['The Dispossessed']);
    expect(await titles('dispos')).toEqual([]);
    expect(await titles('possessed')).toEqual([]);
    expect(await titles('100')).toEqual(['Book 100 common', '100% Pure']);
    expect(await titles("'; DROP TABLE books; --")).toEqual([]);
  });

  it('puts the books by exactly the author searched for first, then the others with every word', async () => {
    const found = [];
    let cursor: string | undefined;
    do {
      const page = await books.list({ q: '  ada   OKAFOR ', limit: 100, cursor });
      found.push(...page.items);
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    const firstOther = found.findIndex((book) => book.author !== 'Ada Okafor');
    expect(firstOther).toBe(Math.floor(BULK / 7) + 1); // every 7th bulk book and The Silent River
    expect(found.slice(firstOther).every((book) => book.author !== 'Ada Okafor' && /Ada Okafor/.test(book.title))).toBe(true);
    expect(found).toHaveLength(Math.floor(BULK / 7) + 1 + Math.floor(BULK / 11) - Math.floor(BULK / 77));
  });

  it('combines with the author filter', async () => {
    expect(await titles('silent', 'ada okafor')).toEqual(['The Silent River']);
    expect(await titles('silent', 'nobody')).toEqual([]);
  });

  it('refuses more than 8 words (stop words not counted) with a 400', async () => {
    await expect(books.list({ q: 'one two three four five six seven eight nine' })).rejects.toMatchObject({
      status: 400,
      message: expect.stringMatching(/q must have at most 8 words/),
    });
    expect((await books.list({ q: 'the of and a one two three four five six seven eight' })).items).toEqual([]);
  });
});

describe('q: keyset pages across both tiers', () => {
  it.each([
    ['common', undefined, 20],
    ['middling', undefined, 5],
    ['middling', 'odd author', 3],
    ['lonely', undefined, 20],
    ['nothing matches this', undefined, 20],
    ['ada okafor', undefined, 37],
    ['ada okafor', undefined, 100],
    ['okafor letters', 'ada okafor', 50],
    ['book 2999', 'Even Author', 4],
  ])(
    'q=%s author=%s limit=%d walks every match exactly once, in order',
    async (q, author, limit) => {
      const all = await expected(q, author);
      const seen: number[] = [];
      let cursor: string | undefined;
      for (let pageNumber = 0; pageNumber < 1000; pageNumber++) {
        const page = await books.list({ q, author, limit, cursor });
        expect(page.items.map((book) => book.id)).toEqual(all.slice(seen.length, seen.length + limit));
        seen.push(...page.items.map((book) => book.id));
        if (!page.nextCursor) break;
        cursor = page.nextCursor;
      }
      expect(seen).toEqual(all);
    },
    60_000,
  );

  it('neither skips nor repeats a book when books are added and removed between pages', async () => {
    const before = await expected('ada okafor', undefined);
    const seen: number[] = [];
    const mustSee: number[] = [];
    const added: number[] = [];
    let cursor: string | undefined;
    for (let pageNumber = 0; pageNumber < 1000; pageNumber++) {
      const page = await books.list({ q: 'ada okafor', limit: 400, cursor });
      seen.push(...page.items.map((book) => book.id));
      if (!page.nextCursor) break;
      cursor = page.nextCursor;
      // One more book in each tier, and one already-read book gone: later pages must not shift. A book added
      // to tier 0 after the pages have moved on to tier 1 is behind the cursor, like a lower id in a plain list.
      const stillInTierZero = page.items.at(-1)!.author === 'Ada Okafor';
      const [tierZero] = await sql<{ id: number }>(
        database.name,
        `INSERT INTO books (title, author) VALUES ('New', 'Ada Okafor') RETURNING id`,
      );
      const [tierOne] = await sql<{ id: number }>(
        database.name,
        `INSERT INTO books (title, author) VALUES ('More on Ada Okafor', 'X') RETURNING id`,
      );
      added.push(tierZero!.id, tierOne!.id);
      mustSee.push(...(stillInTierZero ? [tierZero!.id] : []), tierOne!.id);
      await sql(database.name, 'DELETE FROM books WHERE id = $1', [seen[pageNumber]]);
    }
    expect(new Set(seen).size).toBe(seen.length);
    for (const id of before) expect(seen).toContain(id);
    for (const id of mustSee) expect(seen).toContain(id);
    expect(mustSee.length).toBeGreaterThan(added.length / 2);
    await sql(database.name, 'DELETE FROM books WHERE id = ANY ($1)', [added]);
  }, 60_000);
});

describe('the search terms the triggers keep', () => {
  /** Rows in book_search_terms that the books do not have, and the other way round: both must be empty. */
  async function drift(): Promise<unknown[]> {
    return sql(
      database.name,
      `(SELECT 'extra' AS kind, lexeme, book_id FROM book_search_terms
        EXCEPT SELECT 'extra', lexeme, id FROM books, unnest(book_search_lexemes(title, author)) AS lexeme)
       UNION ALL
       (SELECT 'missing', lexeme, id FROM books, unnest(book_search_lexemes(title, author)) AS lexeme
        EXCEPT SELECT 'missing', lexeme, book_id FROM book_search_terms)`,
    );
  }
  const termsOf = async (id: number) =>
    (await sql<{ lexeme: string }>(database.name, 'SELECT lexeme FROM book_search_terms WHERE book_id = $1 ORDER BY lexeme', [id])).map(
      (row) => row.lexeme,
    );

  it('match the books after the bulk load', async () => {
    expect(await drift()).toEqual([]);
  });

  it('follow inserts (one or many rows), title and author updates, and deletes', async () => {
    const [{ id }] = (await sql<{ id: number }>(
      database.name,
      `INSERT INTO books (title, author) VALUES ('Wolf Hall', 'Hilary Mantel') RETURNING id`,
    )) as [{ id: number }];
    expect(await termsOf(id)).toEqual(['hall', 'hilari', 'mantel', 'wolf']);
    await sql(database.name, `UPDATE books SET title = 'Bring Up the Bodies' WHERE id = $1`, [id]);
    expect(await termsOf(id)).toEqual(['bodi', 'bring', 'hilari', 'mantel']);
    await sql(database.name, `UPDATE books SET author = 'H. Mantel', description = 'x' WHERE id = $1`, [id]);
    expect(await termsOf(id)).toEqual(['bodi', 'bring', 'h', 'mantel']);
    await sql(database.name, `UPDATE books SET description = 'only the description' WHERE id = $1`, [id]);
    expect(await termsOf(id)).toEqual(['bodi', 'bring', 'h', 'mantel']);
    expect((await books.list({ q: 'bodies mantel' })).items.map((book) => book.id)).toEqual([id]);
    expect((await books.list({ q: 'wolf hall' })).items).toEqual([]);
    await sql(database.name, 'DELETE FROM books WHERE id = $1', [id]);
    expect(await termsOf(id)).toEqual([]);

    const many = await sql<{ id: number }>(
      database.name,
      `INSERT INTO books (title, author) SELECT 'Batch ' || g, 'Bulk Writer' FROM generate_series(1, 50) g RETURNING id`,
    );
    await sql(database.name, `UPDATE books SET title = title || ' revised' WHERE author = 'Bulk Writer'`);
    expect(await drift()).toEqual([]);
    expect((await books.list({ q: 'revised batch', limit: 100 })).items).toHaveLength(50);
    await sql(database.name, 'DELETE FROM books WHERE id = ANY ($1)', [many.map((row) => row.id)]);
    expect(await drift()).toEqual([]);
  });
});
