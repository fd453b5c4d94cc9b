import fc from 'fast-check';
import { describe, expect, it } from '@jest/globals';
import { expectWith } from '../../../../test/support/expect-with.js';
import { normalizeIsbn } from './isbn.js';

describe('normalizeIsbn', () => {
  it.each([
    ['0-441-17271-7', '9780441172719'],
    ['0441172717', '9780441172719'],
    ['978-0-441-17271-9', '9780441172719'],
    ['978 0 441 17271 9', '9780441172719'],
    ['080442957X', '9780804429573'],
    ['080442957x', '9780804429573'],
    ['979-10-90636-07-1', '9791090636071'],
  ])('accepts %s as %s', (input, expected) => {
    expect(normalizeIsbn(input)).toBe(expected);
  });

  it.each(['0-441-17271-8', '978-0-441-17271-0', '12345', 'X441172717', '97804411727190', '9770441172719', '', 'abcdefghij'])(
    'rejects %s',
    (input) => {
      expect(normalizeIsbn(input)).toBeNull();
    },
  );

  it('maps every valid ISBN-10 to a valid ISBN-13 that normalises to itself', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 9, maxLength: 9 }), (digits) => {
        const sum = digits.reduce((total, digit, i) => total + digit * (10 - i), 0);
        const check = (11 - (sum % 11)) % 11;
        const isbn10 = digits.join('') + (check === 10 ? 'X' : String(check));
        const isbn13 = normalizeIsbn(isbn10);
        expect(isbn13).toMatch(/^978\d{10}$/);
        expect(normalizeIsbn(isbn13!)).toBe(isbn13);
      }),
    );
  });

  it('rejects any single-digit typo of a valid ISBN-13', () => {
    const valid = '9780441172719';
    for (let position = 3; position < 13; position++) {
      for (let digit = 0; digit <= 9; digit++) {
        if (String(digit) === valid[position]) continue;
        const typo = valid.slice(0, position) + digit + valid.slice(position + 1);
        expectWith(normalizeIsbn(typo), typo).toBeNull();
      }
    }
  });
});
