// The reader's opaque page cursor (apps/reader/src/books/page-cursor.ts), rebuilt here so the benchmark can
// jump deep into the table and the ceiling can answer with the same `nextCursor`. If the two ever drift, the
// service answers 400 to the deep-page scenario and the smoke test fails on its error count.
import { createHash } from 'node:crypto';

export function fingerprint({ author, q } = {}) {
  return createHash('sha256')
    .update(JSON.stringify([author?.toLowerCase() ?? null, q?.toLowerCase() ?? null]))
    .digest('base64url')
    .slice(0, 10);
}

export function encodeCursor(lastId, filters = {}) {
  return Buffer.from(JSON.stringify({ v: 1, after: lastId, f: fingerprint(filters) })).toString('base64url');
}

/** A search's cursor: its relevance tier and the last id in it (apps/reader page-cursor.ts encodeSearchCursor). */
export function encodeSearchCursor({ tier, after }, filters = {}) {
  return Buffer.from(JSON.stringify({ v: 1, after, f: fingerprint(filters), t: tier })).toString('base64url');
}

/** Only what the ceiling needs: where the page starts (the service validates; the ceiling is the floor of the work). */
export function cursorAfter(cursor) {
  const decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!Number.isInteger(decoded.after)) throw new Error('bad cursor');
  return decoded;
}
