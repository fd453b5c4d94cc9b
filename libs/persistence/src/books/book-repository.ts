import { Injectable } from '@nestjs/common';
import type { BookRow } from '#libs/contracts';
import { Database, type Session, statement } from '../database/database.js';
import { BOOK_COLUMNS, type EditableBookField } from './book-columns.js';
import { MAX_SEARCH_WORDS, SEARCH_START, searchTierOneSql } from './search-sql.js';

/** The fields a new book is stored with; the database assigns id, version and the timestamps. */
export type NewBook = Pick<BookRow, EditableBookField>;

/** A PATCH's fields: a missing one keeps its value. Only isbn may be set to null. */
export type BookChanges = Partial<NewBook>;

/** The versions a write may replace (a strong If-Match); null means any (no If-Match, or `*`). */
export type AcceptedVersions = number[] | null;

/** The isbn is another book's: `books_isbn_unique` (migration CreateBooks). */
export class DuplicateIsbnError extends Error {
  constructor(readonly isbn: string | null) {
    super(`isbn ${isbn} already belongs to another book`);
    this.name = 'DuplicateIsbnError';
  }
}

const SELECT_BOOK = `SELECT ${BOOK_COLUMNS} FROM books`;

/** The lexemes, and a tier-0 book or (no tier-0 book) NULLs in the book's columns. */
type SearchStartRow = Omit<BookRow, 'id'> & { lexemes: string[]; id: number | null };

/**
 * Every statement on `books`, as named prepared statements (database.ts). Fixed, parameterised SQL only:
 * no string is ever built from input, only values travel as bind parameters. Chosen over TypeORM's query
 * builder and repository because
 * - docs/reliability.md#o-3 needs the version check and the write in ONE statement (`UPDATE … WHERE id = $1 AND
 *   version = ANY($n)`); TypeORM's save() never puts the version in the WHERE clause, and the query builder
 *   hides the `version = version + 1` that @VersionColumn adds. Here the whole statement is in plain sight;
 * - the builder's metadata work cost more CPU than the statements, and a prepared statement skips
 *   PostgreSQL's parse and plan (BENCHMARKS.md); the benchmark ceiling runs the same SQL.
 *
 * `$n::int[] IS NULL` means "any version". An empty array (only weak or foreign ETags) matches nothing.
 */
const SQL = {
  byId: statement<BookRow>('book_by_id', `${SELECT_BOOK} WHERE id = $1`),
  page: statement<BookRow>('books_page', `${SELECT_BOOK} WHERE id > $1 ORDER BY id ASC LIMIT $2`),
  byAuthor: statement<BookRow>('books_by_author', `${SELECT_BOOK} WHERE id > $1 AND lower(author) = lower($3) ORDER BY id ASC LIMIT $2`),
  searchStart: statement<SearchStartRow>('books_search_start', SEARCH_START),
  searchWords: Array.from({ length: MAX_SEARCH_WORDS }, (_, i) =>
    statement<BookRow>(`books_search_words_${i + 1}`, searchTierOneSql(i + 1)),
  ),
  insert: statement<BookRow>(
    'book_insert',
    `INSERT INTO books (title, author, description, isbn) VALUES ($1, $2, $3, $4) RETURNING ${BOOK_COLUMNS}`,
  ),
  /** NULL keeps a text column ($2–$4); $5 says whether isbn is set. */
  update: statement<BookRow>(
    'book_update',
    `UPDATE books
        SET title = COALESCE($2, title),
            author = COALESCE($3, author),
            description = COALESCE($4, description),
            isbn = CASE WHEN $5::boolean THEN $6 ELSE isbn END,
            version = version + 1,
            updated_at = now()
      WHERE id = $1 AND ($7::int[] IS NULL OR version = ANY($7::int[]))
     RETURNING ${BOOK_COLUMNS}`,
  ),
  delete: statement('book_delete', 'DELETE FROM books WHERE id = $1 AND ($2::int[] IS NULL OR version = ANY($2::int[]))'),
  exists: statement<{ found: 1 }>('book_exists', 'SELECT 1 AS found FROM books WHERE id = $1'),
};

/** The book aggregate's storage: read and write, on the service's pool or inside a caller's transaction. */
@Injectable()
export class BookRepository {
  constructor(private readonly database: Database) {}

  async findById(id: number): Promise<BookRow | undefined> {
    return (await this.database.run(SQL.byId, [id])).rows[0];
  }

  /** Up to `limit` books after id `after` in id order (keyset pages on the primary key or (lower(author), id)). */
  async listAfter(after: number, limit: number, author?: string): Promise<BookRow[]> {
    const { rows } = author
      ? await this.database.run(SQL.byAuthor, [after, limit, author])
      : await this.database.run(SQL.page, [after, limit]);
    return rows;
  }

  /**
   * Search, step 1: `text`'s lexemes, and up to `limit` books after `after` whose author is exactly `text`
   * (tier 0). `limit` 0 only looks up the lexemes.
   */
  async searchStart(text: string, after: number, limit: number, author: string | null): Promise<{ lexemes: string[]; books: BookRow[] }> {
    const { rows } = await this.database.run(SQL.searchStart, [text, after, limit, author]);
    const books = rows.flatMap(({ lexemes: _, id, ...row }) => (id === null ? [] : [{ ...row, id }]));
    return { lexemes: rows[0]?.lexemes ?? [], books };
  }

  /** Search, step 2 (tier 1): up to `limit` books after `after` with every lexeme, not by exactly `text`. */
  async searchWords(text: string, lexemes: string[], after: number, limit: number, author: string | null): Promise<BookRow[]> {
    const words = SQL.searchWords[lexemes.length - 1];
    if (!words) throw new RangeError(`a search has 1 to ${MAX_SEARCH_WORDS} lexemes, not ${lexemes.length}`);
    return (await this.database.run(words, [text, after, limit, author, ...lexemes])).rows;
  }

  async insert(book: NewBook, session?: Session): Promise<BookRow> {
    const values = [book.title, book.author, book.description, book.isbn];
    const { rows } = await guardIsbn(book.isbn, () => this.database.run(SQL.insert, values, session));
    return rows[0]!;
  }

  /** The updated book, or undefined when no book has this id and an accepted version. */
  async update(id: number, changes: BookChanges, versions: AcceptedVersions): Promise<BookRow | undefined> {
    const { title = null, author = null, description = null } = changes;
    const values = [id, title, author, description, changes.isbn !== undefined, changes.isbn ?? null, versions];
    const { rows } = await guardIsbn(changes.isbn ?? null, () => this.database.run(SQL.update, values));
    return rows[0];
  }

  /** Whether a book with this id and an accepted version was deleted. */
  async delete(id: number, versions: AcceptedVersions): Promise<boolean> {
    return (await this.database.run(SQL.delete, [id, versions])).rowCount > 0;
  }

  async exists(id: number): Promise<boolean> {
    return (await this.database.run(SQL.exists, [id])).rows.length > 0;
  }
}

async function guardIsbn<T>(isbn: string | null, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    const { code, constraint } = error as { code?: string; constraint?: string };
    if (code === '23505' && constraint === 'books_isbn_unique') throw new DuplicateIsbnError(isbn);
    throw error;
  }
}
