import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { freePort } from '../../scripts/embedded-postgres.mjs';
import { migrations } from '#libs/persistence';
import { recordFigures } from '../reliability/support/load.js';
import { createTestDatabase, type Environment, environmentFor, sql, type TestDatabase } from '../support/database.js';
import { expectWith } from '../support/expect-with.js';
import { jsonLines, runToExit, spawnService, type SpawnedService, waitForOk } from '../support/process.js';
import { type BuiltRelease, buildRelease, findPreviousRelease } from './support/previous-release.js';

/**
 * N-1 compatibility (docs/migrations.md): the deploy runs `migrate` while the PREVIOUS release still
 * serves traffic, so the old code must work on the new schema. This builds the previous release (the newest
 * commit with another set of migrations) from its own tree, migrates a database with ITS migrations, starts
 * its reader and writer as the master user (it may predate the service roles), applies THIS checkout's
 * migrations under it, and drives the old services through list, get, create, update and delete.
 *
 * In a shallow clone the previous release is not there: outside CI the test is skipped with a message; in CI
 * (CI=true) it fails, since a skipped compatibility check would let an incompatible migration ship.
 */
const previous = findPreviousRelease();
const inCi = process.env.CI === 'true';
if (!previous.found && !inCi) {
  process.stderr.write(`previous-release.e2e: skipped, ${previous.reason}\n`);
}
const describeOrSkip = previous.found || inCi ? describe : describe.skip;

describeOrSkip('the previous release on the new schema', () => {
  let release: BuiltRelease;
  let database: TestDatabase;
  let reader: { service: SpawnedService; url: string };
  let writer: { service: SpawnedService; url: string };
  let environment: Environment;
  let startedAt = 0;

  async function startOld(name: 'reader' | 'writer'): Promise<{ service: SpawnedService; url: string }> {
    const port = await freePort();
    const service = spawnService(name, [], { ...environment, PORT: String(port) }, { cwd: release.dir });
    const url = `http://127.0.0.1:${port}`;
    await waitForOk(`${url}/health/ready`, 30_000).catch((error: Error) => {
      throw new Error(`${error.message}\n${service.output()}`);
    });
    return { service, url };
  }

  beforeAll(async () => {
    startedAt = performance.now();
    if (!previous.found) throw new Error(`CI needs the previous release for the N-1 test, but ${previous.reason}`);
    release = await buildRelease(previous.commit);
    database = await createTestDatabase('previous');
    // The old release logs in as the master user, as every release before the service roles did.
    environment = environmentFor(database.name, { LOG_LEVEL: 'warn' });
  }, 12 * 60_000);

  afterAll(async () => {
    reader?.service.child.kill('SIGKILL');
    writer?.service.child.kill('SIGKILL');
    await database?.drop();
  });

  it(
    'keeps serving list, get, create, update and delete after this checkout migrates under it',
    async () => {
      if (!previous.found) throw new Error('unreachable');
      // 1. The database as the previous release left it: its own migrations, applied by its own migrate.
      const oldMigrate = spawnService('writer', ['migrate'], environment, { cwd: release.dir });
      const oldExit = await oldMigrate.exited;
      expectWith(oldExit.code, oldMigrate.output()).toBe(0);
      const before = await sql<{ name: string }>(database.name, 'SELECT name FROM migrations ORDER BY id');
      expect(before.map((row) => row.name).length).toBe(previous.migrations.length);

      // 2. The previous release serving, with a book it wrote.
      [reader, writer] = await Promise.all([startOld('reader'), startOld('writer')]);
      const early = await fetch(`${writer.url}/books`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ title: 'Written before the migration', author: 'Old Release' }),
      });
      expect(early.status).toBe(201);
      const earlyBook = (await early.json()) as { id: number };

      // 3. This checkout's migrate while it serves, with reads going on all the time.
      const failures: string[] = [];
      let reads = 0;
      let migrating = true;
      const readLoop = (async () => {
        for (let i = 0; migrating && i < 10_000; i++) {
          const response = await fetch(`${reader.url}/books/${earlyBook.id}`, { signal: AbortSignal.timeout(5000) }).catch(
            (error: Error) => error,
          );
          reads++;
          if (response instanceof Error) failures.push(`GET /books/${earlyBook.id}: ${response.name}`);
          else {
            await response.arrayBuffer();
            if (response.status !== 200) failures.push(`GET /books/${earlyBook.id}: ${response.status}`);
          }
        }
      })();
      const migrate = await runToExit('writer', ['migrate'], environmentFor(database.name, { LOG_LEVEL: 'info' }), 120_000);
      migrating = false;
      await readLoop;
      expectWith(migrate.code, migrate.stdout + migrate.stderr).toBe(0);
      const after = await sql<{ name: string }>(database.name, 'SELECT name FROM migrations ORDER BY id');
      expect(after.map((row) => row.name)).toEqual(migrations.map((migration) => new migration().name));
      expectWith(failures, `${reads} reads during migrate`).toEqual([]);

      // 4. The old services on the new schema: every operation, no error.
      const send = async (method: string, url: string, body?: unknown): Promise<{ status: number; body: any }> => {
        const response = await fetch(url, {
          method,
          headers: body === undefined ? {} : { 'content-type': 'application/json' },
          body: body === undefined ? undefined : JSON.stringify(body),
          signal: AbortSignal.timeout(5000),
        });
        const text = await response.text();
        return { status: response.status, body: text ? JSON.parse(text) : undefined };
      };
      const created = await send('POST', `${writer.url}/books`, {
        title: 'Written after the migration',
        author: 'Old Release',
        isbn: '9780306406157',
      });
      expectWith(created.status, JSON.stringify(created.body)).toBe(201);
      const id = created.body.id as number;
      const list = await send('GET', `${reader.url}/books?limit=10`);
      expect(list.status).toBe(200);
      expect(list.body.items.map((book: { id: number }) => book.id)).toEqual(expect.arrayContaining([earlyBook.id, id]));
      const got = await send('GET', `${reader.url}/books/${id}`);
      expect(got).toMatchObject({ status: 200, body: { id, title: 'Written after the migration', isbn: '9780306406157' } });
      const replaced = await send('PUT', `${writer.url}/books/${id}`, { title: 'Replaced', author: 'Old Release' });
      expect(replaced).toMatchObject({ status: 200, body: { id, title: 'Replaced', version: 2 } });
      const patched = await send('PATCH', `${writer.url}/books/${earlyBook.id}`, { description: 'patched after the migration' });
      expect(patched).toMatchObject({ status: 200, body: { description: 'patched after the migration' } });
      expect((await send('DELETE', `${writer.url}/books/${id}`)).status).toBe(204);
      expect((await send('GET', `${reader.url}/books/${id}`)).status).toBe(404);

      // Neither old service logged an error.
      for (const [name, { service }] of Object.entries({ reader, writer })) {
        const errors = jsonLines(service.output()).filter((line) =>
          typeof line.level === 'number' ? line.level >= 50 : ['error', 'fatal'].includes(String(line.level)),
        );
        expectWith(errors, `${name} output:\n${service.output()}`).toEqual([]);
      }
      await recordFigures('previousRelease', {
        commit: previous.commit.slice(0, 12),
        subject: previous.subject,
        migrationsBefore: previous.migrations.length,
        migrationsAfter: after.length,
        readsDuringMigrate: reads,
        failedDuringMigrate: failures.length,
        buildCached: release.cached,
        npmCiMs: Math.round(release.installMs),
        buildMs: Math.round(release.buildMs),
        totalMs: Math.round(performance.now() - startedAt),
      });
    },
    3 * 60_000,
  );
});
