/**
 * The reader's search statements, once: BookRepository runs them, and the benchmark's ceiling and pgbench
 * run these same statements from the build output (bench/search-sql.mjs), so the ceiling is a yardstick for
 * this search and not another one. Plain strings, no Nest or TypeORM imports.
 */
import { BOOK_COLUMN_NAMES, BOOK_COLUMNS } from './book-columns.js';

export { BOOK_COLUMNS };

/** Words a search may have (after stop words are dropped): each is one more join. */
export const MAX_SEARCH_WORDS = 8;

/**
 * Search, step 1: the query's lexemes (PostgreSQL's own parser and dictionaries through
 * `book_search_lexemes`, the one function the triggers index the books with: migration CreateBookSearchTerms)
 * and tier 0, the books whose author is exactly what was typed (case-insensitive, the (lower(author), id)
 * index), in one round trip. $1 the search text, $2 the last id seen in tier 0, $3 how many rows (0 when the
 * cursor is past tier 0), $4 the `author` filter or NULL.
 */
export const SEARCH_START = `
  SELECT q.lexemes, b.*
    FROM (SELECT book_search_lexemes($1, '') AS lexemes) AS q
    LEFT JOIN LATERAL (
      SELECT ${BOOK_COLUMNS} FROM books
       WHERE lower(author) = lower($1) AND id > $2 AND ($4::text IS NULL OR lower(author) = lower($4))
       ORDER BY id LIMIT $3
    ) AS b ON true`;

/**
 * Search, step 2 (tier 1): books with every lexeme in their title or author, except tier 0's, in id order.
 * `book_search_terms` has one row per (lexeme, book) under a primary key in that order, so each lexeme is
 * an ordered list: one word is a range scan that stops after the page, several are a merge join of
 * their lists (BENCHMARKS.md has the plans). $1 the search text, $2 the last id, $3 how many rows, $4 the
 * `author` filter or NULL, $5… the lexemes.
 */
export function searchTierOneSql(words: number): string {
  const joins = Array.from(
    { length: words - 1 },
    (_, i) => `JOIN book_search_terms t${i + 2} ON t${i + 2}.book_id = t1.book_id AND t${i + 2}.lexeme = $${i + 6}`,
  );
  return `
    SELECT ${BOOK_COLUMN_NAMES.map((column) => `b.${column}`).join(', ')}
      FROM book_search_terms t1 ${joins.join(' ')}
      JOIN books b ON b.id = t1.book_id
     WHERE t1.lexeme = $5 AND t1.book_id > $2 AND lower(b.author) <> lower($1)
       AND ($4::text IS NULL OR lower(b.author) = lower($4))
     ORDER BY t1.book_id LIMIT $3`;
}
