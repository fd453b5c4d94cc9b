import { createHash } from 'node:crypto';

/**
 * No framework here: the benchmark's scenarios and ceiling import this module from the build (dist/) to make
 * and read the same cursors as the service. BooksQueryService answers InvalidCursorError with a 400.
 */
export class InvalidCursorError extends Error {
  constructor() {
    super('cursor is invalid or was issued for different filters');
    this.name = 'InvalidCursorError';
  }
}

/**
 * Opaque keyset cursor: the last id of a page plus a fingerprint of the filters, so a cursor replayed with
 * other filters is refused instead of silently returning the wrong rows.
 */
export interface PageFilters {
  author?: string;
  q?: string;
}

export function encodeCursor(lastId: number, filters: PageFilters): string {
  return Buffer.from(JSON.stringify({ v: 1, after: lastId, f: fingerprint(filters) })).toString('base64url');
}

export function decodeCursor(cursor: string, filters: PageFilters): number {
  return decodePosition(cursor, filters).after;
}

/**
 * A search's position: its relevance tier (0: books by exactly the author searched for, 1: the other books
 * with every word) and the last id in it. A search cursor from before tiers existed has no `t`: it goes on
 * with the word matches after its id.
 */
export interface SearchPosition {
  tier: 0 | 1;
  after: number;
}

export function encodeSearchCursor({ tier, after }: SearchPosition, filters: PageFilters): string {
  return Buffer.from(JSON.stringify({ v: 1, after, f: fingerprint(filters), t: tier })).toString('base64url');
}

export function decodeSearchCursor(cursor: string, filters: PageFilters): SearchPosition {
  const { after, tier } = decodePosition(cursor, filters);
  return { after, tier: tier ?? 1 };
}

function decodePosition(cursor: string, filters: PageFilters): { after: number; tier?: 0 | 1 } {
  const invalid = new InvalidCursorError();
  if (!/^[A-Za-z0-9_-]{1,200}$/.test(cursor)) throw invalid;
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid;
  }
  const { v, after, f, t } = (decoded ?? {}) as { v?: unknown; after?: unknown; f?: unknown; t?: unknown };
  if (v !== 1 || !Number.isInteger(after) || (after as number) < 0 || (after as number) > 2_147_483_647) throw invalid;
  if (f !== fingerprint(filters)) throw invalid;
  if (t !== undefined && t !== 0 && t !== 1) throw invalid;
  return { after: after as number, tier: t };
}

function fingerprint({ author, q }: PageFilters): string {
  return createHash('sha256')
    .update(JSON.stringify([author?.toLowerCase() ?? null, q?.toLowerCase() ?? null]))
    .digest('base64url')
    .slice(0, 10);
}
