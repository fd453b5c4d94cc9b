import { afterEach, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { validateEnvironment } from '#libs/config';
import { type CapturedMigration, MigrationFailedError, type RunMigrationsOptions, runMigrations } from '#libs/persistence';
import { adminClient, createMigratedDatabase, createTestDatabase, environmentFor, sql } from '../support/database.js';
import { everyJsonLine, expectStartupFailure, runToExit } from '../support/process.js';
import { applicationMigrations, sqlMigration } from './support/migrations.js';

/**
 * The migrate runner on a real PostgreSQL: lock timeouts retried and then reported with the session that
 * held the lock, migrations outside a transaction (CREATE INDEX CONCURRENTLY) mixed with transactional
 * ones, and the invalid index a failed concurrent build leaves behind.
 */
const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
});

async function migratedDatabase(prefix: string): Promise<string> {
  const database = await createMigratedDatabase(prefix);
  cleanups.push(database.drop);
  await sql(database.name, `INSERT INTO books (title, author) SELECT 'Book ' || i, 'Author ' || (i % 7) FROM generate_series(1, 200) AS i`);
  return database.name;
}

/** A session of its own, named `application_name`, holding an open transaction after `statements`. */
async function openTransaction(
  database: string,
  statements: string[],
): Promise<{ pid: number; client: pg.Client; commit: () => Promise<void> }> {
  const client = adminClient(database);
  await client.connect();
  cleanups.push(() => client.end());
  await client.query(`SET application_name = 'blocker-test'`);
  const {
    rows: [{ pid }],
  } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
  await client.query('BEGIN');
  for (const statement of statements) await client.query(statement);
  let committed: Promise<void> | undefined;
  return { pid, client, commit: () => (committed ??= client.query('COMMIT').then(() => undefined)) };
}

interface LogLine {
  message: string;
  fields?: Record<string, unknown>;
}

function migrate(database: string, options: RunMigrationsOptions, onLog: (line: LogLine) => void = () => undefined) {
  const lines: LogLine[] = [];
  const run = runMigrations(
    validateEnvironment(environmentFor(database)),
    {
      info: (message, fields) => {
        lines.push({ message, fields });
        onLog({ message, fields });
      },
    },
    options,
  );
  return { run, lines };
}

const RETRYING = 'migration waited too long for a lock; retrying';
const fastRetries = { lockTimeoutMs: 300, retryBackoffMs: 100 } as const;

describe('lock timeouts', () => {
  const AddSubtitle = sqlMigration('AddSubtitle1900000000001', ['ALTER TABLE books ADD COLUMN subtitle text']);

  it('retries a migration blocked by a lock and applies it once the blocker commits', async () => {
    const database = await migratedDatabase('lockretry');
    // An open transaction that read books holds ACCESS SHARE; ADD COLUMN wants ACCESS EXCLUSIVE (ALTER TABLE docs).
    const blocker = await openTransaction(database, ['SELECT count(*) FROM books']);
    const { run, lines } = migrate(
      database,
      { ...fastRetries, lockAttempts: 5, migrations: [...applicationMigrations, AddSubtitle] },
      (line) => {
        if (line.message === RETRYING && line.fields?.attempt === 2) void blocker.commit();
      },
    );
    const report = await run;
    expect(report.applied).toEqual(['AddSubtitle1900000000001']);
    expect(report.attempts).toBe(3);
    const retries = lines.filter((line) => line.message === RETRYING);
    expect(retries.map((line) => line.fields?.attempt)).toEqual([1, 2]);
    expect(retries[0]!.fields).toMatchObject({ migration: 'AddSubtitle1900000000001', of: 5, retryInMs: 100 });
    expect(retries[1]!.fields?.retryInMs).toBe(200); // backoff doubles
    expect(String(retries[0]!.fields?.blockedBy)).toContain(`pid ${blocker.pid} (application_name "blocker-test"`);
    const columns = await sql(database, `SELECT 1 FROM information_schema.columns WHERE table_name = 'books' AND column_name = 'subtitle'`);
    expect(columns).toHaveLength(1);
  }, 30_000);

  it('gives up after the last attempt, rolls the migration back and names the session holding the lock', async () => {
    const database = await migratedDatabase('lockgiveup');
    const blocker = await openTransaction(database, ['SELECT count(*) FROM books']);
    const { run, lines } = migrate(database, { ...fastRetries, lockAttempts: 3, migrations: [...applicationMigrations, AddSubtitle] });
    const error = await run.then(
      () => undefined,
      (failure: unknown) => failure,
    );
    expect(error).toBeInstanceOf(MigrationFailedError);
    const message = (error as Error).message;
    expect(message).toMatch(
      /^migration AddSubtitle1900000000001 failed and was rolled back: canceling statement due to lock timeout after 3 attempt\(s\), each waiting at most 300 ms/,
    );
    expect(message).toContain(`blocked by pid ${blocker.pid} (application_name "blocker-test", user postgres, idle in transaction`);
    expect(message).toContain('holding AccessShareLock on books, which conflicts with the AccessExclusiveLock the migration waited for');
    expect(message).toContain('its last query: "SELECT count(*) FROM books"');
    expect(lines.filter((line) => line.message === RETRYING)).toHaveLength(2);
    const applied = await sql(database, `SELECT 1 FROM migrations WHERE name = 'AddSubtitle1900000000001'`);
    expect(applied).toHaveLength(0);
    await blocker.commit();
  }, 30_000);

  it('the migrate command exits 1 with one fatal line naming the blocker (default settings: 5 attempts, 5 s each)', async () => {
    const fresh = await createTestDatabase('lockcli');
    cleanups.push(fresh.drop);
    // The first migration creates pg_trgm; a transaction that created it and has not committed makes that wait.
    const blocker = await openTransaction(fresh.name, ['CREATE EXTENSION pg_trgm']);
    const result = await runToExit('writer', ['migrate'], environmentFor(fresh.name, { LOG_LEVEL: 'warn' }), 120_000);
    // Exit 1, nothing on stderr, JSON only: one line per retry, then the one fatal line.
    const fatal = expectStartupFailure(result, { otherLines: 4 });
    // The same facts as fields, for a log query: the migration, the attempts, the blocking sessions.
    expect(fatal).toMatchObject({
      command: 'migrate',
      migration: 'CreateBooks1764230400000',
      attempts: 5,
      blockers: [expect.objectContaining({ pid: blocker.pid, applicationName: 'blocker-test', state: 'idle in transaction' })],
    });
    const retries = everyJsonLine(result.stdout).filter((line) => line.msg === RETRYING);
    expect(retries.map((line) => [line.attempt, line.retryInMs])).toEqual([
      [1, 2000],
      [2, 4000],
      [3, 8000],
      [4, 16000],
    ]);
    expect(fatal.msg).toMatch(
      /^migration CreateBooks1764230400000 failed and was rolled back: canceling statement due to lock timeout after 5 attempt\(s\), each waiting at most 5000 ms/,
    );
    expect(fatal.msg).toContain(`blocked by pid ${blocker.pid} (application_name "blocker-test", user postgres, idle in transaction`);
    expect(fatal.msg).toContain('its last query: "CREATE EXTENSION pg_trgm"');
    // 5 waits of 5 s and backoffs of 2+4+8+16 s: bounded, about a minute.
    expect(result.durationMs).toBeGreaterThan(50_000);
    expect(result.durationMs).toBeLessThan(80_000);
  }, 130_000);
});

describe('migrations outside a transaction', () => {
  const AddPublishedOn = sqlMigration('AddPublishedOn1900000000010', ['ALTER TABLE books ADD COLUMN published_on date']);
  const IndexPublishedOn = sqlMigration(
    'IndexPublishedOn1900000000011',
    ['CREATE INDEX CONCURRENTLY IF NOT EXISTS books_published_on_idx ON books (published_on)'],
    { transaction: false, statementTimeoutMs: 600_000 },
  );
  const CommentPublishedOn = sqlMigration('CommentPublishedOn1900000000012', [`COMMENT ON COLUMN books.published_on IS 'first edition'`]);

  it('runs a transaction = false CONCURRENTLY migration between transactional ones, each with its own settings', async () => {
    const database = await migratedDatabase('concurrently');
    const captured: CapturedMigration[] = [];
    const report = await migrate(database, {
      migrations: [...applicationMigrations, AddPublishedOn, IndexPublishedOn, CommentPublishedOn],
      capture: (migration) => captured.push(migration),
    }).run;
    expect(report.applied).toEqual(['AddPublishedOn1900000000010', 'IndexPublishedOn1900000000011', 'CommentPublishedOn1900000000012']);
    expect(captured.map(({ name, transaction }) => ({ name, transaction }))).toEqual([
      { name: 'AddPublishedOn1900000000010', transaction: true },
      { name: 'IndexPublishedOn1900000000011', transaction: false },
      { name: 'CommentPublishedOn1900000000012', transaction: true },
    ]);
    expect(captured[1]!.statements).toEqual([
      'SET lock_timeout = 5000',
      'SET statement_timeout = 600000',
      'CREATE INDEX CONCURRENTLY IF NOT EXISTS books_published_on_idx ON books (published_on)',
    ]);
    expect(captured[2]!.statements.slice(0, 2)).toEqual(['SET lock_timeout = 5000', 'SET statement_timeout = 60000']);
    const [index] = await sql(database, `SELECT indisvalid FROM pg_index WHERE indexrelid = 'books_published_on_idx'::regclass`);
    expect(index).toEqual({ indisvalid: true });
  }, 30_000);

  it('control: the same CONCURRENTLY statement in a transactional migration is refused by PostgreSQL', async () => {
    const database = await migratedDatabase('concurrentlytx');
    const InTransaction = sqlMigration('IndexInTransaction1900000000013', [
      'CREATE INDEX CONCURRENTLY IF NOT EXISTS books_created_at_idx ON books (created_at)',
    ]);
    await expect(migrate(database, { migrations: [...applicationMigrations, InTransaction] }).run).rejects.toThrow(
      /^migration IndexInTransaction1900000000013 failed and was rolled back: CREATE INDEX CONCURRENTLY cannot run inside a transaction block/,
    );
  }, 30_000);
});

describe('an invalid index left by a failed concurrent build', () => {
  const IndexCreatedAt = sqlMigration(
    'IndexCreatedAt1900000000020',
    ['CREATE INDEX CONCURRENTLY IF NOT EXISTS books_created_at_idx ON books (created_at)'],
    { transaction: false, lockTimeoutMs: 300, statementTimeoutMs: 600_000 },
  );

  /**
   * A writer's transaction left open: CREATE INDEX CONCURRENTLY takes SHARE UPDATE EXCLUSIVE (no conflict with
   * the writer's ROW EXCLUSIVE), commits the new index as INVALID, then waits for every transaction that
   * could still write the table without it (CREATE INDEX, "Building Indexes Concurrently"). That wait hits
   * lock_timeout and the build fails, leaving the INVALID index. The blocker commits once the runner has
   * logged the first retry.
   */
  async function buildThroughAFailure(dropInvalidIndexes: boolean) {
    const database = await migratedDatabase('invalidindex');
    const blocker = await openTransaction(database, [`UPDATE books SET title = title WHERE id = 1`]);
    const { run, lines } = migrate(
      database,
      { ...fastRetries, dropInvalidIndexes, migrations: [...applicationMigrations, IndexCreatedAt] },
      (line) => {
        if (line.message === RETRYING) void blocker.commit();
      },
    );
    const report = await run;
    const [index] = await sql<{ indisvalid: boolean }>(
      database,
      `SELECT indisvalid FROM pg_index WHERE indexrelid = 'books_created_at_idx'::regclass`,
    );
    return { report, lines, index, blocker };
  }

  it('is dropped before the retry, which builds the index again, valid', async () => {
    const { report, lines, index, blocker } = await buildThroughAFailure(true);
    const retry = lines.find((line) => line.message === RETRYING);
    expect(retry?.fields).toMatchObject({ migration: 'IndexCreatedAt1900000000020', attempt: 1 });
    expect(String(retry?.fields?.blockedBy)).toContain(`pid ${blocker.pid}`);
    expect(String(retry?.fields?.blockedBy)).toContain('whose open transaction the migration waited to end');
    expect(report.droppedInvalidIndexes).toEqual(['public.books_created_at_idx']);
    expect(
      lines.some((line) => line.message.startsWith('dropped an invalid index') && line.fields?.index === 'public.books_created_at_idx'),
    ).toBe(true);
    expect(report.applied).toEqual(['IndexCreatedAt1900000000020']);
    expect(index).toEqual({ indisvalid: true });
  }, 30_000);

  it('negative control: without the recovery, IF NOT EXISTS "succeeds" on the invalid index and leaves it unusable', async () => {
    const { report, index } = await buildThroughAFailure(false);
    expect(report.applied).toEqual(['IndexCreatedAt1900000000020']);
    expect(report.droppedInvalidIndexes).toEqual([]);
    expect(index).toEqual({ indisvalid: false });
  }, 30_000);
});
