#!/usr/bin/env node
// `npm run bench`: the services against the machine's ceiling, on loopback, bounded in time.
//
//   node bench/run.mjs            10,000 books, 50 connections, 2 rounds of 2 s warm-up + 5 s measured
//   node bench/run.mjs --full     1,000,000 books (deep page and search at 1M)
//   node bench/run.mjs --smoke    a few seconds, 500 books, short count-bounded windows (CI)
//   --no-write                    print the table only (the smoke mode never writes BENCHMARKS.md)
//   --connections N --duration S --warmup S --rounds N --starts N   override the mode's defaults
//
// Everything it starts (PostgreSQL in a temp dir, the built reader and writer, the ceiling servers) is
// stopped on exit, and a watchdog ends the run if it outlives its mode's time limit.
import { execFileSync } from 'node:child_process';
import { chmodSync, closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { freePort, startEmbeddedPostgres } from '../scripts/embedded-postgres.mjs';
import { startOtlpReceiver } from '../scripts/otlp-receiver.mjs';
import { ensureBuild } from '../scripts/ensure-build.mjs';
import { loadBooks } from './dataset.mjs';
import { drive } from './lib/load.mjs';
import { findPgbench, pgbenchVersion, runPgbench } from './lib/pgbench.mjs';
import { cpuTimeOf, killAll, memoryOf, sampleRss, spawnNode, stop, waitForOk } from './lib/processes.mjs';
import { renderReport, writeBenchmarksFile } from './lib/report.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const { values: flags } = parseArgs({
  options: {
    full: { type: 'boolean', default: false },
    smoke: { type: 'boolean', default: false },
    'no-write': { type: 'boolean', default: false },
    connections: { type: 'string' },
    duration: { type: 'string' },
    warmup: { type: 'string' },
    rounds: { type: 'string' },
    starts: { type: 'string' },
    scenario: { type: 'string', multiple: true },
  },
});

const MODES = {
  smoke: {
    rows: 500,
    connections: 10,
    warmup: { amount: 40 },
    measure: { amount: 300 },
    rounds: 1,
    starts: 1,
    pgbench: { transactions: 20 },
    limitS: 110,
    settleMs: 200,
  },
  default: {
    rows: 10_000,
    connections: 50,
    warmup: { duration: 2 },
    measure: { duration: 5 },
    rounds: 2,
    starts: 5,
    pgbench: { seconds: 5 },
    limitS: 15 * 60,
    settleMs: 1000,
  },
  full: {
    rows: 1_000_000,
    connections: 50,
    warmup: { duration: 2 },
    measure: { duration: 5 },
    rounds: 2,
    starts: 5,
    pgbench: { seconds: 5 },
    limitS: 40 * 60,
    settleMs: 1000,
  },
};
const modeName = flags.smoke ? 'smoke' : flags.full ? 'full' : 'default';
const mode = { ...MODES[modeName] };
if (flags.connections) mode.connections = Number(flags.connections);
if (flags.duration) mode.measure = { duration: Number(flags.duration) };
if (flags.warmup) mode.warmup = { duration: Number(flags.warmup) };
if (flags.rounds) mode.rounds = Math.max(1, Number(flags.rounds));
if (flags.starts) mode.starts = Math.max(1, Number(flags.starts));
const write = !flags['no-write'] && modeName !== 'smoke';

const t0 = performance.now();
const log = (line) => process.stderr.write(`[bench +${((performance.now() - t0) / 1000).toFixed(1)}s] ${line}\n`);
const cleanups = [];

const watchdog = setTimeout(() => {
  log(`time limit of ${mode.limitS} s exceeded; stopping`);
  killAll();
  process.exit(1);
}, mode.limitS * 1000);
watchdog.unref();
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    killAll();
    process.exit(130);
  });
}
process.once('exit', killAll);

/** DB_POOL_MAX and LOG_LEVEL as the ECS task definition sets them (terraform/modules/service defaults). */
function taskDefaults() {
  const defaults = { DB_POOL_MAX: '10', LOG_LEVEL: 'info' };
  try {
    const tf = readFileSync(join(root, 'terraform/modules/service/variables.tf'), 'utf8');
    const variable = (name) => new RegExp(`variable "${name}"\\s*\\{[^}]*?default\\s*=\\s*"?([\\w.]+)"?`, 's').exec(tf)?.[1];
    return { DB_POOL_MAX: variable('db_pool_max') ?? defaults.DB_POOL_MAX, LOG_LEVEL: variable('log_level') ?? defaults.LOG_LEVEL };
  } catch {
    return defaults;
  }
}

/**
 * What the image runs (Dockerfile): dist/<service>/main.js, the bundle with its compile cache (apps/bundle.mjs),
 * with the node flags of the runtime stage's ENTRYPOINT (BENCH_NODE_FLAGS, when set, replaces them for an A/B
 * of V8 flags: `BENCH_NODE_FLAGS="--max-semi-space-size=2" npm run bench …`).
 */
function imageNodeFlags() {
  if (process.env.BENCH_NODE_FLAGS !== undefined) return process.env.BENCH_NODE_FLAGS.split(/\s+/).filter(Boolean);
  const dockerfile = readFileSync(join(root, 'Dockerfile'), 'utf8');
  const runtime = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));
  const entrypoint = /^ENTRYPOINT\s+(\[.*\])\s*$/m.exec(runtime);
  if (!entrypoint) throw new Error('the Dockerfile has no exec-form ENTRYPOINT in its runtime stage');
  const argv = JSON.parse(entrypoint[1]);
  if (argv[0] !== 'node' || argv.at(-1) !== 'dist/main.js') throw new Error(`unexpected ENTRYPOINT ${entrypoint[1]}`);
  return argv.slice(1, -1);
}

/** tsc's output (scripts/ensure-build.mjs), then the bundles when they are missing or older than it. */
function ensureBundles() {
  ensureBuild({ log });
  const stale = ['reader', 'writer'].filter((name) => {
    const bundle = join(root, 'dist', name, 'service.js');
    return !existsSync(bundle) || statSync(bundle).mtimeMs < statSync(join(root, 'dist/apps', name, 'src/main.js')).mtimeMs;
  });
  if (stale.length > 0) {
    log(`bundling ${stale.join(' and ')} (apps/bundle.mjs)…`);
    execFileSync(process.execPath, [join(root, 'apps/bundle.mjs'), ...stale], { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
  }
}

async function main() {
  const startedAt = Date.now();
  ensureBundles();
  // After the build: the scenarios and the plans run the reader's own search SQL from dist/.
  const { buildScenarios } = await import('./scenarios.mjs');
  const { searchTierOneSql } = await import('./search-sql.mjs');
  const tmp = mkdtempSync(join(os.tmpdir(), 'library-bench-'));
  chmodSync(tmp, 0o755); // as root, PostgreSQL runs as an unprivileged user that must reach its data dir
  cleanups.push(() => rmSync(tmp, { recursive: true, force: true }));
  const logPath = join(tmp, 'processes.log');
  const logFd = openSync(logPath, 'a');
  cleanups.push(() => closeSync(logFd));

  log(`mode ${modeName}: ${mode.rows.toLocaleString('en')} books, ${mode.connections} connections; starting PostgreSQL`);
  const postgres = await startEmbeddedPostgres({ dataDir: join(tmp, 'pg'), persistent: false });
  cleanups.push(() => postgres.stop());
  const db = { host: postgres.host, port: postgres.port, user: postgres.user, password: postgres.password, database: 'library_bench' };
  await postgres.createDatabase(db.database);

  const task = taskDefaults();
  const nodeFlags = imageNodeFlags();
  const dbEnv = {
    NODE_ENV: 'production',
    DB_HOST: db.host,
    DB_PORT: String(db.port),
    DB_NAME: db.database,
    DB_USER: db.user,
    DB_PASSWORD: db.password,
    ...task,
  };
  const migrate = spawnNode('dist/writer/main.js', ['migrate'], dbEnv, { cwd: root, logFd, nodeArgs: nodeFlags });
  const migrateTimer = setTimeout(() => migrate.child.kill('SIGKILL'), 60_000);
  const migrated = await migrate.exited;
  clearTimeout(migrateTimer);
  if (migrated !== 0) throw new Error(`migrate exited with ${migrated}; see ${logPath}`);
  await loadBooks(db, mode.rows, { log });
  const serverVersion = await queryOne(db, 'SHOW server_version');

  // Start-up: several cold starts of each built service, from spawn to /health/ready = 200; the last one serves.
  const services = {};
  for (const name of ['reader', 'writer']) {
    const readyMs = [];
    let instance;
    for (let i = 0; i < mode.starts; i++) {
      const port = await freePort();
      instance = spawnNode(`dist/${name}/main.js`, [], { ...dbEnv, PORT: String(port) }, { cwd: root, logFd, nodeArgs: nodeFlags });
      instance.url = `http://127.0.0.1:${port}`;
      readyMs.push(
        await waitForOk(`${instance.url}/health/ready`, { startedAt: instance.startedAt, exited: instance.exited, timeoutMs: 30_000 }),
      );
      if (i < mode.starts - 1) await stop(instance);
    }
    await sleep(mode.settleMs);
    services[name] = { ...instance, name, readyMs, idleRss: memoryOf(instance.child.pid).rss, peakRss: 0 };
    cleanups.push(() => stop(instance));
    log(`${name}: ready in ${readyMs.map((ms) => Math.round(ms)).join(', ')} ms; idle RSS ${services[name].idleRss.toFixed(1)} MiB`);
  }

  // The reader once more with tracing on, as the ECS task runs it (terraform/envs/*: parentbased_traceidratio,
  // sample_ratio 0.1, OTLP/HTTP protobuf to the sidecar), exporting to an in-process receiver that counts and
  // discards. Only the get-by-id-tracing scenario drives it, against the reader above (tracing off).
  const receiver = await startOtlpReceiver({ keep: false });
  cleanups.push(() => receiver.close());
  const traced = {};
  {
    const port = await freePort();
    const instance = spawnNode(
      'dist/reader/main.js',
      [],
      {
        ...dbEnv,
        PORT: String(port),
        OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
        OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
        OTEL_TRACES_SAMPLER_ARG: '0.1',
      },
      { cwd: root, logFd, nodeArgs: nodeFlags },
    );
    instance.url = `http://127.0.0.1:${port}`;
    const readyMs = await waitForOk(`${instance.url}/health/ready`, {
      startedAt: instance.startedAt,
      exited: instance.exited,
      timeoutMs: 30_000,
    });
    traced.readerTraced = { ...instance, name: 'reader (tracing on)', readyMs: [readyMs], peakRss: 0 };
    cleanups.push(() => stop(instance));
    log(`reader with tracing on: ready in ${Math.round(readyMs)} ms`);
  }

  // The ceiling twice: with the services' API headers (the yardstick of the ratios) and bare.
  const ceilings = {};
  for (const role of ['reader', 'writer']) {
    for (const headers of ['service', 'bare']) {
      const port = await freePort();
      const instance = spawnNode(
        'bench/ceiling.mjs',
        [],
        // Node's defaults for the ceilings (no node flags).
        { ...dbEnv, CEILING_ROLE: role, CEILING_HEADERS: headers, CEILING_PORT: String(port) },
        { cwd: root, logFd },
      );
      instance.url = `http://127.0.0.1:${port}`;
      await waitForOk(`${instance.url}/health/ready`, { startedAt: instance.startedAt, exited: instance.exited });
      (ceilings[role] ??= {})[headers] = instance;
      cleanups.push(() => stop(instance));
    }
  }

  const sameJson = await compareResponses(services.reader.url, ceilings.reader.service.url);
  const responseBytes = await measureResponseBytes([
    ['service', services.reader.url],
    ['ceiling', ceilings.reader.service.url],
    ['bare', ceilings.reader.bare.url],
  ]);
  log(`reader and ceiling answer identical JSON: ${sameJson.identical ? 'yes' : `NO (${sameJson.differences.join('; ')})`}`);

  const scenarios = buildScenarios({ rows: mode.rows, full: modeName === 'full' }).filter(
    (scenario) => !flags.scenario || flags.scenario.includes(scenario.id),
  );
  const admin = new pg.Client(db);
  await admin.connect();
  cleanups.push(() => admin.end());
  const query = (sql, params) => admin.query(sql, params);
  const results = [];
  for (const scenario of scenarios) {
    const service = services[scenario.service] ?? traced[scenario.service];
    const role = scenario.compareTo ?? scenario.service;
    // compareTo: the yardstick is another service (tracing on against off), not the ceiling.
    const targets = {
      service,
      ceiling: scenario.compareTo ? services[scenario.compareTo] : ceilings[role].service,
      bare: ceilings[role].bare,
    };
    const rounds = { service: [], ceiling: [], bare: [] };
    for (let round = 0; round < mode.rounds; round++) {
      // Alternate the order (ABC, CBA), never two at once; the service always runs between the two ceilings.
      const order = round % 2 === 0 ? ['ceiling', 'service', 'bare'] : ['bare', 'service', 'ceiling'];
      for (const which of order) {
        const target = targets[which];
        await settleThenPrepare(scenario, query);
        const warm = await drive({
          url: target.url,
          connections: scenario.connections ?? mode.connections,
          ...mode.warmup,
          request: scenario.request(),
        });
        await settleThenPrepare(scenario, query);
        const sampler = which === 'service' ? sampleRss(target.child.pid) : undefined;
        const cpuBefore = cpuTimeOf(target.child.pid);
        const measured = await drive({
          url: target.url,
          connections: scenario.connections ?? mode.connections,
          ...mode.measure,
          request: scenario.request(),
        });
        // The server process's own CPU per request: what the framework costs, whatever the load generator
        // (autocannon shares the two cores, so it caps the ceiling's req/s before the ceiling's CPU does).
        measured.cpuUsPerRequest = ((cpuTimeOf(target.child.pid) - cpuBefore) * 1000) / Math.max(1, measured.requests);
        measured.peakRss = sampler?.stop();
        measured.errors += warm.errors;
        if (measured.errors > 0) log(`${scenario.id} ${which}: status codes ${JSON.stringify(measured.statusCodes)}`);
        rounds[which].push(measured);
      }
    }
    // The best round of each (highest req/s): on a shared machine, noise only ever slows a run down.
    const best = (list) => list.reduce((a, b) => (b.rps > a.rps ? b : a));
    const summary = (which) => ({ ...best(rounds[which]), errors: sum(rounds[which].map((r) => r.errors)) });
    const result = {
      scenario,
      service: { ...summary('service'), peakRss: Math.max(...rounds.service.map((r) => r.peakRss)) },
      ceiling: summary('ceiling'),
      bare: summary('bare'),
    };
    service.peakRss = Math.max(service.peakRss, result.service.peakRss);
    results.push(result);
    log(
      `${scenario.id}: service ${Math.round(result.service.rps)} req/s p50 ${result.service.p50} p99 ${result.service.p99} ms; ` +
        `ceiling ${Math.round(result.ceiling.rps)} req/s p99 ${result.ceiling.p99} ms; bare ${Math.round(result.bare.rps)} req/s p99 ${result.bare.p99} ms`,
    );
  }
  for (const service of Object.values(services)) {
    const { rss, hwm } = memoryOf(service.child.pid);
    Object.assign(service, { endRss: rss, hwm });
  }

  // pgbench last: its UPDATEs bump versions behind the PATCH scenario's back. The HTTP writes left dead
  // row versions at the start of the table, where the page and search scripts read: vacuum them first.
  const pgbench = await findPgbench(root);
  await query('VACUUM (ANALYZE) books');
  await query('VACUUM (ANALYZE) book_search_terms');
  let pgbenchInfo = 'not available (no pgbench in the embedded or system PostgreSQL binaries)';
  if (pgbench) {
    pgbenchInfo = `${await pgbenchVersion(pgbench)} (${pgbench}), ${task.DB_POOL_MAX} clients (1 for search-1conn), named prepared statements`;
    for (const result of results) {
      try {
        const script =
          typeof result.scenario.pgbench === 'function'
            ? await result.scenario.pgbench(
                async (term) => (await query(`SELECT book_search_lexemes($1, '') AS lexemes`, [term])).rows[0].lexemes,
              )
            : result.scenario.pgbench;
        result.pgbench = await runPgbench(pgbench, {
          db,
          script,
          dir: tmp,
          name: result.scenario.id,
          clients: result.scenario.pgbenchClients ?? Number(task.DB_POOL_MAX),
          ...mode.pgbench,
        });
      } catch (error) {
        log(`pgbench ${result.scenario.id} failed: ${error.message.split('\n')[0]}`);
      }
    }
  } else log(pgbenchInfo);

  // The search's plans as the reader runs them: its prepared tier-1 statement, executed 6 times first so that
  // PostgreSQL has made its choice between custom and generic plans, then EXPLAIN ANALYZE of the next run.
  const plans = [];
  for (const term of ['river', 'ada okafor']) {
    const lexemes = (await query(`SELECT book_search_lexemes($1, '') AS lexemes`, [term])).rows[0].lexemes;
    const name = `explain_words_${lexemes.length}`;
    await query(`PREPARE ${name} AS ${searchTierOneSql(lexemes.length)}`);
    const values = [term, 0, 21, null, ...lexemes].map((value) => (value === null ? 'NULL' : `'${String(value).replace(/'/g, "''")}'`));
    for (let i = 0; i < 6; i++) await query(`EXECUTE ${name}(${values.join(', ')})`);
    const { rows } = await query(`EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) EXECUTE ${name}(${values.join(', ')})`);
    plans.push({ term, lexemes, plan: rows.map((row) => row['QUERY PLAN']).join('\n') });
    await query(`DEALLOCATE ${name}`);
  }

  const report = renderReport({
    plans,
    mode: modeName,
    settings: mode,
    task: { ...task, nodeFlags },
    results,
    services: Object.values(services),
    sameJson,
    responseBytes,
    environment: {
      date: new Date(startedAt).toISOString(),
      node: process.version,
      entry: "the image's entry (node dist/<service>/main.js: the bundle, with its compile cache)",
      postgres: serverVersion,
      pgbench: pgbenchInfo,
      cpus: os.availableParallelism(),
      cpuModel: os.cpus()[0]?.model ?? 'unknown',
      memoryGiB: os.totalmem() / 1024 ** 3,
      durationS: (Date.now() - startedAt) / 1000,
    },
  });
  log(`OTLP receiver: ${receiver.totals.exports} exports, ${receiver.totals.bytes} bytes (discarded)`);
  process.stdout.write(`${report}\n`);
  if (write) {
    writeBenchmarksFile(join(root, 'BENCHMARKS.md'), report);
    log('wrote BENCHMARKS.md');
  }
  return { sameJson };
}

/** autocannon abandons the requests in flight when a window ends; let the server finish them first. */
async function settleThenPrepare(scenario, query) {
  if (!scenario.prepare) return;
  await sleep(300);
  await scenario.prepare(query);
}

const sum = (values) => values.reduce((a, b) => a + b, 0);

async function queryOne(db, sql) {
  const client = new pg.Client(db);
  await client.connect();
  try {
    const { rows } = await client.query(sql);
    return Object.values(rows[0])[0];
  } finally {
    await client.end();
  }
}

/** The ceiling is only a fair yardstick if it answers exactly what the reader answers. */
async function compareResponses(serviceUrl, ceilingUrl) {
  const paths = [
    '/books/1',
    '/books?limit=50',
    '/books?limit=5&q=river',
    `/books?limit=5&q=${encodeURIComponent('ada okafor')}`,
    `/books?limit=3&author=${encodeURIComponent('Ada Okafor')}`,
  ];
  const differences = [];
  for (const path of paths) {
    const [a, b] = await Promise.all(
      [serviceUrl, ceilingUrl].map((base) => fetch(`${base}${path}`).then(async (r) => `${r.status} ${await r.text()}`)),
    );
    if (a !== b) differences.push(`${path}: service ${a.slice(0, 120)} vs ceiling ${b.slice(0, 120)}`);
  }
  return { identical: differences.length === 0, differences };
}

/** Bytes on the wire of one response (status line, headers, body) for a book and a 50-row page. */
async function measureResponseBytes(targets) {
  const bytes = {};
  for (const [name, base] of targets) {
    bytes[name] = {};
    for (const [label, path] of [
      ['book', '/books/1'],
      ['page', '/books?limit=50'],
    ]) {
      const response = await fetch(`${base}${path}`);
      const body = Buffer.from(await response.arrayBuffer());
      // fetch folds and lower-cases headers; HTTP/1.1 sends each as `Name: value\r\n`, the same length.
      let headerBytes = `HTTP/1.1 ${response.status} ${response.statusText}\r\n\r\n`.length;
      for (const [key, value] of response.headers) headerBytes += key.length + 2 + Buffer.byteLength(value) + 2;
      bytes[name][label] = { headers: headerBytes, body: body.length };
    }
  }
  return bytes;
}

let outcome;
try {
  outcome = await main();
} catch (error) {
  log(`failed: ${error.stack ?? error}`);
  process.exitCode = 1;
} finally {
  for (const cleanup of cleanups.reverse()) {
    try {
      await cleanup();
    } catch {
      // best effort: the watchdog and the exit handler kill what is left
    }
  }
}
if (outcome && !outcome.sameJson.identical) process.exitCode = 1;
