// Sample data for `npm run seed` (sample-books.json). ISBN check digits are computed, so every ISBN passes validation.
import { readFileSync } from 'node:fs';

function isbn13(first12) {
  const sum = [...first12].reduce((total, digit, i) => total + Number(digit) * (i % 2 === 0 ? 1 : 3), 0);
  return first12 + ((10 - (sum % 10)) % 10);
}

const books = JSON.parse(readFileSync(new URL('./sample-books.json', import.meta.url), 'utf8'));

export const sampleBooks = books.map(({ isbnFirst12, ...book }) => ({ ...book, isbn: isbn13(isbnFirst12) }));
