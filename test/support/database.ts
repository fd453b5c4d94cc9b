import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { validateEnvironment } from '#libs/config';
import { runMigrations } from '#libs/persistence';
import { postgresServer } from './postgres-server.js';

export type Environment = Record<string, string | undefined>;

/** A database a test created for itself on the run's server, and how to drop it. */
export interface TestDatabase {
  name: string;
  drop: () => Promise<void>;
}

/** Connection settings for the run's PostgreSQL server and the given database. */
export function environmentFor(database: string, overrides: Environment = {}): Environment {
  const server = postgresServer();
  return {
    DB_HOST: server.host,
    DB_PORT: String(server.port),
    DB_USER: server.user,
    DB_PASSWORD: server.password,
    DB_NAME: database,
    LOG_LEVEL: 'silent',
    DB_STARTUP_RETRY_SECONDS: '0',
    ...overrides,
  };
}

export function adminClient(database = 'postgres'): pg.Client {
  const server = postgresServer();
  return new pg.Client({ host: server.host, port: server.port, user: server.user, password: server.password, database });
}

/** A fresh, empty database for one test file; dropped by the returned function. */
export async function createTestDatabase(prefix = 'test'): Promise<TestDatabase> {
  const name = `${prefix}_${randomBytes(4).toString('hex')}`.toLowerCase();
  const admin = adminClient();
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  return {
    name,
    drop: async () => {
      const client = adminClient();
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    },
  };
}

/** A fresh database with every migration applied. */
export async function createMigratedDatabase(prefix = 'test'): Promise<TestDatabase> {
  const database = await createTestDatabase(prefix);
  await runMigrations(validateEnvironment(environmentFor(database.name)), { info: () => undefined });
  return database;
}

/** Runs SQL as the superuser against a test database (setup and assertions, never through the services). */
export async function sql<T extends pg.QueryResultRow = pg.QueryResultRow>(
  database: string,
  text: string,
  params: unknown[] = [],
): Promise<T[]> {
  return queryOnce<T>(adminClient(database), text, params);
}

/** Connects `client`, runs one query, and closes it whatever happens. */
export async function queryOnce<T extends pg.QueryResultRow = pg.QueryResultRow>(
  client: pg.Client,
  text: string,
  params: unknown[] = [],
): Promise<T[]> {
  await client.connect();
  try {
    return (await client.query<T>(text, params)).rows;
  } finally {
    await client.end();
  }
}
