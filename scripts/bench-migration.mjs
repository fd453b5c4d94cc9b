#!/usr/bin/env node
// `npm run bench:migration`: a CREATE INDEX CONCURRENTLY migration at production scale while the services
// take load, beside `npm run bench`. The test (test/reliability/migration-under-load.e2e.spec.ts) does the same
// at 10^5 rows on every run; this is the 10^6 figure for a release note or a capacity question.
//
//   node scripts/bench-migration.mjs               1,000,000 books
//   node scripts/bench-migration.mjs --rows 200000
//
// It starts an embedded PostgreSQL in a temp dir, applies the migrations with the built runner (dist/), loads
// the books with one INSERT … SELECT generate_series, starts the built reader and writer as the ECS task does
// (NODE_ENV=production, default pool and statement timeout), and drives 8 readers (GET by id, author pages)
// and 4 writers (POST, PATCH) on loopback: 10 s of baseline, then the migration (a trigram GIN index on
// lower(title), transaction = false, CONCURRENTLY, statement_timeout 30 min), then 3 s more. It prints failed
// requests and p50/p99 before and during the migration. Everything it starts is stopped on exit, and a
// watchdog ends the run after 30 minutes.
import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { ensureBuild } from './ensure-build.mjs';
import { freePort, startEmbeddedPostgres } from './embedded-postgres.mjs';
import { readRequest, writeRequest } from './migration-load-mix.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const { values: flags } = parseArgs({ options: { rows: { type: 'string', default: '1000000' } } });
const ROWS = Number(flags.rows);
if (!Number.isInteger(ROWS) || ROWS < 1000) throw new Error('--rows must be an integer of at least 1000');
const LIMIT_MS = 30 * 60_000;
const BASELINE_MS = 10_000;
const AFTER_MS = 3_000;

const children = [];
let cleanup = async () => undefined;
const watchdog = setTimeout(() => {
  process.stderr.write(`bench:migration: still running after ${LIMIT_MS / 60_000} min; stopping\n`);
  void cleanup().finally(() => process.exit(1));
}, LIMIT_MS);
watchdog.unref();

const log = (line) => process.stderr.write(`${line}\n`);

async function main() {
  ensureBuild({ log });
  const persistence = await import(pathToFileURL(join(root, 'dist/libs/persistence/src/index.js')).href);
  const config = await import(pathToFileURL(join(root, 'dist/libs/config/src/index.js')).href);
  const dir = mkdtempSync(join(tmpdir(), 'bench-migration-'));
  chmodSync(dir, 0o755);
  const server = await startEmbeddedPostgres({ dataDir: join(dir, 'data'), persistent: false });
  cleanup = async () => {
    for (const child of children) child.kill('SIGKILL');
    await server.stop().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await server.createDatabase('library_bench');
    const env = {
      DB_HOST: server.host,
      DB_PORT: String(server.port),
      DB_USER: server.user,
      DB_PASSWORD: server.password,
      DB_NAME: 'library_bench',
      DB_STARTUP_RETRY_SECONDS: '0',
      LOG_LEVEL: 'warn',
    };
    await persistence.runMigrations(config.validateEnvironment(env), { info: () => undefined });
    const client = new pg.Client({
      host: server.host,
      port: server.port,
      user: server.user,
      password: server.password,
      database: 'library_bench',
    });
    await client.connect();
    let startedAt = performance.now();
    await client.query(
      `INSERT INTO books (title, author, description)
       SELECT 'Title ' || md5(i::text), 'Author ' || (i % 1000), 'Description of book ' || i FROM generate_series(1, $1::int) AS i`,
      [ROWS],
    );
    await client.query('VACUUM ANALYZE books');
    log(`loaded ${ROWS.toLocaleString('en')} books in ${Math.round(performance.now() - startedAt)} ms`);
    await client.end();

    const [readerUrl, writerUrl] = await Promise.all([startService('reader', env), startService('writer', env)]);
    const samples = [];
    let stop = false;
    // `count` concurrent drivers, each sending request(n) until stop.
    const workers = (count, request) => Array.from({ length: count }, (_, worker) => drive(samples, () => stop, worker, request));
    const load = Promise.all([
      ...workers(8, (n) => readRequest(readerUrl, n, ROWS)),
      ...workers(4, (n) => writeRequest(writerUrl, n, ROWS)),
    ]);
    const loadStart = performance.now();
    await sleep(BASELINE_MS);

    class IndexTitleTrigram1900000000401 {
      name = 'IndexTitleTrigram1900000000401';
      transaction = false;
      statementTimeoutMs = 30 * 60_000;
      async up(queryRunner) {
        await queryRunner.query(
          'CREATE INDEX CONCURRENTLY IF NOT EXISTS books_title_trgm_bench_idx ON books USING gin (lower(title) gin_trgm_ops)',
        );
      }
      async down() {}
    }
    const migrationStart = performance.now();
    log('migrating under load…');
    const report = await persistence.runMigrations(
      config.validateEnvironment(env),
      { info: (message, fields) => log(`${message} ${JSON.stringify(fields ?? {})}`) },
      {
        migrations: [...persistence.migrations, IndexTitleTrigram1900000000401],
      },
    );
    const migrationEnd = performance.now();
    await sleep(AFTER_MS);
    stop = true;
    await load;

    const before = samples.filter((s) => s.startedAt >= loadStart + 1000 && s.startedAt < migrationStart);
    const during = samples.filter((s) => s.endedAt > migrationStart && s.startedAt < migrationEnd);
    const failed = samples.filter((s) => !(s.status >= 200 && s.status < 300));
    const isWrite = (s) => s.name.startsWith('POST') || s.name.startsWith('PATCH');
    const figures = {
      rows: ROWS,
      applied: report.applied,
      migrationMs: Math.round(migrationEnd - migrationStart),
      requests: samples.length,
      failedRequests: failed.length,
      failedByStatus: countBy(failed, (s) => s.status),
      requestsBefore: before.length,
      requestsDuring: during.length,
      p50BeforeMs: pct(before, 50),
      p50DuringMs: pct(during, 50),
      p99BeforeMs: pct(before, 99),
      p99DuringMs: pct(during, 99),
      readP99BeforeMs: pct(
        before.filter((s) => !isWrite(s)),
        99,
      ),
      readP99DuringMs: pct(
        during.filter((s) => !isWrite(s)),
        99,
      ),
      writeP99BeforeMs: pct(before.filter(isWrite), 99),
      writeP99DuringMs: pct(during.filter(isWrite), 99),
    };
    process.stdout.write(`${JSON.stringify(figures, null, 2)}\n`);
    process.stdout.write(
      `\n${ROWS.toLocaleString('en')} books: CREATE INDEX CONCURRENTLY (trigram GIN) took ${(figures.migrationMs / 1000).toFixed(1)} s under load; ` +
        `${figures.failedRequests} of ${figures.requests} requests failed; p99 ${figures.p99BeforeMs} ms before, ${figures.p99DuringMs} ms during ` +
        `(reads ${figures.readP99BeforeMs} → ${figures.readP99DuringMs} ms, writes ${figures.writeP99BeforeMs} → ${figures.writeP99DuringMs} ms)\n`,
    );
    process.exitCode = failed.length === 0 ? 0 : 1;
  } finally {
    await cleanup();
    clearTimeout(watchdog);
  }
}

async function startService(name, env) {
  const port = await freePort();
  const child = spawn(process.execPath, [`dist/apps/${name}/src/main.js`], {
    cwd: root,
    env: { PATH: process.env.PATH, NODE_ENV: 'production', ...env, PORT: String(port) },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  children.push(child);
  const url = `http://127.0.0.1:${port}`;
  for (let attempt = 0; attempt < 300; attempt++) {
    const status = await fetch(`${url}/health/ready`).then(
      (response) => response.status,
      () => 0,
    );
    if (status === 200) return url;
    await sleep(100);
  }
  throw new Error(`${name} did not become ready within 30 s`);
}

/** One closed-loop worker: a request, its answer, the next; bounded by `stopped()` and the watchdog. */
async function drive(samples, stopped, worker, next) {
  for (let n = worker * 1_000_000; !stopped(); n++) {
    const { name, url, init } = next(n);
    const startedAt = performance.now();
    try {
      const response = await fetch(url, { ...init, signal: AbortSignal.timeout(30_000) });
      await response.arrayBuffer();
      samples.push({ name, startedAt, endedAt: performance.now(), status: response.status });
    } catch (error) {
      samples.push({ name, startedAt, endedAt: performance.now(), status: 0, error: error.name });
      await sleep(20);
    }
  }
}

function pct(samples, p) {
  if (samples.length === 0) return null;
  const sorted = samples.map((s) => s.endedAt - s.startedAt).sort((a, b) => a - b);
  return Math.round(sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]);
}

function countBy(items, key) {
  const counts = {};
  for (const item of items) counts[key(item)] = (counts[key(item)] ?? 0) + 1;
  return counts;
}

await main();
