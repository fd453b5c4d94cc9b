import { describe, expect, it } from '@jest/globals';
import { etagFor, ifNoneMatchHits, parseIfMatch } from './etag.js';

describe('ETags', () => {
  it('derives a strong ETag from id and version', () => {
    expect(etagFor({ id: 7, version: 3 })).toBe('"7.3"');
  });

  it('If-None-Match compares weakly and understands lists and *', () => {
    expect(ifNoneMatchHits('"7.3"', '"7.3"')).toBe(true);
    expect(ifNoneMatchHits('W/"7.3"', '"7.3"')).toBe(true);
    expect(ifNoneMatchHits('"7.2", "7.3"', '"7.3"')).toBe(true);
    expect(ifNoneMatchHits('*', '"7.3"')).toBe(true);
    expect(ifNoneMatchHits('"7.2"', '"7.3"')).toBe(false);
    expect(ifNoneMatchHits(undefined, '"7.3"')).toBe(false);
  });

  it('If-Match compares strongly: weak, foreign and malformed tags match no version', () => {
    expect(parseIfMatch(undefined, 7)).toEqual({ kind: 'none' });
    expect(parseIfMatch('*', 7)).toEqual({ kind: 'any' });
    expect(parseIfMatch('"7.3"', 7)).toEqual({ kind: 'versions', versions: [3] });
    expect(parseIfMatch('"7.3", "7.4"', 7)).toEqual({ kind: 'versions', versions: [3, 4] });
    expect(parseIfMatch('W/"7.3"', 7)).toEqual({ kind: 'versions', versions: [] });
    expect(parseIfMatch('"8.3"', 7)).toEqual({ kind: 'versions', versions: [] });
    expect(parseIfMatch('7.3', 7)).toEqual({ kind: 'versions', versions: [] });
    expect(parseIfMatch('"7.99999999999"', 7)).toEqual({ kind: 'versions', versions: [] });
  });
});
