import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmbeddedPostgres } from '../../../scripts/embedded-postgres.mjs';
import { validateEnvironment } from '#libs/config';
import { runMigrations } from '#libs/persistence';
import type { Environment } from '../../support/database.js';

/**
 * A PostgreSQL server of a test's own, so a test can stop and restart it without disturbing the suites
 * that share the run's server.
 */
export async function startDedicatedPostgres(): Promise<{
  environment: Environment;
  stop: () => Promise<void>;
  start: () => Promise<void>;
  destroy: () => Promise<void>;
}> {
  const dir = mkdtempSync(join(tmpdir(), 'library-fault-pg-'));
  chmodSync(dir, 0o755);
  const server = await startEmbeddedPostgres({ dataDir: join(dir, 'data'), persistent: true });
  await server.createDatabase('library_test');
  const environment: Environment = {
    DB_HOST: server.host,
    DB_PORT: String(server.port),
    DB_USER: server.user,
    DB_PASSWORD: server.password,
    DB_NAME: 'library_test',
    LOG_LEVEL: 'warn',
  };
  await runMigrations(validateEnvironment(environment), { info: () => undefined });
  let running = true;
  return {
    environment,
    stop: async () => {
      await server.stop();
      running = false;
    },
    start: async () => {
      await server.start();
      running = true;
    },
    destroy: async () => {
      if (running) await server.stop().catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
