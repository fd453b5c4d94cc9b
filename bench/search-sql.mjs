// The reader's search (apps/reader BooksQueryService), as the ceiling and pgbench run it: the same SQL, the
// same statements, so the ceiling is a yardstick for the service's search and not a different search.
const COLUMNS = 'id, title, author, description, isbn, version, created_at, updated_at';
const escapeLike = (text) => text.replace(/[\\%_]/g, (char) => `\\${char}`);

export const SEARCH_SQL = {
  /**
   * @param {(name: string, text: string, values: unknown[]) => Promise<{ rows: object[] }>} query
   * @param {{ q: string, limit: number, after: { after: number } }} request
   * @returns {Promise<{ rows: object[], next: number | null }>} rows (up to limit + 1) and the next cursor's id
   */
  async run(query, { q, limit, after }) {
    const match = `(title || ' ' || author) ILIKE $3`;
    const params = [after.after, limit + 1, `%${escapeLike(q)}%`];
    const head = await query(
      'search_head',
      `SELECT * FROM (SELECT ${COLUMNS} FROM books WHERE id > $1 ORDER BY id ASC LIMIT 10000) AS head WHERE ${match} ORDER BY id ASC LIMIT $2`,
      params,
    );
    let rows = head.rows;
    if (rows.length < limit + 1) {
      const rest = await query('search_rest', `SELECT ${COLUMNS} FROM books WHERE id > $1 AND ${match} ORDER BY id ASC LIMIT $2`, [
        rows.at(-1)?.id ?? after.after,
        limit + 1 - rows.length,
        params[2],
      ]);
      rows = [...rows, ...rest.rows];
    }
    return { rows, next: rows.length > limit ? rows[limit - 1].id : null };
  },
};
