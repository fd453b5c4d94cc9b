import type { BookView } from './book.js';

/**
 * What free text may contain (the HTTP contract's text-field rule), once for every text field of the book
 * and the reader's text query parameters. Rejected, never normalised: a 400 names the field.
 *
 * - C0 controls (U+0000–U+001F), DEL (U+007F) and C1 controls (U+0080–U+009F): invisible, NUL cannot even
 *   be stored by PostgreSQL, and the rest corrupt logs and terminals;
 * - Unicode bidirectional formatting characters (U+202A–U+202E embeddings and overrides, U+2066–U+2069
 *   isolates, U+200E/U+200F marks, U+061C the Arabic letter mark): they reorder what a reader sees, so a
 *   title can display as something other than what is stored (the "Trojan Source" class of spoofing).
 *
 * Multi-line text (a description) may also hold the three whitespace controls of plain text: tab, line feed
 * and carriage return.
 */
const BIDI_CONTROLS = '\\u061c\\u200e\\u200f\\u202a-\\u202e\\u2066-\\u2069';
export const SINGLE_LINE_TEXT = new RegExp(`^[^\\u0000-\\u001f\\u007f-\\u009f${BIDI_CONTROLS}]*$`);
export const MULTI_LINE_TEXT = new RegExp(`^[^\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f-\\u009f${BIDI_CONTROLS}]*$`);

export type TextKind = 'single-line' | 'multi-line';

/** Every free-text field of the book, and which rule it follows. A new string field of BookView must be listed. */
export const BOOK_TEXT_FIELDS = {
  title: 'single-line',
  author: 'single-line',
  description: 'multi-line',
} as const satisfies Partial<Record<keyof BookView, TextKind>>;

export const TEXT_RULES: Record<TextKind, RegExp> = { 'single-line': SINGLE_LINE_TEXT, 'multi-line': MULTI_LINE_TEXT };

/** The 400's message for a field that breaks its rule. */
export function forbiddenCharactersMessage(field: string, kind: TextKind): string {
  return kind === 'single-line'
    ? `${field} must not contain control characters or bidirectional formatting characters`
    : `${field} must not contain control characters (other than tab, line feed and carriage return) or bidirectional formatting characters`;
}
