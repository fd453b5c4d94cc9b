import { setTimeout as sleep } from 'node:timers/promises';
import { DataSource, type Logger as TypeOrmLogger, MigrationExecutor, type MigrationInterface, type QueryRunner } from 'typeorm';
import type { EnvironmentVariables } from '#libs/config';
import { migrations as applicationMigrations } from '../migrations/index.js';
import { buildDataSourceOptions } from './data-source-options.js';
import { connectWithRetry } from './connect-with-retry.js';
import { describeBlockers, type LockBlocker, lockBlockersOf } from './lock-blockers.js';

/** Any constant works; it only has to be the same for every process that migrates this database. */
const MIGRATION_LOCK_ID = 7_340_519_001;

/**
 * What every migration session gets unless the migration says otherwise (docs/migrations.md).
 *
 * - `lock_timeout` 5 s: a DDL statement that waits for a lock also makes every later request on that table
 *   queue behind it (PostgreSQL docs 17, "Explicit Locking", 13.3.1: lock requests are granted in order, so
 *   an ACCESS EXCLUSIVE request waiting behind a long transaction blocks even plain SELECTs). Giving up
 *   after 5 s and retrying later bounds that stall; SQLSTATE 55P03 `lock_not_available` is what PostgreSQL
 *   raises then (Appendix A, "PostgreSQL Error Codes"; "Client Connection Defaults", lock_timeout).
 * - `statement_timeout` 60 s: nothing a migration does on a live table should take longer, except building an
 *   index or validating a constraint on a large table; those migrations raise it (`statementTimeoutMs`).
 */
export const MIGRATION_DEFAULTS = {
  lockTimeoutMs: 5_000,
  statementTimeoutMs: 60_000,
  /** Attempts of a run that keeps hitting lock timeouts, the first included. */
  lockAttempts: 5,
  /** Wait before the second attempt; doubled for each later one (2, 4, 8, 16 s). */
  retryBackoffMs: 2_000,
} as const;

/**
 * What a migration class may declare beside `name`, `up` and `down`:
 *
 * - `transaction = false` (TypeORM's own option): `up` runs outside a transaction, each statement committing on
 *   its own. Required by `CREATE INDEX CONCURRENTLY` / `DROP INDEX CONCURRENTLY`, which PostgreSQL refuses
 *   inside a transaction block. Such a migration must be safe to run again from the start (IF NOT EXISTS),
 *   since a failure leaves the statements before it applied. The runner uses TypeORM's `each` mode, the one
 *   mode that honours a per-migration `transaction` (MigrationExecutor.executePendingMigrations: `all` throws
 *   ForbiddenTransactionModeOverrideError for any migration that declares it; `each` starts a transaction
 *   only for migrations whose `transaction` is not false), so transactional and non-transactional
 *   migrations mix in one run.
 * - `lockTimeoutMs`, `statementTimeoutMs`: this migration's session settings, instead of MIGRATION_DEFAULTS.
 */
export interface MigrationSettings {
  transaction?: boolean;
  lockTimeoutMs?: number;
  statementTimeoutMs?: number;
}

export type MigrationClass = new () => MigrationInterface & MigrationSettings;

/** The SQL one migration really sent, as PostgreSQL received it (for `npm run lint:migrations`). */
export interface CapturedMigration {
  name: string;
  /** Whether `up` ran inside a transaction (observed on the query runner, not read from the class). */
  transaction: boolean;
  /** Every statement, in order: the runner's session settings first, then the migration's own. */
  statements: string[];
}

export interface MigrationReport {
  applied: string[];
  /** Invalid indexes (a failed CREATE INDEX CONCURRENTLY) dropped before the pending migrations ran. */
  droppedInvalidIndexes: string[];
  attempts: number;
}

export interface MigrationLog {
  info(message: string, fields?: Record<string, unknown>): void;
}

export interface RunMigrationsOptions {
  /** The migrations to apply, in order; the application's list by default. Tests pass their own. */
  migrations?: MigrationClass[];
  lockTimeoutMs?: number;
  statementTimeoutMs?: number;
  lockAttempts?: number;
  retryBackoffMs?: number;
  /** Drop invalid indexes before running pending migrations (default true; false only for a negative control). */
  dropInvalidIndexes?: boolean;
  /** Receives each applied migration's SQL. */
  capture?: (migration: CapturedMigration) => void;
}

/** A migration failed: a transactional one was rolled back; the migrations before it stay applied. */
export class MigrationFailedError extends Error {
  constructor(
    readonly migration: string | undefined,
    cause: unknown,
    readonly details: { transaction?: boolean; attempts?: number; blockers?: LockBlocker[]; lockTimeoutMs?: number } = {},
  ) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    const outcome =
      details.transaction === false
        ? 'failed (it runs outside a transaction: the statements before the failing one stay applied, and it runs again from the start next time)'
        : 'failed and was rolled back';
    const lockTimeout = isLockTimeout(cause)
      ? ` after ${details.attempts ?? 1} attempt(s), each waiting at most ${details.lockTimeoutMs ?? '?'} ms for its lock; ` +
        (details.blockers?.length
          ? `${describeBlockers(details.blockers)} (end that transaction or wait for it, then run migrate again)`
          : 'the session holding the lock had gone before it could be named (run migrate again)')
      : ' (fix the database or the migration, then run migrate again; the migrations before it stay applied)';
    super(`migration ${migration ?? '(unknown)'} ${outcome}: ${reason}${lockTimeout}`, { cause });
    this.name = 'MigrationFailedError';
  }
}

/** SQLSTATE 55P03 lock_not_available: what `lock_timeout` raises (PostgreSQL docs 17, Appendix A). */
function isLockTimeout(error: unknown): boolean {
  return (error as { code?: unknown } | undefined)?.code === '55P03';
}

/**
 * Applies pending migrations under a PostgreSQL advisory lock, so two `migrate` tasks started at once run one
 * after the other instead of racing (the Django version's bug). Each migration runs in its own transaction
 * unless it sets `transaction = false`, with `lock_timeout` and `statement_timeout` set for it. A run that
 * hits a lock timeout is retried a bounded number of times with backoff; the error after the last attempt
 * names the session that held the lock. Invalid indexes left by a failed CREATE INDEX CONCURRENTLY are
 * dropped before pending migrations run, so an `IF NOT EXISTS` rebuild does not mistake them for done.
 */
export async function runMigrations(
  env: EnvironmentVariables,
  log: MigrationLog,
  options: RunMigrationsOptions = {},
): Promise<MigrationReport> {
  const settings = {
    lockTimeoutMs: options.lockTimeoutMs ?? MIGRATION_DEFAULTS.lockTimeoutMs,
    statementTimeoutMs: options.statementTimeoutMs ?? MIGRATION_DEFAULTS.statementTimeoutMs,
    lockAttempts: Math.max(1, options.lockAttempts ?? MIGRATION_DEFAULTS.lockAttempts),
    retryBackoffMs: options.retryBackoffMs ?? MIGRATION_DEFAULTS.retryBackoffMs,
  };
  const recorder = new StatementRecorder();
  const dataSource = new DataSource({
    ...buildDataSourceOptions(env, 'migrator'),
    migrations: options.migrations ?? applicationMigrations,
    // TypeORM calls logQuery for every statement whatever `logging` says; only the recorder listens.
    logger: recorder,
  });
  const target = { host: env.DB_HOST, port: env.DB_PORT, database: env.DB_NAME };
  await connectWithRetry(
    target,
    () => dataSource.initialize(),
    env.DB_STARTUP_RETRY_SECONDS,
    (attempt, error) => log.info('database not reachable yet, retrying', { attempt, reason: error.message }),
  );
  const lockRunner = dataSource.createQueryRunner();
  const migrationRunner = dataSource.createQueryRunner();
  try {
    await lockRunner.connect();
    await lockRunner.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_ID]);
    await migrationRunner.connect();
    const [{ pid }] = (await migrationRunner.query('SELECT pg_backend_pid() AS pid')) as Array<{ pid: number }>;
    const state = instrumentMigrations(
      dataSource.migrations as Array<MigrationInterface & MigrationSettings>,
      migrationRunner,
      settings,
      recorder,
      options.capture,
    );
    const report: MigrationReport = { applied: [], droppedInvalidIndexes: [], attempts: 0 };
    for (let attempt = 1; ; attempt++) {
      report.attempts = attempt;
      state.current = undefined;
      // Poll at a tenth of the lock timeout in force (50 to 250 ms), so even a short wait is seen at least
      // a few times before it gives up.
      const watcher = watchBlockers(lockRunner, pid, () =>
        Math.min(250, Math.max(50, (state.running()?.lockTimeoutMs ?? settings.lockTimeoutMs) / 10)),
      );
      try {
        await setSessionTimeouts(migrationRunner, settings);
        const executor = new MigrationExecutor(dataSource, migrationRunner);
        executor.transaction = 'each';
        if ((await executor.getPendingMigrations()).length === 0) break;
        if (options.dropInvalidIndexes ?? true) {
          for (const index of await dropInvalidIndexes(migrationRunner)) {
            log.info('dropped an invalid index left by a failed concurrent build; its migration builds it again', { index });
            report.droppedInvalidIndexes.push(index);
          }
        }
        const applied = await executor.executePendingMigrations();
        report.applied.push(...applied.map((migration) => migration.name));
        break;
      } catch (error) {
        const blockers = await watcher.stop();
        const failed = state.running();
        if (isLockTimeout(error) && attempt < settings.lockAttempts) {
          const delayMs = settings.retryBackoffMs * 2 ** (attempt - 1);
          log.info('migration waited too long for a lock; retrying', {
            migration: failed?.name,
            attempt,
            of: settings.lockAttempts,
            retryInMs: delayMs,
            blockedBy: describeBlockers(blockers),
          });
          await sleep(delayMs);
          continue;
        }
        throw new MigrationFailedError(failed?.name, error, {
          transaction: failed?.transaction,
          attempts: attempt,
          blockers,
          lockTimeoutMs: failed?.lockTimeoutMs ?? settings.lockTimeoutMs,
        });
      } finally {
        await watcher.stop();
      }
    }
    return report;
  } finally {
    await migrationRunner.release().catch(() => undefined);
    await lockRunner.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_ID]).catch(() => undefined);
    await lockRunner.release().catch(() => undefined);
    await dataSource.destroy();
  }
}

interface RunningMigration {
  name: string;
  transaction: boolean;
  lockTimeoutMs: number;
  statementTimeoutMs: number;
}

/**
 * Wraps each migration's `up` so that it first sets the session's timeouts (its own or the defaults) and
 * its statements are recorded for `capture`. `state.current` names the migration running, for the error.
 */
function instrumentMigrations(
  instances: Array<MigrationInterface & MigrationSettings>,
  migrationRunner: QueryRunner,
  defaults: { lockTimeoutMs: number; statementTimeoutMs: number },
  recorder: StatementRecorder,
  capture: RunMigrationsOptions['capture'],
): { current: RunningMigration | undefined; running: () => RunningMigration | undefined } {
  const state: { current: RunningMigration | undefined; running: () => RunningMigration | undefined } = {
    current: undefined,
    running: () => state.current,
  };
  for (const instance of instances) {
    const up = instance.up.bind(instance);
    instance.up = async (queryRunner: QueryRunner) => {
      const running: RunningMigration = {
        name: instance.name ?? instance.constructor.name,
        transaction: queryRunner.isTransactionActive,
        lockTimeoutMs: instance.lockTimeoutMs ?? defaults.lockTimeoutMs,
        statementTimeoutMs: instance.statementTimeoutMs ?? defaults.statementTimeoutMs,
      };
      state.current = running;
      const statements = recorder.record(migrationRunner);
      try {
        await setSessionTimeouts(queryRunner, running);
        await up(queryRunner);
      } finally {
        recorder.stop();
      }
      capture?.({ name: running.name, transaction: running.transaction, statements });
    };
  }
  return state;
}

/**
 * Plain SET, not SET LOCAL: inside a migration's transaction it lasts until COMMIT (and is undone by a
 * rollback); outside one it lasts for the session. Every migration sets both, so none inherits another's.
 * The values are integers the runner controls, so they are written into the statement (SET takes no
 * bind parameters).
 */
async function setSessionTimeouts(runner: QueryRunner, timeouts: { lockTimeoutMs: number; statementTimeoutMs: number }): Promise<void> {
  // SET takes no bind parameters; the values are integers (Math.trunc), never text from outside.
  // eslint-disable-next-line no-restricted-syntax
  await runner.query(`SET lock_timeout = ${Math.trunc(timeouts.lockTimeoutMs)}`);
  // eslint-disable-next-line no-restricted-syntax
  await runner.query(`SET statement_timeout = ${Math.trunc(timeouts.statementTimeoutMs)}`);
}

/**
 * A CREATE INDEX CONCURRENTLY that fails (a lock timeout while it waits for older transactions, a statement
 * timeout, a uniqueness violation, a cancel) leaves an index marked INVALID that queries ignore but writes
 * still maintain; "the recommended recovery method in such cases is to drop the index and try again"
 * (PostgreSQL docs 17, CREATE INDEX, "Building Indexes Concurrently"). Worse, the retried migration's
 * `CREATE INDEX CONCURRENTLY IF NOT EXISTS` would see the name taken and succeed without building anything.
 *
 * So before pending migrations run, every invalid index in the database's own schemas is dropped with
 * DROP INDEX CONCURRENTLY (which does not block reads or writes of the table; DROP INDEX docs), except
 * an index being built right now (pg_stat_progress_create_index lists it; it is invalid until its build
 * ends) and the index of a partitioned table (relkind 'I'), which is invalid by design until every
 * partition has its index. The migrate advisory lock means no other migration is building one.
 */
async function dropInvalidIndexes(runner: QueryRunner): Promise<string[]> {
  const invalid = (await runner.query(`
    SELECT format('%I.%I', n.nspname, c.relname) AS name
      FROM pg_index i
      JOIN pg_class c ON c.oid = i.indexrelid
      JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE NOT i.indisvalid
       AND c.relkind = 'i'
       AND n.nspname NOT IN ('pg_catalog', 'information_schema')
       AND n.nspname NOT LIKE 'pg\\_toast%'
       AND NOT EXISTS (SELECT FROM pg_stat_progress_create_index p WHERE p.index_relid = i.indexrelid)
     ORDER BY 1`)) as Array<{ name: string }>;
  for (const { name } of invalid) {
    // DDL takes no bind parameters; `name` comes from format('%I.%I'), quoted by PostgreSQL itself.
    // eslint-disable-next-line no-restricted-syntax
    await runner.query(`DROP INDEX CONCURRENTLY IF EXISTS ${name}`);
  }
  return invalid.map(({ name }) => name);
}

/**
 * Polls who blocks the migration's session while it runs (pg_blocking_pids, every 50 to 250 ms, on the advisory
 * lock's connection), so that when a statement gives up on its lock the error can name the holder: by
 * then the waiting statement is cancelled and PostgreSQL no longer shows the wait. `stop` returns the
 * last blockers seen.
 */
function watchBlockers(runner: QueryRunner, pid: number, intervalMs: () => number): { stop: () => Promise<LockBlocker[]> } {
  let running = true;
  let last: LockBlocker[] = [];
  const loop = (async () => {
    // Bounded by the attempt it watches: stop() ends it, and each turn is one short catalog query.
    while (running) {
      const seen = await lockBlockersOf(runner, pid).catch(() => []);
      if (seen.length > 0) last = seen;
      if (running) await sleep(intervalMs());
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      return last;
    },
  };
}

/** A TypeORM logger that records the statements one query runner sends while recording is on. */
class StatementRecorder implements TypeOrmLogger {
  private runner: QueryRunner | undefined;
  private statements: string[] = [];

  record(runner: QueryRunner): string[] {
    this.runner = runner;
    this.statements = [];
    return this.statements;
  }

  stop(): void {
    this.runner = undefined;
  }

  logQuery(query: string, _parameters?: unknown[], queryRunner?: QueryRunner): void {
    if (this.runner && queryRunner === this.runner) this.statements.push(query);
  }

  logQueryError(): void {}
  logQuerySlow(): void {}
  logSchemaBuild(): void {}
  logMigration(): void {}
  log(): void {}
}
