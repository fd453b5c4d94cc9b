// The reader's search (apps/reader BooksQueryService.search), as the ceiling and pgbench run it: the same
// statements and the same two steps, so the ceiling is a yardstick for the service's search and not a
// different search. The run checks that both answer the same JSON for a search.
const COLUMNS = 'id, title, author, description, isbn, version, created_at, updated_at';

/** Step 1: the query's lexemes and tier 0 (books whose author is exactly the text). */
export const SEARCH_START = `
  SELECT q.lexemes, b.*
    FROM (SELECT book_search_lexemes($1, '') AS lexemes) AS q
    LEFT JOIN LATERAL (
      SELECT ${COLUMNS} FROM books
       WHERE lower(author) = lower($1) AND id > $2 AND ($4::text IS NULL OR lower(author) = lower($4))
       ORDER BY id LIMIT $3
    ) AS b ON true`;

/** Step 2 (tier 1): books with every lexeme, except tier 0's, in id order. */
export function searchTierOneSql(words) {
  const joins = Array.from(
    { length: words - 1 },
    (_, i) => `JOIN book_search_terms t${i + 2} ON t${i + 2}.book_id = t1.book_id AND t${i + 2}.lexeme = $${i + 6}`,
  );
  return `
    SELECT ${COLUMNS.split(', ')
      .map((column) => `b.${column}`)
      .join(', ')}
      FROM book_search_terms t1 ${joins.join(' ')}
      JOIN books b ON b.id = t1.book_id
     WHERE t1.lexeme = $5 AND t1.book_id > $2 AND lower(b.author) <> lower($1)
       AND ($4::text IS NULL OR lower(b.author) = lower($4))
     ORDER BY t1.book_id LIMIT $3`;
}

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
