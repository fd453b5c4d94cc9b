export { BOOK_LIMITS, toBookView, type BookRecord, type BookRow, type BookView } from './books/book.js';
export { normalizeIsbn } from './books/isbn.js';
export {
  BOOK_TEXT_FIELDS,
  forbiddenCharactersMessage,
  MULTI_LINE_TEXT,
  SINGLE_LINE_TEXT,
  TEXT_RULES,
  type TextKind,
} from './books/text.js';
