import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { expectWith } from '../support/expect-with.js';
import { freePort } from '../../scripts/embedded-postgres.mjs';
import { createTestDatabase, environmentFor, sql } from '../support/database.js';
import { jsonLines, waitForOk } from '../support/process.js';
import { loadCompose } from './support/compose.js';
import { healthcheckCommand, instructionsOf } from './support/dockerfile.js';
import {
  type RuntimeStage,
  type Started,
  assembleRuntimeStage,
  diskUsageKiB,
  exitWithin,
  loadDockerfile,
  materializeDependencies,
  removeTree,
  repoRoot,
  residentMiB,
  startStage,
  tempFolder,
} from './support/runtime-stage.js';

/**
 * F-4: the runtime stage recreated from the Dockerfile (a production-only install plus the build output, see
 * support/runtime-stage.ts) runs `migrate` and `serve` for both apps against a real PostgreSQL. A runtime
 * dependency left in devDependencies, a file the image lacks, or an entry point that does not resolve
 * fails here instead of in ECS.
 */

const APPS = ['reader', 'writer'] as const;
type App = (typeof APPS)[number];

const dockerfile = loadDockerfile();
const runtime = dockerfile.stages.at(-1)!;
const packageJson = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as {
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
  allowScripts?: Record<string, boolean>;
};

let base: string;
let depsCommands: string[] = [];
const stages = new Map<App, RuntimeStage>();
let database: { name: string; drop: () => Promise<void> } | undefined;
const running: Started[] = [];

beforeAll(async () => {
  base = tempFolder('library-runtime-stage-');
  const depsName = instructionsOf(runtime, 'COPY').find((copy) => copy.flags.from && copy.args.includes('node_modules'))!.flags.from!;
  const depsRoot = join(base, `stage-${depsName}`);
  depsCommands = materializeDependencies(dockerfile, depsName, depsRoot).commands;
  for (const app of APPS) stages.set(app, assembleRuntimeStage(dockerfile, app, join(base, app), new Map([[depsName, depsRoot]])));
  database = await createTestDatabase('runtime');
}, 240_000);

afterAll(async () => {
  for (const started of running) {
    if (started.child.exitCode === null && started.child.signalCode === null) started.child.kill('SIGKILL');
  }
  await database?.drop();
  if (base) removeTree(base);
}, 90_000);

function stage(app: App): RuntimeStage {
  return stages.get(app)!;
}

function topLevelPackages(nodeModules: string): string[] {
  return readdirSync(nodeModules)
    .filter((name) => !name.startsWith('.'))
    .flatMap((name) => (name.startsWith('@') ? readdirSync(join(nodeModules, name)).map((scoped) => `${name}/${scoped}`) : [name]));
}

function walk(dir: string, visit: (path: string) => void): void {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) walk(path, visit);
    else visit(path);
  }
}

/** Path → size and mtime of every file: the runtime folder must be the same after the processes ran. */
function snapshot(dir: string): Map<string, string> {
  const files = new Map<string, string>();
  walk(dir, (path) => {
    const stats = statSync(path);
    files.set(relative(dir, path), `${stats.size}:${stats.mtimeMs}`);
  });
  return files;
}

const snapshots = new Map<App, Map<string, string>>();

// Generous bounds: CI runs this next to every other suite, on a busy machine.
jest.setTimeout(90_000);
describe('the production install of the runtime stage', () => {
  it('is the deps stage’s `npm ci --omit=dev`, run verbatim', () => {
    expect(depsCommands).toEqual(['npm ci --omit=dev --omit=optional --ignore-scripts --no-audit --no-fund']);
  });

  it('holds every runtime dependency and nothing that only development needs', () => {
    const { dir } = stage('reader');
    const installed = new Set(topLevelPackages(join(dir, 'node_modules')));
    expect(Object.keys(packageJson.dependencies).filter((name) => !installed.has(name))).toEqual([]);
    // The lockfile marks what only devDependencies reach ("dev") and what is optional; neither is installed.
    const lock = JSON.parse(readFileSync(join(dir, 'package-lock.json'), 'utf8')) as {
      packages: Record<string, { dev?: boolean; devOptional?: boolean; optional?: boolean }>;
    };
    const excluded = Object.entries(lock.packages).filter(
      ([path, meta]) => path.startsWith('node_modules/') && (meta.dev || meta.devOptional || meta.optional),
    );
    expect(excluded.length).toBeGreaterThan(100);
    expect(excluded.map(([path]) => path).filter((path) => existsSync(join(dir, path)))).toEqual([]);
    for (const tool of ['typescript', '@nestjs/cli', 'jest', '@aws-sdk/client-ecs', 'embedded-postgres'])
      expectWith(installed.has(tool), tool).toBe(false);
  });

  it('is pure JavaScript, so installing it on the build platform serves amd64 and arm64 alike', () => {
    const native: string[] = [];
    const withInstallScripts: string[] = [];
    walk(join(stage('reader').dir, 'node_modules'), (path) => {
      if (path.endsWith('.node') || path.endsWith('binding.gyp')) native.push(path);
      else if (path.endsWith('/package.json') && !path.includes('/node_modules/.')) {
        const manifest = JSON.parse(readFileSync(path, 'utf8')) as {
          name?: string;
          os?: unknown;
          cpu?: unknown;
          scripts?: Record<string, string>;
        };
        if (manifest.os || manifest.cpu) native.push(`${path} (os/cpu restricted)`);
        if (manifest.name && (manifest.scripts?.install || manifest.scripts?.postinstall || manifest.scripts?.preinstall))
          withInstallScripts.push(manifest.name);
      }
    });
    expect(native.map((path) => relative(stage('reader').dir, path))).toEqual([]);
    // --ignore-scripts skips these; each must be one the project has already reviewed and denied (allowScripts).
    const denied = Object.entries(packageJson.allowScripts ?? {})
      .filter(([, allowed]) => allowed === false)
      .map(([name]) => name);
    expect([...new Set(withInstallScripts)].filter((name) => !denied.includes(name))).toEqual([]);
  });

  it.each(APPS)('%s: holds only its own compiled code, the shared libs, and the generated dist/main.js', (app) => {
    const { dir } = stage(app);
    expect(readdirSync(join(dir, 'dist')).sort()).toEqual(['apps', 'libs', 'main.js']);
    expect(readdirSync(join(dir, 'dist/apps'))).toEqual([app]);
    expect(readFileSync(join(dir, 'dist/main.js'), 'utf8')).toContain(`import './apps/${app}/src/main.js';`);
    const maps: string[] = [];
    walk(join(dir, 'dist'), (path) => path.endsWith('.map') && maps.push(path));
    expect(maps).toEqual([]);
    expect(readdirSync(dir).sort()).toEqual(['dist', 'node_modules', 'package-lock.json', 'package.json']);
    snapshots.set(app, snapshot(dir));
  });

  it('reports its size (node_modules plus build output) and stays within budget', () => {
    const sizes = Object.fromEntries(APPS.map((app) => [app, diskUsageKiB(['node_modules', 'dist'], stage(app).dir)]));
    const mib = (kib: number): string => `${(kib / 1024).toFixed(1)} MiB`;
    for (const app of APPS) {
      const { node_modules: modules, dist } = sizes[app]!;
      console.info(`runtime stage (${app}): node_modules ${mib(modules!)} + dist ${mib(dist!)} = ${mib(modules! + dist!)}`);
      // A budget that a dev tool slipping into "dependencies" (typescript alone is 24 MiB) would break.
      expect(modules! + dist!).toBeLessThan(160 * 1024);
    }
  });
});

describe('the runtime stage runs migrate and serve (ENTRYPOINT + CMD, the image ENV, the node user)', () => {
  const ports = new Map<App, number>();
  const services = new Map<App, Started>();

  const dbEnv = (overrides: Record<string, string> = {}): Record<string, string | undefined> => {
    const env = environmentFor(database!.name, { LOG_LEVEL: 'info', ...overrides });
    return env;
  };

  it('writer: `migrate` applies every migration and exits 0; the reader image can run it too (nothing left)', async () => {
    const first = await exitWithin(startStage(stage('writer'), ['migrate'], dbEnv()), 30_000);
    expectWith(first.code, first.stdout + first.stderr).toBe(0);
    expect(jsonLines(first.stdout).at(-1)).toMatchObject({ service: 'writer', msg: 'applied 2 migration(s)' });
    const tables = await sql(database!.name, `SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1`);
    expect(tables.map((row) => row.tablename)).toEqual(['books', 'idempotency_keys', 'migrations']);

    const again = await exitWithin(startStage(stage('reader'), ['migrate'], dbEnv()), 30_000);
    expectWith(again.code, again.stdout + again.stderr).toBe(0);
    expect(jsonLines(again.stdout).at(-1)).toMatchObject({ service: 'reader', msg: 'database is up to date; nothing to apply' });
  });

  it('`migrate` against an unreachable database exits non-zero with the reason', async () => {
    const port = await freePort();
    const result = await exitWithin(
      startStage(stage('writer'), ['migrate'], dbEnv({ DB_PORT: String(port), DB_STARTUP_RETRY_SECONDS: '0' })),
      30_000,
    );
    expect(result.code).toBe(1);
    expect(jsonLines(result.stdout).at(-1)).toMatchObject({
      level: 'fatal',
      msg: expect.stringContaining(`Cannot connect to PostgreSQL at 127.0.0.1:${port}`),
    });
  });

  it('rejects a command other than serve or migrate with exit code 2', async () => {
    const result = await exitWithin(startStage(stage('reader'), ['seed'], dbEnv()), 30_000);
    expect(result.code).toBe(2);
  });

  it.each(APPS)('%s: the default CMD serves; /health and /health/ready answer 200, /docs/json documents the API', async (app) => {
    const port = await freePort();
    ports.set(app, port);
    const started = startStage(stage(app), undefined, dbEnv({ PORT: String(port) }));
    running.push(started);
    services.set(app, started);
    await waitForOk(`http://127.0.0.1:${port}/health/ready`, 45_000).catch((error: Error) => {
      throw new Error(`${error.message}\n${started.output()}`);
    });
    expect((await fetch(`http://127.0.0.1:${port}/health`)).status).toBe(200);
    const docs = await fetch(`http://127.0.0.1:${port}/docs/json`);
    expect(docs.status).toBe(200);
    expect(Object.keys(((await docs.json()) as { paths: object }).paths)).toContain(app === 'reader' ? '/books' : '/books/{id}');
    expect(jsonLines(started.output()).find((line) => typeof line.msg === 'string' && line.msg.includes('listening'))).toMatchObject({
      service: app,
      port,
    });
    if (started.uid !== undefined) {
      // Started from root, the process runs as the image's USER (node, uid 1000), as in the container.
      expect(readFileSync(`/proc/${started.child.pid}/status`, 'utf8')).toMatch(/\nUid:\s+1000\s/);
    }
  });

  it('a book POSTed to the writer is read back from the reader', async () => {
    const writer = `http://127.0.0.1:${ports.get('writer')}`;
    const reader = `http://127.0.0.1:${ports.get('reader')}`;
    const created = await fetch(`${writer}/books`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ title: 'The Dispossessed', author: 'Ursula K. Le Guin', isbn: '978-0-06-051275-0' }),
    });
    expect(created.status).toBe(201);
    const book = (await created.json()) as { id: number; isbn: string };
    expect(book.isbn).toBe('9780060512750');
    const read = await fetch(`${reader}/books/${book.id}`);
    expect(read.status).toBe(200);
    expect(await read.json()).toMatchObject({ id: book.id, title: 'The Dispossessed', author: 'Ursula K. Le Guin' });
    const page = (await (await fetch(`${reader}/books?author=ursula%20k.%20le%20guin`)).json()) as { items: Array<{ id: number }> };
    expect(page.items.map((item) => item.id)).toEqual([book.id]);
  });

  it('the image HEALTHCHECK and the compose healthcheck commands pass against the running services and fail without one', async () => {
    const imageCheck = healthcheckCommand(instructionsOf(runtime, 'HEALTHCHECK').at(-1)!)!.exec!;
    const composeCheck = (
      loadCompose(readFileSync(join(repoRoot, 'docker-compose.yml'), 'utf8')).services.reader!.healthcheck!.test as string[]
    ).slice(1);
    for (const command of [imageCheck, composeCheck]) {
      expect(command[0]).toBe('node');
      for (const app of APPS) {
        const ok = spawnSync(process.execPath, command.slice(1), {
          env: { PATH: process.env.PATH, PORT: String(ports.get(app)) },
          timeout: 20_000,
        });
        expectWith(ok.status, `${command.join(' ')} against ${app}`).toBe(0);
      }
      const down = spawnSync(process.execPath, command.slice(1), {
        env: { PATH: process.env.PATH, PORT: String(await freePort()) },
        timeout: 20_000,
      });
      expect(down.status).toBe(1);
    }
  });

  it('uses well under the Fargate task’s 512 MiB', () => {
    for (const app of APPS) {
      const rss = residentMiB(services.get(app)!.child.pid!);
      if (rss === undefined) continue; // no /proc (not Linux)
      console.info(`runtime stage (${app}): resident memory after start-up and a few requests ${rss.toFixed(0)} MiB`);
      expect(rss).toBeLessThan(256);
    }
  });

  it.each(APPS)('%s: SIGTERM drains and exits 0 (node receives the signal itself), having written nothing to its folder', async (app) => {
    const started = services.get(app)!;
    started.child.kill('SIGTERM');
    const result = await exitWithin(started, 15_000);
    expect({ code: result.code, signal: result.signal }).toEqual({ code: 0, signal: null });
    expect(jsonLines(result.stdout).at(-1)).toMatchObject({ msg: 'shut down cleanly' });
    // The image's root filesystem is read-only in ECS and compose: the app must not write next to its code.
    expect(snapshot(stage(app).dir)).toEqual(snapshots.get(app));
    expect(existsSync(join(stage(app).dir, 'dist/main.js'))).toBe(true);
  });
});
