import { describe, expect, it } from '@jest/globals';
import type { BookView } from './book.js';
import { BOOK_TEXT_FIELDS, MULTI_LINE_TEXT, SINGLE_LINE_TEXT } from './text.js';

const code = (cp: number) => String.fromCodePoint(cp);
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

const C0_AND_DEL = [...range(0x00, 0x1f), 0x7f];
const C1 = range(0x80, 0x9f);
const BIDI = [...range(0x202a, 0x202e), ...range(0x2066, 0x2069), 0x200e, 0x200f, 0x061c];

describe('text rules', () => {
  it.each([...C0_AND_DEL, ...C1, ...BIDI].map((cp): [string, number] => [`U+${cp.toString(16).padStart(4, '0')}`, cp]))(
    'single-line text refuses %s',
    (_name, cp) => {
      expect(SINGLE_LINE_TEXT.test(`a${code(cp)}b`)).toBe(false);
    },
  );

  it('multi-line text allows tab, LF and CR, and refuses every other control and bidi character', () => {
    for (const cp of [0x09, 0x0a, 0x0d]) expect(MULTI_LINE_TEXT.test(`a${code(cp)}b`)).toBe(true);
    const refused = [...C0_AND_DEL.filter((cp) => ![0x09, 0x0a, 0x0d].includes(cp)), ...C1, ...BIDI];
    for (const cp of refused) expect([cp, MULTI_LINE_TEXT.test(`a${code(cp)}b`)]).toEqual([cp, false]);
  });

  it('accepts ordinary text in any script, emoji, and the neighbours of the refused ranges', () => {
    for (const text of ['Le Guin', 'Ἰλιάς', 'שלום', 'كتاب', '日本語', '😀', '\u00a0é', '\u200d', '\u202f', '\u2070']) {
      expect([text, SINGLE_LINE_TEXT.test(text)]).toEqual([text, true]);
    }
    // U+200D (zero-width joiner, needed by emoji sequences) and U+202F (narrow no-break space) are not bidi controls.
    expect(SINGLE_LINE_TEXT.test('👩\u200d💻 \u202f')).toBe(true);
  });

  it('lists every string field of the book that is free text', () => {
    const sample: BookView = { id: 1, title: '', author: '', description: '', isbn: null, version: 1, createdAt: '', updatedAt: '' };
    const notFreeText = new Set(['isbn', 'createdAt', 'updatedAt']);
    const stringFields = Object.entries(sample)
      .filter(([name, value]) => typeof value === 'string' && !notFreeText.has(name))
      .map(([name]) => name);
    expect(Object.keys(BOOK_TEXT_FIELDS).sort()).toEqual(stringFields.sort());
  });
});
