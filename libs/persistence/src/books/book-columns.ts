import type { BookRow, BookView } from '#libs/contracts';

/**
 * The `books` columns, checked against the one definition of the book (BookRow, derived from BookView in
 * libs/contracts) by the compiler: a field the book gains or loses and this list does not is a type error.
 * book-columns.int.spec.ts checks the same list against the migrated table and the TypeORM entity.
 */
const COLUMNS = {
  id: true,
  title: true,
  author: true,
  description: true,
  isbn: true,
  version: true,
  created_at: true,
  updated_at: true,
} as const satisfies Record<keyof BookRow, true>;

export const BOOK_COLUMN_NAMES = Object.keys(COLUMNS) as ReadonlyArray<keyof BookRow>;

/** `id, title, …` for SELECT and RETURNING. */
export const BOOK_COLUMNS = BOOK_COLUMN_NAMES.join(', ');

/** The fields a client writes (POST, PUT, PATCH); the rest are the database's (identity, version, timestamps). */
export const EDITABLE_BOOK_FIELDS = ['title', 'author', 'description', 'isbn'] as const satisfies ReadonlyArray<
  keyof BookView & keyof BookRow
>;

export type EditableBookField = (typeof EDITABLE_BOOK_FIELDS)[number];
