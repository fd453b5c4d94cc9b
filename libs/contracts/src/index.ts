export { BOOK_LIMITS, toBookView, type BookRecord, type BookRow, type BookView } from './books/book.js';
export { normalizeIsbn } from './books/isbn.js';
