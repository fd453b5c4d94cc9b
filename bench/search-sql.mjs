// The reader's search (apps/reader BooksQueryService.search, libs/persistence BookRepository), as the ceiling and pgbench run it: the same
// statements and the same two steps, so the ceiling is a yardstick for the service's search and not a
// different search. The run checks that both answer the same JSON for a search.
// The statements themselves come from the build output (libs/persistence/src/books/search-sql.ts): one
// definition. bench/run.mjs imports this module only after it has built dist/.
import { SEARCH_START, searchTierOneSql } from '../dist/libs/persistence/src/books/search-sql.js';

export { SEARCH_START, searchTierOneSql };

export const SEARCH_SQL = {
  /**
   * @param {(name: string, text: string, values: unknown[]) => Promise<{ rows: object[] }>} query
   * @param {{ q: string, limit: number, after: { after: number, t?: number } }} request
   * @returns {Promise<{ rows: object[], next: { tier: number, after: number } | null }>} rows (up to limit + 1)
   */
  async run(query, { q, limit, after }) {
    const text = q.trim().replace(/\s+/g, ' ');
    const tier = after.t ?? (after.after > 0 ? 1 : 0);
    const wanted = limit + 1;
    const start = await query('books_search_start', SEARCH_START, [text, tier === 0 ? after.after : 0, tier === 0 ? wanted : 0, null]);
    const lexemes = start.rows[0]?.lexemes ?? [];
    const found = start.rows.filter((row) => row.id !== null).map(({ lexemes: _, ...row }) => ({ tier: 0, row }));
    if (found.length < wanted && lexemes.length > 0) {
      const { rows } = await query(`books_search_words_${lexemes.length}`, searchTierOneSql(lexemes.length), [
        text,
        tier === 1 ? after.after : 0,
        wanted - found.length,
        null,
        ...lexemes,
      ]);
      found.push(...rows.map((row) => ({ tier: 1, row })));
    }
    const last = found[limit - 1];
    return { rows: found.map(({ row }) => row), next: found.length > limit && last ? { tier: last.tier, after: last.row.id } : null };
  },
};
