import { DataSource } from 'typeorm';
import type { EnvironmentVariables } from '#libs/config';
import { buildDataSourceOptions } from './data-source-options.js';
import { initializeWithRetry } from './initialize-with-retry.js';

/** Any constant works; it only has to be the same for every process that migrates this database. */
const MIGRATION_LOCK_ID = 7_340_519_001;

export interface MigrationReport {
  applied: string[];
}

export interface MigrationLog {
  info(message: string, fields?: Record<string, unknown>): void;
}

/**
 * Applies pending migrations, each in its own transaction, under a PostgreSQL advisory lock so two
 * `migrate` tasks started at once run one after the other instead of racing (the Django version's bug).
 */
export async function runMigrations(env: EnvironmentVariables, log: MigrationLog): Promise<MigrationReport> {
  const dataSource = new DataSource(buildDataSourceOptions(env, 'migrator'));
  await initializeWithRetry(dataSource, env.DB_STARTUP_RETRY_SECONDS, (attempt, error) =>
    log.info('database not reachable yet, retrying', { attempt, reason: error.message }),
  );
  const lockRunner = dataSource.createQueryRunner();
  try {
    await lockRunner.connect();
    await lockRunner.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_ID]);
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    return { applied: applied.map((migration) => migration.name) };
  } finally {
    await lockRunner.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_ID]).catch(() => undefined);
    await lockRunner.release();
    await dataSource.destroy();
  }
}
