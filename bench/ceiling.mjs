// The ceiling: the least a Node process can do to answer the same requests. node:http + pg, the same pool
// size, the same SQL and the same JSON as the services, and nothing else (no framework, no ORM, no
// validation beyond what the SQL needs, no request logging). The benchmark reports each service as a ratio
// to this server, measured side by side on the same machine in the same run.
//
//   CEILING_PORT=… DB_HOST=… DB_PORT=… DB_NAME=… DB_USER=… DB_PASSWORD=… DB_POOL_MAX=10 \
//   CEILING_ROLE=reader|writer node bench/ceiling.mjs
import http from 'node:http';
import pg from 'pg';
// The services' own row → JSON mapper, from the build (dist/libs/contracts), so the JSON cannot drift.
import { toBookView as view } from '#libs/contracts';
import { cursorAfter, encodeCursor } from './lib/cursor.mjs';

const env = process.env;
const role = env.CEILING_ROLE === 'writer' ? 'writer' : 'reader';
const pool = new pg.Pool({
  host: env.DB_HOST,
  port: Number(env.DB_PORT ?? 5432),
  database: env.DB_NAME,
  user: env.DB_USER,
  password: env.DB_PASSWORD,
  max: Number(env.DB_POOL_MAX ?? 10),
  application_name: `bench-ceiling-${role}`,
  // The reader's sessions are read-only, like the service's.
  ...(role === 'reader' ? { options: '-c default_transaction_read_only=on' } : {}),
});
pool.on('error', () => undefined);

const COLUMNS = 'id, title, author, description, isbn, version, created_at, updated_at';

const etagFor = (book) => `"${book.id}.${book.version}"`;

function send(res, status, body, headers = {}) {
  const payload = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(payload), ...headers });
  res.end(payload);
}

const fail = (res, status, message) => send(res, status, { statusCode: status, error: http.STATUS_CODES[status], message });

async function list(res, url) {
  const limit = Number(url.searchParams.get('limit') ?? 20);
  const author = url.searchParams.get('author') ?? undefined;
  const q = url.searchParams.get('q') ?? undefined;
  const cursor = url.searchParams.get('cursor');
  const after = cursor ? cursorAfter(cursor) : 0;
  const params = [after, limit + 1];
  const filters = [];
  if (author) filters.push(`lower(author) = lower($${params.push(author)})`);
  if (q) filters.push(`(title || ' ' || author) ILIKE $${params.push(`%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`)}`);
  const page = async (values) =>
    (await pool.query(`SELECT ${COLUMNS} FROM books WHERE ${['id > $1', ...filters].join(' AND ')} ORDER BY id ASC LIMIT $2`, values)).rows;
  let rows;
  if (!q) rows = await page(params);
  else {
    // The reader's search: the next 10,000 ids first, the trigram index only for the rest of a sparse page.
    const head = `SELECT * FROM (SELECT ${COLUMNS} FROM books WHERE id > $1 ORDER BY id ASC LIMIT 10000) AS head`;
    rows = (await pool.query(`${head} WHERE ${filters.join(' AND ')} ORDER BY id ASC LIMIT $2`, params)).rows;
    if (rows.length < limit + 1) rows = [...rows, ...(await page([rows.at(-1)?.id ?? after, limit + 1 - rows.length, ...params.slice(2)]))];
  }
  const items = rows.slice(0, limit).map(view);
  const last = items.at(-1);
  send(res, 200, { items, nextCursor: rows.length > limit && last ? encodeCursor(last.id, { author, q }) : null });
}

async function get(res, id) {
  const { rows } = await pool.query(`SELECT ${COLUMNS} FROM books WHERE id = $1 LIMIT 1`, [id]);
  if (rows.length === 0) return fail(res, 404, `book ${id} not found`);
  const book = view(rows[0]);
  send(res, 200, book, { etag: etagFor(book), 'cache-control': 'no-cache' });
}

async function readBody(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  return JSON.parse(Buffer.concat(chunks).toString('utf8'));
}

async function create(req, res) {
  const dto = await readBody(req);
  const { rows } = await pool.query(`INSERT INTO books (title, author, description, isbn) VALUES ($1, $2, $3, $4) RETURNING *`, [
    dto.title,
    dto.author,
    dto.description ?? '',
    dto.isbn ?? null,
  ]);
  const book = view(rows[0]);
  send(res, 201, book, { etag: etagFor(book), location: `/books/${book.id}` });
}

async function patch(req, res, id) {
  const dto = await readBody(req);
  const fields = ['title', 'author', 'description', 'isbn'].filter((field) => dto[field] !== undefined);
  const params = [id, ...fields.map((field) => dto[field])];
  const sets = fields.map((field, i) => `"${field}" = $${i + 2}`);
  let where = 'id = $1';
  const match = /^"(\d+)\.(\d+)"$/.exec(req.headers['if-match'] ?? '');
  if (req.headers['if-match']) where += match ? ` AND version IN ($${params.push(Number(match[2]))})` : ' AND false';
  const { rows } = await pool.query(
    `UPDATE books SET ${sets.join(', ')}, version = version + 1, updated_at = CURRENT_TIMESTAMP WHERE ${where} RETURNING *`,
    params,
  );
  if (rows.length === 0) return fail(res, 412, `book ${id} was modified since the ETag in If-Match`);
  const book = view(rows[0]);
  send(res, 200, book, { etag: etagFor(book) });
}

const server = http.createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://ceiling');
  const idMatch = /^\/books\/(\d+)$/.exec(url.pathname);
  let work;
  if (url.pathname === '/health/ready') work = pool.query('SELECT 1').then(() => send(res, 200, { status: 'ok' }));
  else if (req.method === 'GET' && url.pathname === '/books') work = list(res, url);
  else if (req.method === 'GET' && idMatch) work = get(res, Number(idMatch[1]));
  else if (role === 'writer' && req.method === 'POST' && url.pathname === '/books') work = create(req, res);
  else if (role === 'writer' && req.method === 'PATCH' && idMatch) work = patch(req, res, Number(idMatch[1]));
  else work = Promise.resolve(fail(res, 404, 'not found'));
  work.catch((error) => fail(res, 500, error.message));
});
server.keepAliveTimeout = 72_000;
server.listen(Number(env.CEILING_PORT ?? 0), '127.0.0.1');

process.once('SIGTERM', () => {
  server.close();
  server.closeAllConnections();
  void pool.end().finally(() => process.exit(0));
});
