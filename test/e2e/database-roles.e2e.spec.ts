import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { validateEnvironment } from '#libs/config';
import { runMigrations } from '#libs/persistence';
import { createMigratedDatabase, environmentFor, sql, type TestDatabase } from '../support/database.js';
import { startDedicatedPostgres } from '../support/dedicated-postgres.js';
import { postgresServer } from '../support/postgres-server.js';
import { SERVICE_ROLES, TEST_ROLE_PASSWORD } from '../support/service-roles.js';
import { serviceRolesReady } from '../support/services.js';

/**
 * docs/reliability.md#r-1: each service logs in as its own least-privilege role (the migration
 * …-create-service-roles.ts). Proven here on real PostgreSQL by logging in as each role directly, without
 * the reader's read-only session setting, so what stops a write is the role's privileges alone.
 */

let database: TestDatabase;

beforeAll(async () => {
  database = await createMigratedDatabase('roles');
  await serviceRolesReady();
  await sql(database.name, `INSERT INTO books (title, author) VALUES ('Dune', 'Frank Herbert')`);
  await sql(
    database.name,
    `INSERT INTO idempotency_keys (key, request_hash, response_code, response_body) VALUES ('k', repeat('0', 64), 201, '{}')`,
  );
});
afterAll(async () => {
  await database?.drop();
});

/** Runs `body` with a client logged in as `role` (password auth, as locally; on RDS an IAM token). */
async function as<T>(role: string, body: (client: pg.Client) => Promise<T>): Promise<T> {
  const server = postgresServer();
  const client = new pg.Client({ host: server.host, port: server.port, user: role, password: TEST_ROLE_PASSWORD, database: database.name });
  await client.connect();
  try {
    return await body(client);
  } finally {
    await client.end();
  }
}

const PERMISSION_DENIED = /permission denied|must be owner/;

describe('library_reader', () => {
  it('reads books', async () => {
    const rows = await as(SERVICE_ROLES.reader, async (client) => (await client.query('SELECT title FROM books')).rows);
    expect(rows).toEqual([{ title: 'Dune' }]);
  });

  it('reads the search terms and searches with them', async () => {
    const rows = await as(SERVICE_ROLES.reader, async (client) => {
      await client.query('SET default_transaction_read_only = on');
      return (
        await client.query(
          `SELECT b.title FROM book_search_terms t JOIN books b ON b.id = t.book_id WHERE t.lexeme = ANY (book_search_lexemes('dunes', ''))`,
        )
      ).rows;
    });
    expect(rows).toEqual([{ title: 'Dune' }]);
  });

  it.each([
    ['INSERT', `INSERT INTO books (title, author) VALUES ('x', 'y')`],
    ['UPDATE', `UPDATE books SET title = 'x'`],
    ['DELETE', 'DELETE FROM books'],
    ['TRUNCATE', 'TRUNCATE books'],
    ['SELECT idempotency_keys', 'SELECT * FROM idempotency_keys'],
    [
      'INSERT idempotency_keys',
      `INSERT INTO idempotency_keys (key, request_hash, response_code, response_body) VALUES ('x', 'x', 1, '{}')`,
    ],
    ['SELECT migrations', 'SELECT * FROM migrations'],
    ['INSERT book_search_terms', `INSERT INTO book_search_terms VALUES ('x', 1)`],
    ['CREATE TABLE', 'CREATE TABLE mine (id int)'],
    ['CREATE TEMP TABLE', 'CREATE TEMP TABLE mine (id int)'],
  ])('may not %s, even in a read-write transaction', async (_name, statement) => {
    await as(SERVICE_ROLES.reader, async (client) => {
      await client.query('SET default_transaction_read_only = off');
      await expect(client.query(statement)).rejects.toThrow(PERMISSION_DENIED);
    });
    expect(await sql(database.name, 'SELECT title FROM books')).toEqual([{ title: 'Dune' }]);
  });
});

describe('library_writer', () => {
  it('reads and writes books and idempotency keys, and uses the id sequence', async () => {
    await as(SERVICE_ROLES.writer, async (client) => {
      const [inserted] = (await client.query(`INSERT INTO books (title, author) VALUES ('Kindred', 'Octavia E. Butler') RETURNING id`))
        .rows;
      await client.query(`UPDATE books SET title = 'Kindred (1979)' WHERE id = $1`, [inserted.id]);
      await client.query(`DELETE FROM books WHERE id = $1`, [inserted.id]);
      await client.query(
        `INSERT INTO idempotency_keys (key, request_hash, response_code, response_body) VALUES ('w', repeat('1', 64), 201, '{}')`,
      );
      await client.query(`UPDATE idempotency_keys SET response_code = 200 WHERE key = 'w'`);
      await client.query(`DELETE FROM idempotency_keys WHERE key = 'w'`);
      expect((await client.query(`SELECT nextval('books_id_seq') > 0 AS ok`)).rows).toEqual([{ ok: true }]);
    });
  });

  it('keeps the search terms through the triggers, without any privilege on their table', async () => {
    const termsOf = async (id: number) =>
      (await sql(database.name, 'SELECT lexeme FROM book_search_terms WHERE book_id = $1 ORDER BY lexeme', [id])).map((row) => row.lexeme);
    await as(SERVICE_ROLES.writer, async (client) => {
      const [{ id }] = (
        await client.query(`INSERT INTO books (title, author) VALUES ('Parable of the Sower', 'Octavia E. Butler') RETURNING id`)
      ).rows;
      expect(await termsOf(id)).toEqual(['butler', 'e', 'octavia', 'parabl', 'sower']);
      await client.query(`UPDATE books SET title = 'Parable of the Talents' WHERE id = $1`, [id]);
      expect(await termsOf(id)).toEqual(['butler', 'e', 'octavia', 'parabl', 'talent']);
      await client.query(`DELETE FROM books WHERE id = $1`, [id]);
      expect(await termsOf(id)).toEqual([]);
      await expect(client.query(`INSERT INTO book_search_terms VALUES ('x', 1)`)).rejects.toThrow(PERMISSION_DENIED);
      await expect(client.query(`DELETE FROM book_search_terms`)).rejects.toThrow(PERMISSION_DENIED);
    });
  });

  it.each([
    ['CREATE TABLE', 'CREATE TABLE mine (id int)'],
    ['CREATE TEMP TABLE', 'CREATE TEMP TABLE mine (id int)'],
    ['DROP TABLE', 'DROP TABLE books'],
    ['ALTER TABLE', 'ALTER TABLE books ADD COLUMN rating int'],
    ['CREATE INDEX', 'CREATE INDEX mine ON books (title)'],
    ['TRUNCATE', 'TRUNCATE books'],
    ['touch migrations', 'DELETE FROM migrations'],
    ['create a role', 'CREATE ROLE mine'],
  ])('may not %s', async (_name, statement) => {
    await as(SERVICE_ROLES.writer, (client) => expect(client.query(statement)).rejects.toThrow(PERMISSION_DENIED));
    expect(await sql(database.name, 'SELECT count(*)::int AS count FROM books')).toEqual([{ count: 1 }]);
  });
});

describe('privileges of every table', () => {
  /**
   * The one list of who may do what. A migration that adds a table must grant on it (or decide nobody may),
   * and this list must say so: a table missing here fails the test.
   */
  const EXPECTED: Record<string, Record<string, string[]>> = {
    books: { library_reader: ['SELECT'], library_writer: ['DELETE', 'INSERT', 'SELECT', 'UPDATE'] },
    // Written only by the triggers on books (SECURITY DEFINER, migration CreateBookSearchTerms).
    book_search_terms: { library_reader: ['SELECT'], library_writer: [] },
    idempotency_keys: { library_reader: [], library_writer: ['DELETE', 'INSERT', 'SELECT', 'UPDATE'] },
    migrations: { library_reader: [], library_writer: [] },
    books_id_seq: { library_reader: [], library_writer: ['SELECT', 'USAGE'] },
    migrations_id_seq: { library_reader: [], library_writer: [] },
  };

  it('match the list, for tables and sequences alike', async () => {
    const rows = await sql<{ name: string; role: string; privileges: string[] }>(
      database.name,
      `SELECT c.relname AS name, r.rolname AS role,
              array(SELECT p FROM unnest(ARRAY['SELECT','INSERT','UPDATE','DELETE','TRUNCATE','REFERENCES','TRIGGER','USAGE']) p
                     WHERE CASE WHEN c.relkind = 'S'
                                THEN p IN ('SELECT', 'USAGE', 'UPDATE') AND has_sequence_privilege(r.rolname, c.oid, p)
                                ELSE p <> 'USAGE' AND has_table_privilege(r.rolname, c.oid, p) END
                     ORDER BY p) AS privileges
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         CROSS JOIN pg_roles r
        WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm', 'S') AND r.rolname IN ('library_reader', 'library_writer')
        ORDER BY 1, 2`,
    );
    const actual: Record<string, Record<string, string[]>> = {};
    for (const row of rows) (actual[row.name] ??= {})[row.role] = row.privileges;
    expect(actual).toEqual(EXPECTED);
  });

  it('neither role owns anything, can create roles or databases, or bypasses row security', async () => {
    const roles = await sql(
      database.name,
      `SELECT rolname, rolcanlogin, rolsuper, rolcreaterole, rolcreatedb, rolbypassrls
         FROM pg_roles WHERE rolname IN ('library_reader', 'library_writer') ORDER BY 1`,
    );
    expect(roles).toEqual(
      Object.values(SERVICE_ROLES).map((rolname) => ({
        rolname,
        rolcanlogin: true,
        rolsuper: false,
        rolcreaterole: false,
        rolcreatedb: false,
        rolbypassrls: false,
      })),
    );
    const owned = await sql(
      database.name,
      `SELECT relname FROM pg_class WHERE relowner IN (SELECT oid FROM pg_roles WHERE rolname LIKE 'library\\_%')`,
    );
    expect(owned).toEqual([]);
  });
});

describe('the roles migration on a server of its own', () => {
  it('creates the roles once while six databases migrate at once, grants rds_iam when it exists, and can run again', async () => {
    const server = await startDedicatedPostgres({ migrate: false });
    try {
      // What RDS has and plain PostgreSQL has not.
      await server.sql('CREATE ROLE rds_iam');
      const names = Array.from({ length: 6 }, (_, i) => `roles_race_${i}`);
      for (const name of names) await server.sql(`CREATE DATABASE ${name}`);
      const settings = (name: string) => validateEnvironment({ ...server.environment, DB_NAME: name });
      const runs = await Promise.allSettled(names.map((name) => runMigrations(settings(name), { info: () => undefined })));
      expect(runs.map((run) => (run.status === 'rejected' ? String(run.reason) : 'ok'))).toEqual(names.map(() => 'ok'));

      const members = await server.sql(
        `SELECT r.rolname FROM pg_auth_members m JOIN pg_roles r ON r.oid = m.member
          WHERE m.roleid = (SELECT oid FROM pg_roles WHERE rolname = 'rds_iam') ORDER BY 1`,
      );
      expect(members.map((row) => row.rolname)).toEqual(['library_reader', 'library_writer']);
      const passwords = await server.sql(
        `SELECT rolname, rolpassword IS NULL AS no_password FROM pg_authid WHERE rolname LIKE 'library\\_%' ORDER BY 1`,
      );
      expect(passwords).toEqual([
        { rolname: 'library_reader', no_password: true },
        { rolname: 'library_writer', no_password: true },
      ]);
      for (const name of names) {
        const [grants] = await server.sql(
          `SELECT has_table_privilege('library_reader', 'books', 'SELECT') AS reader_reads,
                  has_table_privilege('library_reader', 'books', 'INSERT') AS reader_inserts,
                  has_table_privilege('library_writer', 'idempotency_keys', 'INSERT') AS writer_inserts`,
          [],
          name,
        );
        expect(grants).toEqual({ reader_reads: true, reader_inserts: false, writer_inserts: true });
      }

      // Reverting and re-applying the migration in one database leaves the roles to the others (the search
      // terms' migration, which grants to the roles, comes after it and is reverted first).
      const { DataSource } = await import('typeorm');
      const { buildDataSourceOptions } = await import('#libs/persistence');
      const dataSource = await new DataSource(buildDataSourceOptions(settings(names[0]!), 'migrator')).initialize();
      try {
        await dataSource.undoLastMigration({ transaction: 'each' });
        await dataSource.undoLastMigration({ transaction: 'each' });
        const [revoked] = await server.sql(`SELECT has_table_privilege('library_reader', 'books', 'SELECT') AS reads`, [], names[0]);
        expect(revoked).toEqual({ reads: false });
        await dataSource.runMigrations({ transaction: 'each' });
      } finally {
        await dataSource.destroy();
      }
      const [restored] = await server.sql(`SELECT has_table_privilege('library_reader', 'books', 'SELECT') AS reads`, [], names[0]);
      expect(restored).toEqual({ reads: true });
    } finally {
      await server.destroy();
    }
  }, 120_000);
});

describe('the services log in as their roles', () => {
  it('the e2e suites start both services as library_reader / library_writer', async () => {
    const { startService } = await import('../support/services.js');
    const reader = await startService('reader', database.name);
    try {
      const [row] = await sql(
        database.name,
        `SELECT DISTINCT usename FROM pg_stat_activity WHERE datname = $1 AND application_name = 'library-reader'`,
        [database.name],
      );
      expect(row).toEqual({ usename: SERVICE_ROLES.reader });
      expect((await fetch(`${reader.url}/books`)).status).toBe(200);
    } finally {
      await reader.close();
    }
    expect(environmentFor(database.name).DB_USER).toBe(postgresServer().user);
  });
});
