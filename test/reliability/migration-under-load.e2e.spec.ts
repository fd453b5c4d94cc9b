import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { freePort } from '../../scripts/embedded-postgres.mjs';
import { readRequest, writeRequest } from '../../scripts/migration-load-mix.mjs';
import { validateEnvironment } from '#libs/config';
import { type MigrationClass, runMigrations } from '#libs/persistence';
import { createMigratedDatabase, type Environment, environmentFor, sql, type TestDatabase } from '../support/database.js';
import { expectWith } from '../support/expect-with.js';
import { spawnService, type SpawnedService, waitForOk } from '../support/process.js';
import { applicationMigrations, sqlMigration } from '../migrations/support/migrations.js';
import { countBy, now, percentile, recordFigures, runLoad, type Sample } from './support/load.js';

/**
 * A representative migration under load (docs/migrations.md): a trigram GIN index, the kind the
 * search work adds, built CONCURRENTLY on a table of 10^5 books while the writer takes a steady stream of
 * POSTs and PATCHes and the reader GETs. Pass: zero failed requests, with the services' statement timeout cut
 * to 1 s so that any write the build blocked for longer fails instead of only getting slow. The control
 * builds the same index without CONCURRENTLY (SHARE lock: writes wait for the whole build) and must fail.
 */
const ROWS = 100_000;
const STATEMENT_TIMEOUT_MS = 1000;

let database: TestDatabase;
let environment: Environment;
const services: SpawnedService[] = [];

async function start(name: 'reader' | 'writer'): Promise<string> {
  const port = await freePort();
  const service = spawnService(name, [], { ...environment, PORT: String(port) });
  services.push(service);
  const url = `http://127.0.0.1:${port}`;
  await waitForOk(`${url}/health/ready`, 30_000);
  return url;
}

let readerUrl: string;
let writerUrl: string;

beforeAll(async () => {
  database = await createMigratedDatabase('underload');
  await sql(
    database.name,
    `INSERT INTO books (title, author, description)
     SELECT 'Title ' || md5(i::text), 'Author ' || (i % 1000), 'Description of book ' || i FROM generate_series(1, ${ROWS}) AS i`,
  );
  await sql(database.name, 'ANALYZE books');
  environment = environmentFor(database.name, {
    LOG_LEVEL: 'warn',
    DB_STATEMENT_TIMEOUT_MS: String(STATEMENT_TIMEOUT_MS),
  });
  [readerUrl, writerUrl] = await Promise.all([start('reader'), start('writer')]);
}, 120_000);

afterAll(async () => {
  for (const service of services) service.child.kill('SIGKILL');
  await database?.drop();
});

/** Load in 1 s rounds until `done()` (bounded by `maxRounds`), so it covers a migration of unknown length. */
async function loadUntil(done: () => boolean, maxRounds: number): Promise<Sample[]> {
  const samples: Sample[] = [];
  for (let round = 0; round < maxRounds && !done(); round++) {
    const [reads, writes] = await Promise.all([
      runLoad({
        durationMs: 1000,
        concurrency: 8,
        maxRequests: 5000,
        timeoutMs: 10_000,
        next: (sequence) => readRequest(readerUrl, sequence, ROWS),
      }),
      runLoad({
        durationMs: 1000,
        concurrency: 4,
        maxRequests: 5000,
        timeoutMs: 10_000,
        next: (sequence) => writeRequest(writerUrl, sequence, ROWS, round),
      }),
    ]);
    samples.push(...reads, ...writes);
  }
  return samples;
}

const ok = (sample: Sample): boolean => sample.status >= 200 && sample.status < 300;
const p99 = (samples: Sample[]): number =>
  Math.round(
    percentile(
      samples.map((sample) => sample.endedAt - sample.startedAt),
      99,
    ),
  );

async function migrateUnderLoad(index: MigrationClass, indexName: string) {
  let migrationStart = Number.POSITIVE_INFINITY;
  let migrationEnd = Number.POSITIVE_INFINITY;
  const loadStart = now();
  const load = loadUntil(() => now() > migrationEnd + 2000, 120);
  await new Promise((resolve) => setTimeout(resolve, 5000)); // the baseline
  migrationStart = now();
  const migration = await runMigrations(
    validateEnvironment(environmentFor(database.name)),
    { info: () => undefined },
    {
      migrations: [...applicationMigrations, index],
    },
  ).then(
    (report) => ({ report, error: undefined }),
    (error: Error) => ({ report: undefined, error }),
  );
  migrationEnd = now();
  const samples = await load;
  const before = samples.filter((sample) => sample.startedAt >= loadStart + 1000 && sample.startedAt < migrationStart);
  const during = samples.filter((sample) => sample.endedAt > migrationStart && sample.startedAt < migrationEnd);
  const failed = samples.filter((sample) => !ok(sample));
  const [row] = await sql<{ indisvalid: boolean }>(database.name, `SELECT indisvalid FROM pg_index WHERE indexrelid = to_regclass($1)`, [
    indexName,
  ]);
  await sql(database.name, `DROP INDEX IF EXISTS ${indexName}`);
  await sql(database.name, `DELETE FROM migrations WHERE name = $1`, [new index().name]);
  const writes = (list: Sample[]) => list.filter((sample) => sample.name === 'POST /books' || sample.name === 'PATCH /books/:id');
  return {
    migration,
    indexValid: row?.indisvalid,
    migrationMs: Math.round(migrationEnd - migrationStart),
    requests: samples.length,
    failed,
    failedByStatus: countBy(failed, (sample) => sample.status),
    before,
    during,
    figures: {
      rows: ROWS,
      migrationMs: Math.round(migrationEnd - migrationStart),
      requests: samples.length,
      failedRequests: failed.length,
      requestsBefore: before.length,
      requestsDuring: during.length,
      p99BeforeMs: p99(before),
      p99DuringMs: p99(during),
      writeP99BeforeMs: p99(writes(before)),
      writeP99DuringMs: p99(writes(during)),
      readP99BeforeMs: p99(before.filter((sample) => sample.name.startsWith('GET'))),
      readP99DuringMs: p99(during.filter((sample) => sample.name.startsWith('GET'))),
    },
  };
}

describe('a CONCURRENTLY index migration under read and write load', () => {
  it(`builds a trigram index on ${ROWS.toLocaleString('en')} books with zero failed requests`, async () => {
    const concurrent = sqlMigration(
      'IndexTitleTrigram1900000000301',
      ['CREATE INDEX CONCURRENTLY IF NOT EXISTS books_title_trgm_load_idx ON books USING gin (lower(title) gin_trgm_ops)'],
      { transaction: false, statementTimeoutMs: 30 * 60_000 },
    );
    const result = await migrateUnderLoad(concurrent, 'books_title_trgm_load_idx');
    expectWith(result.migration.error, String(result.migration.error?.stack)).toBeUndefined();
    expect(result.indexValid).toBe(true);
    expect(result.figures.requestsBefore).toBeGreaterThan(100);
    expect(result.figures.requestsDuring).toBeGreaterThan(50);
    expectWith(result.failed.length, `failed: ${JSON.stringify(result.failedByStatus)}; ${JSON.stringify(result.failed.slice(0, 5))}`).toBe(
      0,
    );
    await recordFigures('migrationUnderLoad', result.figures);
  }, 180_000);

  it('control: the same index without CONCURRENTLY blocks writes past the statement timeout, so requests fail', async () => {
    const blocking = sqlMigration('IndexTitleTrigramBlocking1900000000302', [
      'CREATE INDEX IF NOT EXISTS books_title_trgm_blocking_idx ON books USING gin (lower(title) gin_trgm_ops)',
    ]);
    const result = await migrateUnderLoad(blocking, 'books_title_trgm_blocking_idx');
    expect(result.migration.error).toBeUndefined();
    expectWith(
      result.migrationMs,
      'the plain build must outlast the 1 s statement timeout for the control to mean anything',
    ).toBeGreaterThan(STATEMENT_TIMEOUT_MS);
    expect(result.failed.length).toBeGreaterThan(0);
    expect(result.failed.every((sample) => sample.name === 'POST /books' || sample.name === 'PATCH /books/:id')).toBe(true);
    await recordFigures('migrationUnderLoadControl', { ...result.figures, failedByStatus: result.failedByStatus });
  }, 180_000);
});
