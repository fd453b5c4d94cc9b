import fc from 'fast-check';
import { describe, expect, it } from '@jest/globals';
import { decodeCursor, decodeSearchCursor, encodeCursor, encodeSearchCursor, InvalidCursorError } from './page-cursor.js';

describe('page cursor', () => {
  it('round-trips the last id for the same filters (author case-insensitively)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2_147_483_647 }), fc.option(fc.string()), fc.option(fc.string()), (id, author, q) => {
        const filters = { author: author ?? undefined, q: q ?? undefined };
        expect(decodeCursor(encodeCursor(id, filters), { ...filters, author: filters.author?.toUpperCase() })).toBe(id);
      }),
    );
  });

  it('refuses a cursor used with other filters', () => {
    expect(() => decodeCursor(encodeCursor(10, { author: 'A' }), { author: 'B' })).toThrow(InvalidCursorError);
    expect(() => decodeCursor(encodeCursor(10, { q: 'x' }), {})).toThrow(InvalidCursorError);
  });

  it('never throws anything but InvalidCursorError (a 400) for arbitrary input', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (cursor) => {
        try {
          decodeCursor(cursor, {});
        } catch (error) {
          expect(error).toBeInstanceOf(InvalidCursorError);
        }
      }),
    );
  });

  it.each([
    Buffer.from('{"v":2,"after":1}').toString('base64url'),
    Buffer.from('{"v":1,"after":1.5,"f":""}').toString('base64url'),
    Buffer.from('{"v":1,"after":99999999999,"f":""}').toString('base64url'),
    Buffer.from('null').toString('base64url'),
    Buffer.from('[]').toString('base64url'),
  ])('rejects forged cursor %s', (cursor) => {
    expect(() => decodeCursor(cursor, {})).toThrow(/cursor is invalid/);
  });
});

describe('search cursor', () => {
  it('round-trips the tier and the last id; a cursor from before tiers goes on in tier 1', () => {
    const filters = { q: 'river' };
    expect(decodeSearchCursor(encodeSearchCursor({ tier: 0, after: 42 }, filters), filters)).toEqual({ tier: 0, after: 42 });
    expect(decodeSearchCursor(encodeSearchCursor({ tier: 1, after: 7 }, filters), filters)).toEqual({ tier: 1, after: 7 });
    expect(decodeSearchCursor(encodeCursor(9, filters), filters)).toEqual({ tier: 1, after: 9 });
  });

  it.each([2, -1, '0', null, 0.5])('rejects a tampered tier %p', (t) => {
    const cursor = JSON.parse(Buffer.from(encodeSearchCursor({ tier: 0, after: 1 }, { q: 'x' }), 'base64url').toString());
    expect(() => decodeSearchCursor(Buffer.from(JSON.stringify({ ...cursor, t })).toString('base64url'), { q: 'x' })).toThrow(
      /cursor is invalid/,
    );
  });

  it('refuses a search cursor for another q', () => {
    expect(() => decodeSearchCursor(encodeSearchCursor({ tier: 1, after: 1 }, { q: 'a' }), { q: 'b' })).toThrow(InvalidCursorError);
  });
});
