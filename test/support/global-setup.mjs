// Jest globalSetup/globalTeardown of the "services" project (plain JavaScript: Jest loads these outside the
// test runtime, without its TypeScript transform and module mapping).
//
// One real PostgreSQL for the whole run: an embedded one on a free port, or the server named by DB_HOST
// (e.g. the compose database). Tests create their own databases on it, so they never touch real data;
// a user-supplied database is refused unless its name says it is for tests.
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmbeddedPostgres } from '../../scripts/embedded-postgres.mjs';
import { ensureBuild } from '../../scripts/ensure-build.mjs';

/** Where the workers find the server: Jest starts them after globalSetup, with this process's environment. */
export const POSTGRES_SERVER_VARIABLE = 'LIBRARY_TEST_POSTGRES';

export default async function setup() {
  ensureBuild(); // process-level tests run dist/, as the container does
  let server;
  if (process.env.DB_HOST) {
    const name = process.env.DB_NAME ?? 'library_test';
    if (!/test/i.test(name)) {
      throw new Error(`Refusing to run tests against DB_NAME="${name}": tests create and drop databases; use a name containing "test"`);
    }
    server = {
      host: process.env.DB_HOST,
      port: Number(process.env.DB_PORT ?? 5432),
      user: process.env.DB_USER ?? 'postgres',
      password: process.env.DB_PASSWORD ?? '',
    };
  } else {
    const dataDir = mkdtempSync(join(tmpdir(), 'library-test-pg-'));
    chmodSync(dataDir, 0o755); // as root, PostgreSQL runs as an unprivileged user that must reach its data dir
    const embedded = await startEmbeddedPostgres({ dataDir: join(dataDir, 'data'), persistent: false });
    server = embedded;
    // globalTeardown runs in this process, where globalSetup's globals are visible.
    globalThis.stopTestPostgres = async () => {
      await embedded.stop();
      rmSync(dataDir, { recursive: true, force: true });
    };
  }
  const { host, port, user, password } = server;
  process.env[POSTGRES_SERVER_VARIABLE] = JSON.stringify({ host, port, user, password });
}

export async function teardown() {
  await globalThis.stopTestPostgres?.();
}
