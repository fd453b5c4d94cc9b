import net from 'node:net';
import { freePort } from '../../scripts/embedded-postgres.mjs';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { expectWith } from '../support/expect-with.js';
import { createTestDatabase, environmentFor, sql, type TestDatabase } from '../support/database.js';
import { everyJsonLine, expectStartupFailure, runToExit, spawnService, waitForOk } from '../support/process.js';

/**
 * These tests run the built entry points as the container does: `node dist/apps/<name>/src/main.js <command>`.
 * They count every line of both streams: a start-up failure is exactly one JSON `fatal` line on stdout and
 * nothing on stderr (the IAM signing failure is in iam-auth.e2e.spec.ts, which has a TLS server).
 */

const MIGRATIONS = [
  'CreateBooks1764230400000',
  'CreateIdempotencyKeys1764230500000',
  'CreateServiceRoles1764230600000',
  'CreateBookSearchTerms1764230700000',
];

let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase('process');
});
afterAll(async () => {
  await database?.drop();
});

describe('migrate command', () => {
  it('applies every migration to an empty database, then reports it is up to date', async () => {
    const first = await runToExit('writer', ['migrate'], environmentFor(database.name, { LOG_LEVEL: 'info' }));
    expectWith(first.code, first.stdout + first.stderr).toBe(0);
    expect(first.stderr).toBe('');
    expect(everyJsonLine(first.stdout)).toEqual([
      expect.objectContaining({ msg: `applied ${MIGRATIONS.length} migration(s)`, applied: MIGRATIONS }),
    ]);
    const tables = await sql(database.name, `SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1`);
    expect(tables.map((row) => row.tablename)).toEqual(['book_search_terms', 'books', 'idempotency_keys', 'migrations']);

    const second = await runToExit('writer', ['migrate'], environmentFor(database.name));
    expect(second.code).toBe(0);
    expect(second.stderr).toBe('');
    expect(everyJsonLine(second.stdout)).toEqual([
      expect.objectContaining({ msg: 'database is up to date; nothing to apply', applied: [] }),
    ]);
  });

  it('serialises concurrent migrate runs instead of racing them', async () => {
    const fresh = await createTestDatabase('race');
    try {
      const runs = await Promise.all([1, 2, 3].map(() => runToExit('writer', ['migrate'], environmentFor(fresh.name))));
      expect(runs.map((run) => run.code)).toEqual([0, 0, 0]);
      const applied = runs.flatMap((run) => (everyJsonLine(run.stdout).at(-1)?.applied as string[]) ?? []);
      expect(applied.sort()).toEqual([...MIGRATIONS].sort());
      const [row] = await sql<{ count: string }>(fresh.name, 'SELECT count(*) FROM migrations');
      expect(row!.count).toBe(String(MIGRATIONS.length));
    } finally {
      await fresh.drop();
    }
  });

  it('exits 1 with one fatal line naming the address and what to check when the database cannot be reached', async () => {
    const port = await freePort();
    const result = await runToExit(
      'writer',
      ['migrate'],
      environmentFor(database.name, { DB_PORT: String(port), DB_STARTUP_RETRY_SECONDS: '0' }),
    );
    expect(expectStartupFailure(result)).toMatchObject({
      command: 'migrate',
      msg: expect.stringMatching(new RegExp(`^Cannot connect to PostgreSQL at 127.0.0.1:${port}/.*ECONNREFUSED.*check DB_HOST`)),
    });
  });

  it('exits 1 with one fatal line naming the migration that failed, and keeps the ones before it', async () => {
    const broken = await createTestDatabase('broken');
    try {
      await sql(broken.name, 'CREATE TABLE idempotency_keys (unexpected integer)');
      const result = await runToExit('writer', ['migrate'], environmentFor(broken.name));
      expect(expectStartupFailure(result)).toMatchObject({
        command: 'migrate',
        msg: expect.stringMatching(
          /^migration CreateIdempotencyKeys1764230500000 failed and was rolled back: relation "idempotency_keys" already exists \(fix /,
        ),
      });
      const applied = await sql(broken.name, 'SELECT name FROM migrations ORDER BY id');
      expect(applied).toEqual([{ name: 'CreateBooks1764230400000' }]);
    } finally {
      await broken.drop();
    }
  });
});

describe('serve command', () => {
  it.each(['reader', 'writer'] as const)(
    '%s: stops on invalid configuration with one line naming every bad variable, exit 1',
    async (name) => {
      const result = await runToExit(name, [], { DB_PORT: 'abc', LOG_LEVEL: 'loud', DB_SSL: 'maybe', DB_AUTH: 'iam' });
      const fatal = expectStartupFailure(result);
      expect(fatal.msg).toMatch(/^Invalid configuration: /);
      for (const problem of [
        'DB_HOST is required',
        'DB_PORT must be an integer',
        'DB_SSL must be one of',
        'LOG_LEVEL must be one of',
        'AWS_REGION is required when DB_AUTH=iam',
      ]) {
        expect(fatal.msg).toContain(problem);
      }
      expect(fatal).not.toHaveProperty('err');
    },
  );

  it('retries an unreachable database for DB_STARTUP_RETRY_SECONDS without a retry line per attempt, then exits 1', async () => {
    const port = await freePort();
    const result = await runToExit(
      'reader',
      [],
      environmentFor(database.name, {
        DB_PORT: String(port),
        DB_STARTUP_RETRY_SECONDS: '2',
        PORT: String(await freePort()),
        LOG_LEVEL: 'info',
      }),
    );
    const fatal = expectStartupFailure(result);
    expect(fatal.msg).toMatch(new RegExp(`^Cannot connect to PostgreSQL at 127.0.0.1:${port}/\\w+ \\(\\d+ attempts\\): .*ECONNREFUSED`));
    expect(result.durationMs).toBeGreaterThan(1500);
    expect(result.durationMs).toBeLessThan(10_000);
  });

  it('exits 1 with one fatal line when its port is taken', async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '0.0.0.0', resolve));
    const port = (blocker.address() as net.AddressInfo).port;
    try {
      const result = await runToExit('writer', [], environmentFor(database.name, { PORT: String(port), LOG_LEVEL: 'info' }));
      expect(expectStartupFailure(result).msg).toBe(`port ${port} is already in use (set PORT to a free port, or stop what listens on it)`);
    } finally {
      blocker.close();
    }
  });

  it('rejects an unknown command with exit code 2 and the usage', async () => {
    const result = await runToExit('writer', ['seed-everything'], {});
    expect(result.code).toBe(2);
    expect(result.stderr).toBe('');
    expect(everyJsonLine(result.stdout)).toEqual([
      expect.objectContaining({
        level: 'error',
        msg: expect.stringMatching(/unknown command "seed-everything".*usage: main.js \[serve\|migrate\]/),
      }),
    ]);
  });

  for (const name of ['reader', 'writer'] as const) {
    it(`${name}: serves, documents its API, then drains and exits 0 on SIGTERM closing every DB session`, async () => {
      const port = await freePort();
      const startedAt = performance.now();
      const service = spawnService(name, [], environmentFor(database.name, { PORT: String(port), LOG_LEVEL: 'info' }));
      const url = `http://127.0.0.1:${port}`;
      try {
        const readyMs = await waitForOk(`${url}/health/ready`, 15_000, startedAt);
        expect(readyMs).toBeLessThan(15_000);
        expect(await (await fetch(`${url}/health`)).json()).toEqual({ status: 'ok' });

        const document = (await (await fetch(`${url}/docs/json`)).json()) as any;
        expect(document.openapi).toMatch(/^3\./);
        expect(Object.keys(document.paths)).toEqual(expect.arrayContaining(['/books/{id}', '/health', '/health/ready']));
        expect(document.components.schemas.BookDto.properties).toHaveProperty('isbn');
        expect((await fetch(`${url}/docs`)).status).toBe(200);

        const sessions = async () =>
          Number(
            (
              await sql<{ count: string }>(
                database.name,
                `SELECT count(*) FROM pg_stat_activity WHERE application_name = $1 AND datname = $2`,
                [`library-${name}`, database.name],
              )
            )[0]!.count,
          );
        expect(await sessions()).toBeGreaterThan(0);

        service.child.kill('SIGTERM');
        const result = await service.exited;
        expect(result.code).toBe(0);
        expect(await sessions()).toBe(0);
        expect(result.stderr).toBe('');
        expect(everyJsonLine(result.stdout).map((line) => line.msg)).toEqual(
          expect.arrayContaining([expect.stringMatching(/listening on/), 'shut down cleanly']),
        );
      } finally {
        service.child.kill('SIGKILL');
      }
    });
  }
});
