import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { startEmbeddedPostgres } from '../../scripts/embedded-postgres.mjs';
import { validateEnvironment } from '#libs/config';
import { runMigrations } from '#libs/persistence';
import { type Environment, queryOnce } from './database.js';

export interface DedicatedPostgres {
  /** Settings for `library_test` as the master user (`postgres`), like the `migrate` task's. */
  environment: Environment;
  /** A client of `database` as the master user (with the password it has now). */
  admin: (database?: string) => pg.Client;
  /** Runs one statement as the master user. */
  sql: <T extends pg.QueryResultRow = pg.QueryResultRow>(text: string, params?: unknown[], database?: string) => Promise<T[]>;
  /** The master password the harness logs in with; change it with `rotateMasterPassword`. */
  masterPassword: () => string;
  rotateMasterPassword: (password: string) => Promise<void>;
  stop: () => Promise<void>;
  start: () => Promise<void>;
  destroy: () => Promise<void>;
}

export interface DedicatedPostgresOptions {
  /** Serve TLS with a throwaway self-signed certificate (needs the openssl binary), as RDS does. */
  ssl?: boolean;
  /** Apply every migration to `library_test` (default true). */
  migrate?: boolean;
}

/** Whether `ssl: true` can work here: it needs openssl to make the certificate. */
export function canServeTls(): boolean {
  return spawnSync('openssl', ['version'], { stdio: 'ignore' }).status === 0;
}

/**
 * A PostgreSQL server of a test's own, for what must not disturb the suites that share the run's server:
 * stopping it, rotating the master password, creating cluster-wide roles from scratch, serving TLS.
 */
export async function startDedicatedPostgres({ ssl = false, migrate = true }: DedicatedPostgresOptions = {}): Promise<DedicatedPostgres> {
  const dir = mkdtempSync(join(tmpdir(), 'library-dedicated-pg-'));
  chmodSync(dir, 0o755);
  const server = await startEmbeddedPostgres({ dataDir: join(dir, 'data'), persistent: true, flags: ssl ? tlsFlags(dir) : [] });
  await server.createDatabase('library_test');
  let password = server.password;
  const environment: Environment = {
    DB_HOST: server.host,
    DB_PORT: String(server.port),
    DB_USER: server.user,
    DB_PASSWORD: password,
    DB_NAME: 'library_test',
    LOG_LEVEL: 'warn',
    DB_STARTUP_RETRY_SECONDS: '0',
  };
  if (migrate) await runMigrations(validateEnvironment(environment), { info: () => undefined });
  const admin = (database = 'library_test'): pg.Client =>
    new pg.Client({ host: server.host, port: server.port, user: server.user, password, database });
  const sql = <T extends pg.QueryResultRow>(text: string, params: unknown[] = [], database?: string): Promise<T[]> =>
    queryOnce<T>(admin(database), text, params);
  let running = true;
  return {
    environment,
    admin,
    sql,
    masterPassword: () => password,
    rotateMasterPassword: async (next) => {
      // The statement carries no bind parameters; the literal is quoted by PostgreSQL itself.
      const [{ statement }] = await sql<{ statement: string }>(
        `SELECT format('ALTER ROLE %I PASSWORD %L', current_user, $1::text) AS statement`,
        [next],
      );
      await sql(statement);
      password = next;
      environment.DB_PASSWORD = next;
    },
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

/**
 * A self-signed certificate for 127.0.0.1, readable only by the server's user (PostgreSQL refuses a key
 * others can read). As root, embedded-postgres runs the server as the `postgres` user.
 */
function tlsFlags(dir: string): string[] {
  const key = join(dir, 'server.key');
  const cert = join(dir, 'server.crt');
  const made = spawnSync(
    'openssl',
    [
      'req',
      '-x509',
      '-nodes',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-days',
      '1',
      '-subj',
      '/CN=127.0.0.1',
      '-keyout',
      key,
      '-out',
      cert,
    ],
    { encoding: 'utf8', timeout: 10_000 },
  );
  if (made.status !== 0) throw new Error(`openssl could not make a test certificate: ${made.stderr || made.error?.message}`);
  chmodSync(key, 0o600);
  if (process.getuid?.() === 0) {
    const id = (flag: '-u' | '-g'): number => Number(spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' }).stdout.trim());
    const [uid, gid] = [id('-u'), id('-g')];
    if (Number.isInteger(uid) && uid > 0) {
      chownSync(key, uid, gid);
      chownSync(cert, uid, gid);
    }
  }
  return ['-c', 'ssl=on', '-c', `ssl_cert_file=${cert}`, '-c', `ssl_key_file=${key}`];
}
