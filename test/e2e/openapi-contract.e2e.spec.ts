import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createConfig, lintFromString } from '@redocly/openapi-core';
import { Ajv } from 'ajv';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { freePort } from '../../scripts/embedded-postgres.mjs';
import { createMigratedDatabase, environmentFor, sql, type TestDatabase } from '../support/database.js';
import { expectWith } from '../support/expect-with.js';
import { spawnService, type SpawnedService, waitForOk } from '../support/process.js';
import { ResponseSchemas } from '../reliability/support/openapi-schemas.js';

/**
 * The published OpenAPI documents (/docs/json) against what the services really answer. Real traffic (the
 * success and the error paths of every operation, HEAD included) goes through Stoplight Prism's validating
 * proxy, one per service, in front of the built services; every response must match the document (status,
 * headers and their schemas, body). Prism runs without --errors so that requests the document itself
 * calls invalid (the error paths) still reach the service; its findings come back in the `sl-violations`
 * header and any about the response fails the test. Two kinds of request Prism 5 cannot carry (HEAD: its
 * proxy answers 500 parsing the empty body; malformed JSON: its server never answers) go straight to the
 * service and are checked by the same rules, built here on the document (status listed, body and headers
 * matching their schemas); every proxied answer is checked by those rules too. Redocly's recommended ruleset keeps the documents
 * structurally valid OpenAPI 3.0. Everything listens on 127.0.0.1 on free ports; every process is killed
 * in afterAll.
 */

const require = createRequire(import.meta.url);
const PRISM = require.resolve('@stoplight/prism-cli/dist/index.js');
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const DUNE = { title: 'Dune', author: 'Frank Herbert', description: 'Spice.', isbn: '0-441-17271-7' };

interface Violation {
  location: string[];
  severity: string;
  code: string | number;
  message: string;
}

interface Target {
  name: 'reader' | 'writer';
  direct: string;
  proxied: string;
  document: any;
}

interface Exchange {
  service: string;
  method: string;
  path: string;
  status: number;
  headers: Headers;
  text: string;
  violations: Violation[];
}

let database: TestDatabase;
let workDir: string;
const children: ChildProcess[] = [];
const services: SpawnedService[] = [];
const targets = {} as Record<'reader' | 'writer', Target>;
const exchanges: Exchange[] = [];

async function startPrism(documentPath: string, upstream: string): Promise<string> {
  const port = await freePort();
  let output = '';
  const child = spawn(
    process.execPath,
    [PRISM, 'proxy', documentPath, upstream, '--host', '127.0.0.1', '--port', String(port), '--validate-request', 'true'],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { PATH: process.env.PATH, NO_COLOR: '1' } },
  );
  children.push(child);
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const url = `http://127.0.0.1:${port}`;
  const deadline = performance.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`prism exited (${child.exitCode}): ${output}`);
    try {
      await fetch(`${url}/health`);
      return url;
    } catch {
      if (performance.now() > deadline) throw new Error(`prism did not listen within 30 s: ${output}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

beforeAll(async () => {
  database = await createMigratedDatabase('openapi');
  workDir = mkdtempSync(join(tmpdir(), 'openapi-contract-'));
  await Promise.all(
    (['reader', 'writer'] as const).map(async (name) => {
      const port = await freePort();
      services.push(spawnService(name, [], environmentFor(database.name, { PORT: String(port) })));
      const direct = `http://127.0.0.1:${port}`;
      await waitForOk(`${direct}/health/ready`, 30_000);
      const document = await (await fetch(`${direct}/docs/json`)).json();
      const documentPath = join(workDir, `${name}.json`);
      writeFileSync(documentPath, JSON.stringify(document));
      targets[name] = { name, direct, document, proxied: await startPrism(documentPath, direct) };
    }),
  );
}, 90_000);

afterAll(async () => {
  for (const child of [...children, ...services.map((service) => service.child)]) child.kill('SIGKILL');
  if (workDir) rmSync(workDir, { recursive: true, force: true });
  await database?.drop();
});

/**
 * The document's own rules for one answer: its status is listed for the operation, its JSON body matches
 * the listed schema, and each listed response header that was sent matches its schema.
 */
function documentViolations(target: Target, method: string, path: string, status: number, headers: Headers, text: string): string[] {
  const schemas = new ResponseSchemas(target.name, target.document);
  if (!schemas.documentedStatuses(path, method).includes(status)) return [`status ${status} is not listed`];
  const problems: string[] = [];
  if (text) {
    const validate = schemas.validator(path, method, status);
    if (validate && !validate(JSON.parse(text))) problems.push(`body: ${JSON.stringify(validate.errors)}`);
  }
  const listed: Record<string, any> = target.document.paths[path][method].responses[String(status)].headers ?? {};
  for (const [name, header] of Object.entries(listed)) {
    const resolved = header.$ref ? target.document.components.headers[header.$ref.split('/').pop()] : header;
    const value = headers.get(name);
    if (value !== null && !headerAjv.validate(resolved.schema, value)) problems.push(`header ${name}: ${JSON.stringify(headerAjv.errors)}`);
  }
  return problems;
}
const headerAjv = new Ajv({ strict: false });

/**
 * One request through the service's validating proxy, or with `direct` straight to the service;
 * `operation` is the documented path it exercises.
 */
async function send(
  name: 'reader' | 'writer',
  method: string,
  url: string,
  options: { operation?: string; headers?: Record<string, string>; json?: unknown; body?: string; direct?: boolean } = {},
): Promise<Exchange> {
  const headers: Record<string, string> = { ...options.headers };
  let body = options.body;
  if (options.json !== undefined) {
    headers['content-type'] ??= 'application/json';
    body = JSON.stringify(options.json);
  }
  const target = targets[name];
  const direct = options.direct || method === 'HEAD';
  const response = await fetch(`${direct ? target.direct : target.proxied}${url}`, {
    method,
    headers,
    body,
    signal: AbortSignal.timeout(10_000),
  });
  const text = await response.text();
  const raw = response.headers.get('sl-violations');
  const path = options.operation ?? url.split('?')[0]!;
  const ownRules = documentViolations(target, method.toLowerCase(), path, response.status, response.headers, text).map(
    (message): Violation => ({ location: ['response'], severity: 'Error', code: 'document', message }),
  );
  const exchange: Exchange = {
    service: name,
    method: method.toLowerCase(),
    path,
    status: response.status,
    headers: response.headers,
    text,
    violations: [...(raw ? (JSON.parse(raw) as Violation[]) : []), ...ownRules],
  };
  if (!direct && raw === null && ownRules.length === 0 && !response.headers.has('x-request-id')) {
    throw new Error(`${method} ${url}: the answer did not come from the service through Prism: ${response.status} ${text}`);
  }
  exchanges.push(exchange);
  return exchange;
}

function responseViolations(exchange: Exchange): Violation[] {
  return exchange.violations.filter((violation) => violation.location[0] !== 'request');
}

describe('the documents are valid OpenAPI 3.0 (Redocly, recommended rules)', () => {
  it.each(['reader', 'writer'] as const)('%s: no problems', async (name) => {
    // A private service: no licence to name.
    const config = await createConfig({ extends: ['recommended'], rules: { 'info-license': 'off' } });
    const problems = await lintFromString({
      source: JSON.stringify(targets[name].document),
      absoluteRef: join(workDir, `${name}.json`),
      config,
    });
    const described = problems.map(
      (problem) => `${problem.severity} ${problem.ruleId}: ${problem.message} at ${problem.location[0]?.pointer}`,
    );
    expect(described).toEqual([]);
    expect(targets[name].document.openapi).toMatch(/^3\.0\./);
  });

  it('a document with a header lacking its schema is refused by the same lint (the check can fail)', async () => {
    const broken = structuredClone(targets.writer.document);
    broken.paths['/books'].post.responses['201'].headers.ETag = { description: 'no schema' };
    const config = await createConfig({ extends: ['recommended'], rules: { 'info-license': 'off' } });
    const problems = await lintFromString({ source: JSON.stringify(broken), absoluteRef: join(workDir, 'broken.json'), config });
    expect(problems.map((problem) => problem.ruleId)).toContain('struct');
  });
});

describe('real traffic through a validating proxy (Stoplight Prism)', () => {
  it('the reader: every operation, success and error paths', async () => {
    await sql(database.name, `INSERT INTO books (title, author, isbn) VALUES ('Kindred', 'Octavia E. Butler', NULL)`);
    const [{ id }] = await sql<{ id: number }>(database.name, `SELECT id FROM books WHERE title = 'Kindred'`);
    const one = `/books/${id}`;
    const ok = await send('reader', 'GET', one, { operation: '/books/{id}', headers: { 'x-request-id': 'contract-1' } });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('x-request-id')).toBe('contract-1');
    const etag = ok.headers.get('etag')!;
    const expectations: Array<[() => Promise<Exchange>, number]> = [
      [() => send('reader', 'GET', '/books?limit=1'), 200],
      [() => send('reader', 'GET', '/books?q=kindred&author=Octavia%20E.%20Butler'), 200],
      [() => send('reader', 'GET', '/books?limit=0'), 400],
      [() => send('reader', 'GET', '/books?q=a%E2%80%AEb'), 400],
      [() => send('reader', 'GET', '/books?cursor=forged'), 400],
      [() => send('reader', 'HEAD', '/books'), 200],
      [() => send('reader', 'HEAD', '/books?limit=0'), 400],
      [() => send('reader', 'GET', one, { operation: '/books/{id}', headers: { 'if-none-match': etag } }), 304],
      [() => send('reader', 'GET', '/books/2147483647', { operation: '/books/{id}' }), 404],
      [() => send('reader', 'GET', '/books/abc', { operation: '/books/{id}' }), 400],
      [() => send('reader', 'GET', `/books/${'1'.repeat(101)}`, { operation: '/books/{id}' }), 414],
      [() => send('reader', 'HEAD', one, { operation: '/books/{id}' }), 200],
      [() => send('reader', 'HEAD', one, { operation: '/books/{id}', headers: { 'if-none-match': etag } }), 304],
      [() => send('reader', 'HEAD', '/books/2147483647', { operation: '/books/{id}' }), 404],
      [() => send('reader', 'GET', '/health'), 200],
      [() => send('reader', 'HEAD', '/health'), 200],
      [() => send('reader', 'GET', '/health/ready'), 200],
      [() => send('reader', 'HEAD', '/health/ready'), 200],
      [() => send('reader', 'GET', '/books', { headers: { 'x-request-id': 'x'.repeat(129) } }), 200],
    ];
    for (const [request, status] of expectations) {
      const exchange = await request();
      expectWith(exchange.status, `${exchange.method} ${exchange.path}: ${exchange.text.slice(0, 200)}`).toBe(status);
    }
    expect(exchanges.at(-1)!.headers.get('x-request-id')).toMatch(UUID);
  }, 60_000);

  it('the writer: every operation, success and error paths', async () => {
    const created = await send('writer', 'POST', '/books', { json: DUNE, headers: { 'idempotency-key': 'contract-key' } });
    expect(created.status).toBe(201);
    const { id } = JSON.parse(created.text);
    const at = `/books/${id}`;
    const replay = await send('writer', 'POST', '/books', { json: DUNE, headers: { 'idempotency-key': 'contract-key' } });
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    const alias = await send('writer', 'POST', '/books/create', { json: { title: 'Alias', author: 'A' } });
    expect(alias.headers.get('deprecation')).toMatch(/^@\d+$/);
    const aliasId = JSON.parse(alias.text).id;

    const expectations: Array<[() => Promise<Exchange>, number]> = [
      [() => send('writer', 'POST', '/books', { json: { ...DUNE, isbn: '978-0-441-17271-9' } }), 409],
      [() => send('writer', 'POST', '/books', { json: { title: 'evil\u202etxt', author: 'A' } }), 400],
      [() => send('writer', 'POST', '/books', { json: { author: 'A' } }), 400],
      [() => send('writer', 'POST', '/books', { body: '{"title":', headers: { 'content-type': 'application/json' }, direct: true }), 400],
      [
        () => send('writer', 'POST', '/books', { json: { title: 'Other', author: 'B' }, headers: { 'idempotency-key': 'contract-key' } }),
        422,
      ],
      [() => send('writer', 'POST', '/books', { body: 'title=T', headers: { 'content-type': 'text/plain' } }), 415],
      [() => send('writer', 'POST', '/books', { json: { title: 'T', author: 'A', description: 'x'.repeat(70_000) } }), 413],
      [() => send('writer', 'POST', '/books/create', { json: { title: '', author: 'A' } }), 400],
      [() => send('writer', 'PUT', at, { operation: '/books/{id}', json: { title: 'Dune', author: 'F. Herbert' } }), 200],
      [() => send('writer', 'PUT', at, { operation: '/books/{id}', json: { title: 'Dune', author: 'A\u2066' } }), 400],
      [() => send('writer', 'PUT', at, { operation: '/books/{id}', json: DUNE, headers: { 'if-match': `"${id}.1"` } }), 412],
      [() => send('writer', 'PUT', `/books/${aliasId}`, { operation: '/books/{id}', json: { ...DUNE, title: 'Clash' } }), 200],
      [() => send('writer', 'PUT', at, { operation: '/books/{id}', json: { ...DUNE, title: 'Clash' } }), 409],
      [() => send('writer', 'PUT', '/books/2147483647', { operation: '/books/{id}', json: DUNE }), 404],
      [() => send('writer', 'PUT', `/books/${'9'.repeat(101)}`, { operation: '/books/{id}', json: DUNE }), 414],
      [() => send('writer', 'PATCH', at, { operation: '/books/{id}', json: { description: 'Arrakis.' } }), 200],
      [() => send('writer', 'PATCH', at, { operation: '/books/{id}', json: {} }), 400],
      [() => send('writer', 'PATCH', at, { operation: '/books/{id}', json: { title: 'x' }, headers: { 'if-match': '"0.0"' } }), 412],
      [() => send('writer', 'PATCH', '/books/2147483647', { operation: '/books/{id}', json: { title: 'x' } }), 404],
      [() => send('writer', 'PATCH', at, { operation: '/books/{id}', body: 'x', headers: { 'content-type': 'text/plain' } }), 415],
      [
        () => send('writer', 'PUT', `${at}/update`, { operation: '/books/{id}/update', json: { title: 'Dune', author: 'Frank Herbert' } }),
        200,
      ],
      [() => send('writer', 'PUT', '/books/0/update', { operation: '/books/{id}/update', json: DUNE }), 400],
      [() => send('writer', 'DELETE', at, { operation: '/books/{id}', headers: { 'if-match': '"0.0"' } }), 412],
      [() => send('writer', 'DELETE', at, { operation: '/books/{id}', body: 'x', headers: { 'content-type': 'text/plain' } }), 415],
      [() => send('writer', 'DELETE', at, { operation: '/books/{id}' }), 204],
      [() => send('writer', 'DELETE', at, { operation: '/books/{id}' }), 404],
      [() => send('writer', 'DELETE', `/books/${aliasId}/delete`, { operation: '/books/{id}/delete' }), 204],
      [() => send('writer', 'DELETE', `/books/${aliasId}/delete`, { operation: '/books/{id}/delete' }), 404],
      [() => send('writer', 'GET', '/health'), 200],
      [() => send('writer', 'HEAD', '/health'), 200],
      [() => send('writer', 'GET', '/health/ready'), 200],
      [() => send('writer', 'HEAD', '/health/ready'), 200],
    ];
    // In order: the writes depend on each other.
    for (const [request, status] of expectations) {
      const exchange = await request();
      expectWith(exchange.status, `${exchange.method} ${exchange.path}: ${exchange.text.slice(0, 200)}`).toBe(status);
    }
  }, 60_000);

  it('503 while the database refuses connections, on both services', async () => {
    await sql('postgres', `ALTER DATABASE ${database.name} ALLOW_CONNECTIONS false`);
    await sql('postgres', `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1`, [database.name]);
    try {
      const reads = await send('reader', 'GET', '/books');
      const writes = await send('writer', 'POST', '/books', { json: { title: 'T', author: 'A' } });
      const ready = await send('writer', 'GET', '/health/ready');
      for (const exchange of [reads, writes, ready]) {
        expectWith(exchange.status, `${exchange.method} ${exchange.path}: ${exchange.text}`).toBe(503);
        expect(exchange.headers.get('retry-after')).toBe('1');
      }
    } finally {
      await sql('postgres', `ALTER DATABASE ${database.name} ALLOW_CONNECTIONS true`);
    }
  });

  it('no response broke its document, and every documented operation was exercised', () => {
    const broken = exchanges
      .filter((exchange) => responseViolations(exchange).length > 0)
      .map(
        (exchange) =>
          `${exchange.service} ${exchange.method.toUpperCase()} ${exchange.path} → ${exchange.status}: ${JSON.stringify(responseViolations(exchange))}`,
      );
    expect(broken).toEqual([]);

    for (const target of Object.values(targets)) {
      const operations = Object.entries<any>(target.document.paths).flatMap(([path, item]) =>
        Object.keys(item).map((method) => `${method} ${path}`),
      );
      const exercised = new Set(
        exchanges.filter((exchange) => exchange.service === target.name).map((exchange) => `${exchange.method} ${exchange.path}`),
      );
      expect(operations.filter((operation) => !exercised.has(operation))).toEqual([]);
    }
  });

  it('Prism reports a response its document does not describe (the check can fail)', async () => {
    const doctored = structuredClone(targets.writer.document);
    delete doctored.paths['/books'].post.responses['413'];
    doctored.components.headers['X-Request-Id'].schema.pattern = '^never$';
    const documentPath = join(workDir, 'doctored.json');
    writeFileSync(documentPath, JSON.stringify(doctored));
    const proxied = await startPrism(documentPath, targets.writer.direct);
    const response = await fetch(`${proxied}/books`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ title: 'T', author: 'A', description: 'x'.repeat(70_000) }),
    });
    expect(response.status).toBe(413);
    const violations = JSON.parse(response.headers.get('sl-violations') ?? '[]') as Violation[];
    expect(violations.filter((violation) => violation.location[0] === 'response').length).toBeGreaterThan(0);
    const health = await fetch(`${proxied}/health`);
    const headerViolations = JSON.parse(health.headers.get('sl-violations') ?? '[]') as Violation[];
    expect(headerViolations.map((violation) => violation.location.join('.'))).toContain('response.header.x-request-id');
  }, 40_000);

  it('requests the services accept are valid by the documents too (no request violation on a 2xx or 304)', () => {
    const refused = exchanges
      .filter((exchange) => exchange.status < 400 && exchange.violations.some((violation) => violation.location[0] === 'request'))
      .map(
        (exchange) =>
          `${exchange.service} ${exchange.method.toUpperCase()} ${exchange.path} → ${exchange.status}: ${JSON.stringify(exchange.violations)}`,
      );
    expect(refused).toEqual([]);
  });
});

describe('answers no proxy can carry, checked against the documents directly', () => {
  it('431: listed on every operation, and its body matches the documented error schema', async () => {
    const { port } = new URL(targets.reader.direct);
    const raw = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(port), '127.0.0.1', () =>
        socket.write(`GET /books HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Padding: ${'p'.repeat(17 * 1024)}\r\n\r\n`),
      );
      let received = '';
      socket.on('data', (chunk) => (received += chunk));
      socket.on('close', () => resolve(received));
      socket.on('error', (error: NodeJS.ErrnoException) => (error.code === 'ECONNRESET' ? resolve(received) : reject(error)));
    });
    expect(raw).toMatch(/^HTTP\/1\.1 431 /);
    const body = JSON.parse(raw.slice(raw.indexOf('\r\n\r\n') + 4));
    for (const target of Object.values(targets)) {
      const schemas = new ResponseSchemas(target.name, target.document);
      for (const [path, item] of Object.entries<any>(target.document.paths)) {
        for (const method of Object.keys(item)) {
          expectWith(schemas.documentedStatuses(path, method), `${target.name} ${method} ${path}`).toEqual(
            expect.arrayContaining([400, 408, 431, 500, 503]),
          );
          const validate = schemas.validator(path, method, 431);
          if (method === 'head') continue; // no body
          expectWith(validate?.(body), `${target.name} ${method} ${path}: ${JSON.stringify(validate?.errors)}`).toBe(true);
        }
      }
    }
  });

  it('413 and 415 are listed wherever a body can be sent, 414 wherever a path has a parameter', () => {
    for (const target of Object.values(targets)) {
      const schemas = new ResponseSchemas(target.name, target.document);
      for (const [path, item] of Object.entries<any>(target.document.paths)) {
        for (const method of Object.keys(item)) {
          const statuses = schemas.documentedStatuses(path, method);
          if (['post', 'put', 'patch', 'delete'].includes(method)) expect(statuses).toEqual(expect.arrayContaining([413, 415]));
          if (path.includes('{')) expect(statuses).toContain(414);
        }
      }
    }
  });
});
