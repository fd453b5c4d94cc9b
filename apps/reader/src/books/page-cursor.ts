import { BadRequestException } from '@nestjs/common';
import { createHash } from 'node:crypto';

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
  const invalid = new BadRequestException('cursor is invalid or was issued for different filters');
  if (!/^[A-Za-z0-9_-]{1,200}$/.test(cursor)) throw invalid;
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid;
  }
  const { v, after, f } = (decoded ?? {}) as { v?: unknown; after?: unknown; f?: unknown };
  if (v !== 1 || !Number.isInteger(after) || (after as number) < 0 || (after as number) > 2_147_483_647) throw invalid;
  if (f !== fingerprint(filters)) throw invalid;
  return after as number;
}

function fingerprint({ author, q }: PageFilters): string {
  return createHash('sha256')
    .update(JSON.stringify([author?.toLowerCase() ?? null, q?.toLowerCase() ?? null]))
    .digest('base64url')
    .slice(0, 10);
}
