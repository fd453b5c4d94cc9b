/**
 * Strong ETags derived from a row's id and version (RFC 9110 §8.8.3). The reader sends them; the writer
 * checks If-Match against them with strong comparison, so weak validators (W/"…") never match.
 */
export function etagFor(resource: { id: number; version: number }): string {
  return `"${resource.id}.${resource.version}"`;
}

/** If-None-Match uses weak comparison: W/"x" matches "x"; `*` matches any current representation. */
export function ifNoneMatchHits(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  return splitEntityTags(header).some((tag) => tag === '*' || tag.replace(/^W\//, '') === etag);
}

export type IfMatchCondition =
  | { kind: 'none' }
  | { kind: 'any' }
  /** The versions the client accepts; empty when no listed tag can match (weak or malformed). */
  | { kind: 'versions'; versions: number[] };

export function parseIfMatch(header: string | undefined, id: number): IfMatchCondition {
  if (header === undefined || header.trim() === '') return { kind: 'none' };
  const tags = splitEntityTags(header);
  if (tags.includes('*')) return { kind: 'any' };
  const versions = tags.flatMap((tag) => {
    const match = /^"(\d{1,10})\.(\d{1,10})"$/.exec(tag);
    return match && Number(match[1]) === id ? [Number(match[2])] : [];
  });
  return { kind: 'versions', versions: versions.filter((version) => version <= 2_147_483_647) };
}

function splitEntityTags(header: string): string[] {
  return header
    .split(',')
    .map((tag) => tag.trim())
    .filter(Boolean);
}
