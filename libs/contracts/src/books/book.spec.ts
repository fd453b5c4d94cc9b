import { describe, expect, it } from '@jest/globals';
import { type BookRow, toBookView } from './book.js';

describe('toBookView', () => {
  it('maps a row to the JSON of docs/http-contract.md#book, keys in contract order, times as ISO-8601', () => {
    const row: BookRow = {
      id: 7,
      title: 'Kindred',
      author: 'Octavia E. Butler',
      description: '',
      isbn: null,
      version: 2,
      created_at: new Date('2026-11-27T12:00:00.000Z'),
      updated_at: new Date('2026-11-28T08:30:00.000Z'),
    };
    expect(JSON.stringify(toBookView(row))).toBe(
      '{"id":7,"title":"Kindred","author":"Octavia E. Butler","description":"","isbn":null,"version":2,' +
        '"createdAt":"2026-11-27T12:00:00.000Z","updatedAt":"2026-11-28T08:30:00.000Z"}',
    );
  });

  it('ignores columns that are not part of the contract', () => {
    const row = { id: 1, title: 't', author: 'a', description: 'd', isbn: '9780441172719', version: 1, extra: 'x' };
    const at = new Date(0);
    expect(Object.keys(toBookView({ ...row, created_at: at, updated_at: at } as BookRow))).not.toContain('extra');
  });
});
