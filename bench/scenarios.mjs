// The measured scenarios. Each builds an autocannon request (one definition, used for the service and the
// ceiling alike) and the pgbench script that runs the same SQL.
// The reader's own cursor code, from the build (bench/run.mjs imports this module only after building dist/).
import { encodeCursor } from '../dist/apps/reader/src/books/page-cursor.js';
import { SEARCH_TERMS } from './dataset.mjs';
import { SEARCH_START, searchTierOneSql } from './search-sql.mjs';

const COLUMNS = 'id, title, author, description, isbn, version, created_at, updated_at';
const randomInt = (min, max) => min + Math.floor(Math.random() * (max - min + 1));

/**
 * The reader's search (apps/reader BooksQueryService.search) for pgbench: step 1 (the lexemes and tier 0,
 * the author's own books) and, when that does not fill the page, step 2 with the term's lexemes. pgbench
 * cannot loop over an array, so the lexemes are looked up first (`lexemesOf`, PostgreSQL's own parser).
 */
async function searchScripts(lexemesOf) {
  const scripts = [];
  for (const term of SEARCH_TERMS) {
    const literal = `'${term.replace(/'/g, "''")}'`;
    const lexemes = await lexemesOf(term);
    const values = [literal, '0', '21 - :n0', 'NULL', ...lexemes.map((lexeme) => `'${lexeme.replace(/'/g, "''")}'`)];
    // The tier-1 statement with its parameters written in ($1… → values).
    const tierOne = searchTierOneSql(lexemes.length).replace(/\$(\d+)/g, (_, n) => values[Number(n) - 1]);
    scripts.push(
      [
        `SELECT count(b.id) AS n0 FROM (${SEARCH_START.replace(/\$1/g, literal).replace(/\$2/g, '0').replace(/\$3/g, '21').replace(/\$4/g, 'NULL')}) AS b \\gset`,
        '\\if :n0 < 21',
        `${tierOne.replace(/\s+/g, ' ').trim()};`,
        '\\endif',
        '',
      ].join('\n'),
    );
  }
  return scripts;
}

/** ISBN-13 with a valid check digit for a 979 prefix and a counter (the dataset uses 978: no collisions). */
export function isbnFor(counter) {
  const first12 = `979${String(counter).padStart(9, '0')}`;
  let sum = 0;
  for (let i = 0; i < 12; i++) sum += Number(first12[i]) * (i % 2 === 0 ? 1 : 3);
  return `${first12}${(10 - (sum % 10)) % 10}`;
}

/**
 * @param {{ rows: number, full: boolean }} dataset
 * @returns {Array<{ id: string, label: string, service: 'reader' | 'writer', request: () => object, pgbench: string | ((lexemesOf: (term: string) => Promise<string[]>) => Promise<string[]>), connections?: number, pgbenchClients?: number, prepare?: (query: Function) => Promise<void> }>}
 */
export function buildScenarios({ rows, full }) {
  // Deep pages start in the last tenth of the table; the cursor is the reader's own opaque format.
  const deepFrom = Math.max(0, Math.floor(rows * 0.9));
  const deepTo = Math.max(deepFrom, rows - 51);
  const deepCursors = Array.from({ length: 1000 }, () => encodeCursor(randomInt(deepFrom, deepTo), {}));
  // Writes: POST gets a fresh valid ISBN per request; PATCH walks the ids in order, so no two requests in
  // flight touch the same book, and sends the version the previous PATCH of that id returned (If-Match).
  let isbnCounter = 1;
  let patchCursor = 0;
  const versions = new Map();
  // PATCH rewrites descriptions (not searched), so the search scenarios and pgbench still see the dataset.
  const patchDescriptions = ['Revised edition.', 'Second printing, corrected.', 'Annotated text.', 'Collected works, volume one.'];

  return [
    {
      id: 'get-by-id',
      label: 'GET /books/:id (random id)',
      service: 'reader',
      request: () => ({
        method: 'GET',
        setupRequest: (req) => ({ ...req, path: `/books/${randomInt(1, rows)}` }),
      }),
      pgbench: `\\set id random(1, ${rows})\nSELECT ${COLUMNS} FROM books WHERE id = :id;\n`,
    },
    {
      id: 'first-page',
      label: 'GET /books?limit=50 (first page)',
      service: 'reader',
      request: () => ({ method: 'GET', path: '/books?limit=50' }),
      pgbench: `SELECT ${COLUMNS} FROM books WHERE id > 0 ORDER BY id ASC LIMIT 51;\n`,
    },
    {
      id: 'deep-page',
      label: `GET /books?limit=50&cursor= (deep page, ids > ${deepFrom.toLocaleString('en')} of ${rows.toLocaleString('en')}${full ? '' : '; 1M with --full'})`,
      service: 'reader',
      request: () => ({
        method: 'GET',
        setupRequest: (req) => ({ ...req, path: `/books?limit=50&cursor=${deepCursors[randomInt(0, deepCursors.length - 1)]}` }),
      }),
      pgbench: `\\set after random(${deepFrom}, ${deepTo})\nSELECT ${COLUMNS} FROM books WHERE id > :after ORDER BY id ASC LIMIT 51;\n`,
    },
    {
      id: 'search',
      label: `GET /books?q= (search: ${SEARCH_TERMS.map((term) => `"${term}"`).join(', ')})`,
      service: 'reader',
      request: () => ({
        method: 'GET',
        setupRequest: (req) => ({ ...req, path: `/books?q=${encodeURIComponent(SEARCH_TERMS[randomInt(0, SEARCH_TERMS.length - 1)])}` }),
      }),
      // pgbench cannot pick a random string: one script per term, chosen at random with equal weights.
      pgbench: searchScripts,
    },
    {
      // The same searches one at a time: the query's own latency, without 50 requests queueing for 10
      // connections on a 2-core machine.
      id: 'search-1conn',
      label: 'GET /books?q= (same terms, 1 connection: unqueued latency)',
      service: 'reader',
      connections: 1,
      request: () => ({
        method: 'GET',
        setupRequest: (req) => ({ ...req, path: `/books?q=${encodeURIComponent(SEARCH_TERMS[randomInt(0, SEARCH_TERMS.length - 1)])}` }),
      }),
      pgbench: searchScripts,
      pgbenchClients: 1,
    },
    {
      id: 'post',
      label: 'POST /books',
      service: 'writer',
      request: () => ({
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        setupRequest: (req) => {
          const n = isbnCounter++;
          return {
            ...req,
            path: '/books',
            body: JSON.stringify({
              title: `Benchmark Volume ${n}`,
              author: 'Bench Mark',
              description: 'Written by the benchmark.',
              isbn: isbnFor(n),
            }),
          };
        },
      }),
      pgbench: `INSERT INTO books (title, author, description, isbn) VALUES ('Benchmark Volume', 'pgbench', 'Written by pgbench.', NULL) RETURNING *;\n`,
    },
    {
      id: 'patch',
      label: 'PATCH /books/:id (If-Match)',
      service: 'writer',
      // autocannon drops the responses still in flight when a window ends, and pgbench or the other target
      // may have written since: re-read the versions before every window instead of trusting the map.
      prepare: async (query) => {
        versions.clear();
        const { rows: changed } = await query('SELECT id, version FROM books WHERE version > 1 AND id <= $1', [rows]);
        for (const row of changed) versions.set(row.id, row.version);
      },
      request: () => ({
        method: 'PATCH',
        setupRequest: (req, context) => {
          const id = (patchCursor++ % rows) + 1;
          context.id = id;
          return {
            ...req,
            path: `/books/${id}`,
            headers: { 'content-type': 'application/json', 'if-match': `"${id}.${versions.get(id) ?? 1}"` },
            body: JSON.stringify({ description: patchDescriptions[id % patchDescriptions.length] }),
          };
        },
        // The new version from the body, not the ETag: the bare ceiling sends no ETag.
        onResponse: (status, body, context) => {
          const match = /"version":(\d+)/.exec(body ?? '');
          if (status === 200 && match) versions.set(context.id, Number(match[1]));
        },
      }),
      pgbench: `\\set id random(1, ${rows})\nUPDATE books SET description = 'Revised edition.', version = version + 1, updated_at = CURRENT_TIMESTAMP WHERE id = :id RETURNING *;\n`,
    },
  ];
}
