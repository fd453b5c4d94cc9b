export { BOOK_LIMITS, BOOK_VIEW_SCHEMA, toBookView, type BookRecord, type BookRow, type BookView } from './books/book.js';
export { normalizeIsbn } from './books/isbn.js';
