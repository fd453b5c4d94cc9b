import fc from 'fast-check';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { expectWith } from '../support/expect-with.js';
import { freePort } from '../../scripts/embedded-postgres.mjs';
import { adminClient, createMigratedDatabase, environmentFor, sql, type TestDatabase } from '../support/database.js';
import { spawnService, type SpawnedService, waitForOk } from '../support/process.js';
import { recordFigures } from './support/load.js';
import { ResponseSchemas } from './support/openapi-schemas.js';
import { MULTI_LINE_TEXT, SINGLE_LINE_TEXT } from '#libs/contracts';

/**
 * docs/reliability.md#f-5: property-based fuzzing of every operation both services document, driven by their
 * own OpenAPI documents. Pass: no 5xx, every status documented (413/414/415 come from the HTTP layer), every
 * body matching its documented schema (or the error shape), and the books table untouched by every
 * rejected request. fast-check prints the seed and the shrunk request of any failure.
 */
const RUNS_PER_BOOKS_OPERATION = 340;
const RUNS_PER_HEALTH_OPERATION = 40;
/** HEAD (documented for every GET) runs the GET's handler without the body: fewer runs than the GET itself. */
const RUNS_PER_HEAD_OPERATION = 60;

const HOSTILE_STRINGS = [
  "' OR 1=1--",
  "'; DROP TABLE books; --",
  '" OR ""="',
  '1; SELECT pg_sleep(10)',
  '$1',
  ':id',
  '%',
  '_',
  '\\',
  '\u0000',
  '\u202e',
  '\ud800',
  '😀'.repeat(50),
  'ä'.repeat(300),
  ' ',
  '',
  '<script>alert(1)</script>',
  '../../etc/passwd',
  '{{7*7}}',
  '${jndi:ldap://x}',
  'null',
  'undefined',
  'NaN',
  'Infinity',
  '-0',
  '0x10',
  '1e309',
];
const hostileString = fc.oneof(
  fc.constantFrom(...HOSTILE_STRINGS),
  fc.string({ maxLength: 30 }),
  fc.string({ unit: 'grapheme', maxLength: 30 }),
  fc.string({ minLength: 190, maxLength: 260 }),
  fc.string({ unit: 'binary', maxLength: 20 }),
);
const hostileNumber = fc.oneof(
  fc.integer(),
  fc.constantFrom(0, -1, 2_147_483_647, 2_147_483_648, Number.MAX_SAFE_INTEGER, 1e21, -1e21, 1.5, 1e-7),
  fc.double({ noNaN: true }),
);
const anyJson: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    hostileString,
    hostileNumber,
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 3 }),
    fc.dictionary(fc.string({ maxLength: 8 }), tie('value'), { maxKeys: 3 }),
  ),
})).value;

const idSegment = fc.oneof(
  fc.integer({ min: 1, max: 25 }).map(String),
  fc.constantFrom(
    '0',
    '-1',
    '1.5',
    '1e3',
    '0x10',
    '%201',
    '1abc',
    '99999999999999999999',
    '2147483648',
    '2147483647',
    '%00',
    '%27%20OR%201=1--',
    'null',
  ),
  hostileString.map(encodePathSegment),
);

/** encodeURIComponent throws on lone surrogates; send those as raw invalid UTF-8 bytes instead. */
function encodePathSegment(value: string): string {
  try {
    return encodeURIComponent(value);
  } catch {
    return '%ED%A0%80';
  }
}

/** A body shaped like the documented request schema, with each field valid, hostile, or missing. */
function bodyFor(schema: any, components: any): fc.Arbitrary<string | undefined> {
  const resolved = schema?.$ref ? components.schemas[schema.$ref.split('/').pop()] : schema;
  const properties: Record<string, any> = resolved?.properties ?? {};
  const validValue = (name: string): fc.Arbitrary<unknown> =>
    name === 'isbn'
      ? fc.constantFrom('978-0-441-17271-9', '0-441-17271-7', '080442957X', null)
      : fc
          .string({ minLength: 1, maxLength: 40 })
          .filter((value) => value.trim().length > 0 && MULTI_LINE_TEXT.test(value) && SINGLE_LINE_TEXT.test(value));
  const field = (name: string) => fc.oneof({ weight: 3, arbitrary: validValue(name) }, { weight: 2, arbitrary: anyJson });
  const shaped = fc.record(Object.fromEntries(Object.keys(properties).map((name) => [name, field(name)])), { requiredKeys: [] });
  const withExtras = fc.tuple(
    shaped,
    fc.dictionary(fc.constantFrom('id', 'version', 'createdAt', 'admin', 'constructor', 'extra'), anyJson, { maxKeys: 2 }),
  );
  return fc.oneof(
    { weight: 6, arbitrary: shaped.map((value) => JSON.stringify(value)) },
    { weight: 2, arbitrary: withExtras.map(([value, extra]) => JSON.stringify({ ...value, ...extra })) },
    { weight: 1, arbitrary: anyJson.map((value) => JSON.stringify(value)) },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        undefined,
        '',
        '{',
        'null',
        '[]',
        '"text"',
        '{"title":"T","author":"A","__proto__":{"admin":true}}',
        '{"title":"T","author":"A","constructor":{"prototype":{"x":1}}}',
        '['.repeat(5000) + ']'.repeat(5000),
        JSON.stringify({ title: 'x'.repeat(70_000), author: 'A' }),
      ),
    },
  );
}

interface Target {
  service: 'reader' | 'writer';
  url: string;
  schemas: ResponseSchemas;
  document: any;
}

let database: TestDatabase;
const processes: SpawnedService[] = [];
const targets: Target[] = [];
let probe: pg.Client;

beforeAll(async () => {
  database = await createMigratedDatabase('fuzz');
  await sql(
    database.name,
    `INSERT INTO books (title, author, isbn) SELECT 'Seed ' || i, 'Author ' || (i % 4), NULL FROM generate_series(1, 20) AS i`,
  );
  for (const service of ['reader', 'writer'] as const) {
    const port = await freePort();
    processes.push(spawnService(service, [], environmentFor(database.name, { PORT: String(port) })));
    const url = `http://127.0.0.1:${port}`;
    await waitForOk(`${url}/health/ready`, 20_000);
    const document = await (await fetch(`${url}/docs/json`)).json();
    targets.push({ service, url, document, schemas: new ResponseSchemas(service, document) });
  }
  probe = adminClient(database.name);
  await probe.connect();
}, 60_000);

afterAll(async () => {
  await probe?.end();
  for (const child of processes) child.child.kill('SIGKILL');
  await database?.drop();
});

async function booksFingerprint(): Promise<string> {
  const { rows } = await probe.query(`SELECT md5(coalesce(string_agg(b::text, '|' ORDER BY id), '')) AS hash FROM books b`);
  return rows[0].hash;
}

describe('fuzzing every documented operation', () => {
  it('never answers 5xx, never breaks its own schema, and leaves the table alone when it refuses', async () => {
    const tally: Record<string, Record<string, number>> = {};
    let total = 0;

    for (const target of targets) {
      for (const [path, operations] of Object.entries<any>(target.document.paths)) {
        for (const [method, operation] of Object.entries<any>(operations)) {
          if (path.startsWith('/docs')) continue;
          const key = `${target.service} ${method.toUpperCase()} ${path}`;
          const counts: Record<string, number> = (tally[key] = {});
          const queryParams: string[] = (operation.parameters ?? []).filter((p: any) => p.in === 'query').map((p: any) => p.name);
          const headerNames: string[] = (operation.parameters ?? [])
            .filter((p: any) => p.in === 'header')
            .map((p: any) => p.name.toLowerCase());
          const bodySchema = operation.requestBody?.content?.['application/json']?.schema;
          const request = fc.record({
            id: idSegment,
            query: fc.dictionary(
              fc.oneof(
                { weight: 5, arbitrary: fc.constantFrom(...queryParams, 'limit') },
                { weight: 1, arbitrary: fc.string({ maxLength: 6 }) },
              ),
              fc.oneof(hostileString, hostileNumber.map(String)),
              { maxKeys: 3 },
            ),
            headers: fc.dictionary(
              fc.constantFrom(...headerNames, 'x-request-id'),
              fc.oneof(
                fc.constantFrom('"1.1"', '*', 'W/"1.1"', '"3.1", "3.2"', 'k'.repeat(300)),
                fc.string({ maxLength: 40 }).filter((v) => /^[\x20-\x7e]*$/.test(v)),
              ),
              { maxKeys: 3 },
            ),
            body: bodySchema ? bodyFor(bodySchema, target.document.components) : fc.constant(undefined),
            contentType: fc.constantFrom(
              'application/json',
              'application/json',
              'application/json',
              'application/json; charset=utf-8',
              'text/plain',
              undefined,
            ),
          });
          const runs =
            method === 'head' ? RUNS_PER_HEAD_OPERATION : path.startsWith('/health') ? RUNS_PER_HEALTH_OPERATION : RUNS_PER_BOOKS_OPERATION;

          await fc.assert(
            fc.asyncProperty(request, async ({ id, query, headers, body, contentType }) => {
              const search = Object.entries(query)
                .map(([name, value]) => `${encodePathSegment(name)}=${encodePathSegment(value)}`)
                .join('&');
              const url = `${target.url}${path.replace('{id}', id)}${search ? `?${search}` : ''}`;
              const before = await booksFingerprint();
              const response = await fetch(url, {
                method: method.toUpperCase(),
                headers: { ...headers, ...(body !== undefined && contentType ? { 'content-type': contentType } : {}) },
                body: body !== undefined && method !== 'get' ? body : undefined,
              });
              const text = await response.text();
              const after = await booksFingerprint();
              total++;
              counts[response.status] = (counts[response.status] ?? 0) + 1;

              expectWith(response.status, `${method} ${url} → ${text.slice(0, 200)}`).toBeLessThan(500);
              // Every route takes a trailing slash, so an empty id turns `/books/{id}` into `/books/`: the
              // collection's route, when the collection documents this method (GET /books), answers it.
              const collection = path.replace(/\/\{id\}$/, '');
              const answeredBy = id === '' && collection !== path && target.document.paths[collection]?.[method] ? collection : path;
              // The documents list the HTTP layer's statuses (413, 414, 415, 431…) themselves.
              const documented = target.schemas.documentedStatuses(answeredBy, method);
              expectWith(documented, `${method} ${url} answered undocumented ${response.status}`).toContain(response.status);
              if (response.status >= 400) {
                expectWith(after, `${method} ${url} was refused (${response.status}) but changed the books table`).toBe(before);
                // The error shape, with requestId equal to the X-Request-Id header; HEAD answers have no body.
                if (method === 'head') expect(text).toBe('');
                else
                  expect(JSON.parse(text)).toEqual({
                    statusCode: response.status,
                    error: expect.any(String),
                    message: expect.any(String),
                    requestId: response.headers.get('x-request-id'),
                  });
              } else if (text) {
                const validate = target.schemas.validator(answeredBy, method, response.status);
                if (validate) expectWith(validate(JSON.parse(text)), `${method} ${url}: ${JSON.stringify(validate.errors)}`).toBe(true);
              }
            }),
            { numRuns: runs, endOnFailure: true },
          );
        }
      }
    }

    expect(total).toBeGreaterThanOrEqual(2000);
    await recordFigures('fuzzing', { requests: total, byOperationAndStatus: tally });
  }, 240_000);
});
