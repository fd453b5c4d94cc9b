import { freePort } from '../../scripts/embedded-postgres.mjs';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { expectWith } from '../support/expect-with.js';
import { createTestDatabase, environmentFor, sql } from '../support/database.js';
import { jsonLines, runToExit, spawnService, waitForOk } from '../support/process.js';

/** These tests run the built entry points as the container does: `node dist/apps/<name>/src/main.js <command>`. */

let database: { name: string; drop: () => Promise<void> };

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
    expect(jsonLines(first.stdout).at(-1)).toMatchObject({
      msg: 'applied 2 migration(s)',
      applied: ['CreateBooks1764230400000', 'CreateIdempotencyKeys1764230500000'],
    });
    const tables = await sql(database.name, `SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1`);
    expect(tables.map((row) => row.tablename)).toEqual(['books', 'idempotency_keys', 'migrations']);

    const second = await runToExit('writer', ['migrate'], environmentFor(database.name));
    expect(second.code).toBe(0);
    expect(jsonLines(second.stdout).at(-1)).toMatchObject({ msg: 'database is up to date; nothing to apply', applied: [] });
  });

  it('serialises concurrent migrate runs instead of racing them', async () => {
    const fresh = await createTestDatabase('race');
    try {
      const runs = await Promise.all([1, 2, 3].map(() => runToExit('writer', ['migrate'], environmentFor(fresh.name))));
      expect(runs.map((run) => run.code)).toEqual([0, 0, 0]);
      const applied = runs.flatMap((run) => (jsonLines(run.stdout).at(-1)?.applied as string[]) ?? []);
      expect(applied.sort()).toEqual(['CreateBooks1764230400000', 'CreateIdempotencyKeys1764230500000']);
      const [row] = await sql<{ count: string }>(fresh.name, 'SELECT count(*) FROM migrations');
      expect(row!.count).toBe('2');
    } finally {
      await fresh.drop();
    }
  });

  it('exits 1 with an actionable message when the database cannot be reached', async () => {
    const port = await freePort();
    const result = await runToExit(
      'writer',
      ['migrate'],
      environmentFor(database.name, { DB_PORT: String(port), DB_STARTUP_RETRY_SECONDS: '1' }),
    );
    expect(result.code).toBe(1);
    expect(jsonLines(result.stdout).at(-1)).toMatchObject({
      level: 'fatal',
      msg: expect.stringMatching(new RegExp(`Cannot connect to PostgreSQL at 127.0.0.1:${port}.*check DB_HOST`)),
    });
  });
});

describe('serve command', () => {
  it('stops on invalid configuration with one line naming every bad variable, exit 1', async () => {
    const result = await runToExit('reader', [], { DB_PORT: 'abc', LOG_LEVEL: 'loud', DB_SSL: 'maybe' });
    expect(result.code).toBe(1);
    const lines = jsonLines(result.stdout);
    expect(lines).toHaveLength(1);
    expect(lines[0]!.msg).toMatch(/^Invalid configuration: /);
    for (const name of ['DB_HOST is required', 'DB_PORT must be an integer', 'DB_SSL must be one of', 'LOG_LEVEL must be one of']) {
      expect(lines[0]!.msg).toContain(name);
    }
  });

  it('retries an unreachable database for DB_STARTUP_RETRY_SECONDS, then exits 1', async () => {
    const port = await freePort();
    const result = await runToExit(
      'reader',
      [],
      environmentFor(database.name, { DB_PORT: String(port), DB_STARTUP_RETRY_SECONDS: '2', PORT: String(await freePort()) }),
    );
    expect(result.code).toBe(1);
    expect(result.durationMs).toBeGreaterThan(1500);
    expect(result.durationMs).toBeLessThan(10_000);
    expect(result.stdout).toContain(`Cannot connect to PostgreSQL at 127.0.0.1:${port}`);
  });

  it('rejects an unknown command with exit code 2 and the usage', async () => {
    const result = await runToExit('writer', ['seed-everything'], {});
    expect(result.code).toBe(2);
    expect(jsonLines(result.stdout)[0]!.msg).toMatch(/unknown command "seed-everything".*usage: main.js \[serve\|migrate\]/);
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
              await sql<{ count: string }>(database.name, `SELECT count(*) FROM pg_stat_activity WHERE application_name = $1`, [
                `library-${name}`,
              ])
            )[0]!.count,
          );
        expect(await sessions()).toBeGreaterThan(0);

        service.child.kill('SIGTERM');
        const result = await service.exited;
        expect(result.code).toBe(0);
        expect(await sessions()).toBe(0);
      } finally {
        service.child.kill('SIGKILL');
      }
    });
  }
});
