// The ceiling: the least a Node process can do to answer the same requests. node:http + pg with named
// prepared statements, the same pool size, the same SQL and the same JSON bytes as the services, and
// nothing else (no framework, no ORM, no validation beyond what the SQL needs, no request logging). The
// benchmark reports each service as a ratio to this server, measured side by side in the same run.
//
// Two header sets, so that nobody reaches a target by slowing the ceiling down:
//   CEILING_HEADERS=service (default): the headers the services send on the API (X-Request-Id, nosniff,
//     ETag and Cache-Control on a book, Location on a create), so the ratio compares equal wire contracts;
//   CEILING_HEADERS=bare: Content-Type and Content-Length only, what a one-file node:http server sends.
//
//   CEILING_PORT=… DB_HOST=… DB_PORT=… DB_NAME=… DB_USER=… DB_PASSWORD=… DB_POOL_MAX=10 \
//   CEILING_ROLE=reader|writer CEILING_HEADERS=service|bare node bench/ceiling.mjs
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import pg from 'pg';
// The services' own row → JSON mapper, from the build (dist/libs/contracts): the same bytes, and a lib that
// loads neither Nest nor Swagger, so the ceiling stays lean.
import { toBookView as view } from '#libs/contracts';
// The reader's own cursor code, from the build: the same cursors, checked the same way.
import {
  decodeCursor,
  decodeSearchCursor,
  encodeCursor,
  encodeSearchCursor,
  InvalidCursorError,
} from '../dist/apps/reader/src/books/page-cursor.js';
import { SEARCH_SQL } from './search-sql.mjs';

const env = process.env;
const role = env.CEILING_ROLE === 'writer' ? 'writer' : 'reader';
const bare = env.CEILING_HEADERS === 'bare';
const pool = new pg.Pool({
  host: env.DB_HOST,
  port: Number(env.DB_PORT ?? 5432),
  database: env.DB_NAME,
  user: env.DB_USER,
  password: env.DB_PASSWORD,
  max: Number(env.DB_POOL_MAX ?? 10),
  application_name: `bench-ceiling-${role}${bare ? '-bare' : ''}`,
  // The reader's sessions are read-only, like the service's.
  ...(role === 'reader' ? { options: '-c default_transaction_read_only=on' } : {}),
});
pool.on('error', () => undefined);

const COLUMNS = 'id, title, author, description, isbn, version, created_at, updated_at';
/** Named statements: parsed and planned once per connection, then only bound and executed. */
const statement = (name, text) => (values) => pool.query({ name, text, values });
const SQL = {
  byId: statement('book_by_id', `SELECT ${COLUMNS} FROM books WHERE id = $1`),
  page: statement('books_page', `SELECT ${COLUMNS} FROM books WHERE id > $1 ORDER BY id ASC LIMIT $2`),
  byAuthor: statement(
    'books_by_author',
    `SELECT ${COLUMNS} FROM books WHERE id > $1 AND lower(author) = lower($3) ORDER BY id ASC LIMIT $2`,
  ),
  insert: statement('book_insert', 'INSERT INTO books (title, author, description, isbn) VALUES ($1, $2, $3, $4) RETURNING *'),
  // PATCH: NULL keeps a column; $5 says whether isbn is set; $6 the versions If-Match accepts (NULL: any).
  update: statement(
    'book_update',
    `UPDATE books SET title = COALESCE($2, title), author = COALESCE($3, author), description = COALESCE($4, description),
            isbn = CASE WHEN $5::boolean THEN $6 ELSE isbn END, version = version + 1, updated_at = now()
      WHERE id = $1 AND ($7::int[] IS NULL OR version = ANY($7::int[])) RETURNING *`,
  ),
  ping: statement('ping', 'SELECT 1'),
};

const etagFor = (book) => `"${book.id}.${book.version}"`;
const SAFE_REQUEST_ID = /^[A-Za-z0-9._:=;-]{1,128}$/;

function send(req, res, status, body, headers = {}) {
  const payload = JSON.stringify(body);
  const base = { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(payload) };
  if (bare) res.writeHead(status, base);
  else {
    const requestId = req.headers['x-request-id'];
    res.writeHead(status, {
      ...base,
      'x-request-id': typeof requestId === 'string' && SAFE_REQUEST_ID.test(requestId) ? requestId : randomUUID(),
      'x-content-type-options': 'nosniff',
      ...headers,
    });
  }
  res.end(payload);
}

const fail = (req, res, status, message) => send(req, res, status, { statusCode: status, error: http.STATUS_CODES[status], message });

async function list(req, res, url) {
  const limit = Number(url.searchParams.get('limit') ?? 20);
  const author = url.searchParams.get('author') ?? undefined;
  const q = url.searchParams.get('q') ?? undefined;
  const cursor = url.searchParams.get('cursor');
  let after;
  try {
    after = cursor ? cursorPosition(cursor, { author, q }) : { after: 0 };
  } catch (error) {
    if (error instanceof InvalidCursorError) return fail(req, res, 400, error.message);
    throw error;
  }
  let rows;
  let next;
  if (q) {
    ({ rows, next } = await SEARCH_SQL.run((name, text, values) => pool.query({ name, text, values }), { q, limit, after }));
  } else {
    rows = (author ? await SQL.byAuthor([after.after, limit + 1, author]) : await SQL.page([after.after, limit + 1])).rows;
  }
  const items = rows.slice(0, limit).map(view);
  const last = items.at(-1);
  const nextCursor = q
    ? next
      ? encodeSearchCursor(next, { q })
      : null
    : rows.length > limit && last
      ? encodeCursor(last.id, { author })
      : null;
  send(req, res, 200, { items, nextCursor });
}

/** Where a page starts, decoded and checked by the reader's own code, with the filters the cursor was made for. */
function cursorPosition(cursor, { author, q }) {
  if (!q) return { after: decodeCursor(cursor, { author }) };
  const { tier, after } = decodeSearchCursor(cursor, { q });
  return { after, t: tier };
}

async function get(req, res, id) {
  const { rows } = await SQL.byId([id]);
  if (rows.length === 0) return fail(req, res, 404, `book ${id} not found`);
  const book = view(rows[0]);
  send(req, res, 200, book, { etag: etagFor(book), 'cache-control': 'no-cache' });
}

async function readBody(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  return JSON.parse(Buffer.concat(chunks).toString('utf8'));
}

async function create(req, res) {
  const dto = await readBody(req);
  const { rows } = await SQL.insert([dto.title, dto.author, dto.description ?? '', dto.isbn ?? null]);
  const book = view(rows[0]);
  send(req, res, 201, book, { etag: etagFor(book), location: `/books/${book.id}` });
}

async function patch(req, res, id) {
  const dto = await readBody(req);
  const ifMatch = req.headers['if-match'];
  const match = /^"(\d+)\.(\d+)"$/.exec(ifMatch ?? '');
  const versions = ifMatch ? (match && Number(match[1]) === id ? [Number(match[2])] : []) : null;
  const { rows } = await SQL.update([
    id,
    dto.title ?? null,
    dto.author ?? null,
    dto.description ?? null,
    dto.isbn !== undefined,
    dto.isbn ?? null,
    versions,
  ]);
  if (rows.length === 0) return fail(req, res, 412, `book ${id} was modified since the ETag in If-Match`);
  const book = view(rows[0]);
  send(req, res, 200, book, { etag: etagFor(book) });
}

const server = http.createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://ceiling');
  const idMatch = /^\/books\/(\d+)$/.exec(url.pathname);
  let work;
  if (url.pathname === '/health/ready') work = SQL.ping([]).then(() => send(req, res, 200, { status: 'ok' }));
  else if (req.method === 'GET' && url.pathname === '/books') work = list(req, res, url);
  else if (req.method === 'GET' && idMatch) work = get(req, res, Number(idMatch[1]));
  else if (role === 'writer' && req.method === 'POST' && url.pathname === '/books') work = create(req, res);
  else if (role === 'writer' && req.method === 'PATCH' && idMatch) work = patch(req, res, Number(idMatch[1]));
  else work = Promise.resolve(fail(req, res, 404, 'not found'));
  work.catch((error) => fail(req, res, 500, error.message));
});
server.keepAliveTimeout = 72_000;
server.listen(Number(env.CEILING_PORT ?? 0), '127.0.0.1');

process.once('SIGTERM', () => {
  server.close();
  server.closeAllConnections();
  void pool.end().finally(() => process.exit(0));
});
