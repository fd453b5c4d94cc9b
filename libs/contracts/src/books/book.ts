/**
 * The book, once. Everything else about its shape is derived from BookView or checked against it at compile
 * time: BookRecord (the TypeORM entity implements it), BookRow (what SQL returns), BookDto (OpenAPI, in
 * #libs/platform, which implements BookView), and toBookView, the one row → JSON mapper the services and the
 * benchmark's ceiling (bench/ceiling.mjs, through dist/) all use, so their JSON is byte-identical.
 *
 * Nothing here depends on a framework: the ceiling loads this lib without Nest or Swagger.
 */

/** Field limits: request validation (the writer's DTOs) and the CHECK constraints (the migration) share them. */
export const BOOK_LIMITS = {
  titleMax: 200,
  authorMax: 100,
  descriptionMax: 2000,
} as const;

/** The JSON shape of a book in every response (docs/http-contract.md#book). */
export interface BookView {
  id: number;
  title: string;
  author: string;
  description: string;
  /** ISBN-13, digits only, or null. */
  isbn: string | null;
  /** Bumped by every write; the ETag is derived from it. */
  version: number;
  createdAt: string;
  updatedAt: string;
}

/** A book as stored: the view's fields, with the two timestamps as Dates. */
export type BookRecord = Omit<BookView, 'createdAt' | 'updatedAt'> & { createdAt: Date; updatedAt: Date };

/** A `books` row as node-postgres returns it (snake_case columns), from `SELECT …` or `RETURNING *`. */
export type BookRow = Omit<BookRecord, 'createdAt' | 'updatedAt'> & { created_at: Date; updated_at: Date };

/** Both services answer with rows straight from SQL (no entity hydration on the hot paths). */
export function toBookView(row: BookRow): BookView {
  return {
    id: row.id,
    title: row.title,
    author: row.author,
    description: row.description,
    isbn: row.isbn,
    version: row.version,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}
