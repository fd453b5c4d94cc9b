/**
 * ISBN-10 and ISBN-13 checksums, and normalisation to the 13-digit form we store.
 * Separators (hyphens, spaces) are accepted on input and dropped.
 */
export function normalizeIsbn(input: string): string | null {
  const compact = input.replace(/[\s-]/g, '').toUpperCase();
  if (/^\d{9}[\dX]$/.test(compact)) {
    return isValidIsbn10(compact) ? isbn10To13(compact) : null;
  }
  if (/^97[89]\d{10}$/.test(compact)) {
    return isValidIsbn13(compact) ? compact : null;
  }
  return null;
}

function isValidIsbn10(isbn: string): boolean {
  let sum = 0;
  for (let i = 0; i < 10; i++) {
    const digit = isbn[i] === 'X' ? 10 : Number(isbn[i]);
    if (digit === 10 && i !== 9) return false;
    sum += digit * (10 - i);
  }
  return sum % 11 === 0;
}

function isValidIsbn13(isbn: string): boolean {
  return isbn13CheckDigit(isbn.slice(0, 12)) === Number(isbn[12]);
}

function isbn13CheckDigit(first12: string): number {
  let sum = 0;
  for (let i = 0; i < 12; i++) sum += Number(first12[i]) * (i % 2 === 0 ? 1 : 3);
  return (10 - (sum % 10)) % 10;
}

function isbn10To13(isbn10: string): string {
  const first12 = `978${isbn10.slice(0, 9)}`;
  return `${first12}${isbn13CheckDigit(first12)}`;
}
