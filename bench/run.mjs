#!/usr/bin/env node
// `npm run bench`: the services in the production configuration (the image's artifact and node flags, tracing
// on as prod's ECS task sets it) against the machine's ceiling, with the same artifact with tracing off beside
// them, on loopback, bounded in time.
//
//   node bench/run.mjs            10,000 books, 50 connections, 2 rounds of 2 s warm-up + 5 s measured
//   node bench/run.mjs --full     1,000,000 books (deep page and search at 1M)
//   node bench/run.mjs --smoke    a few seconds, 500 books, short count-bounded windows (CI)
//   --no-write                    print the table only (the smoke mode never writes BENCHMARKS.md)
//   --connections N --duration S --warmup S --rounds N --starts N   override the mode's defaults
//
// Everything it starts (PostgreSQL in a temp dir, the built reader and writer, the ceiling servers) is
// stopped on exit, and a watchdog ends the run if it outlives its mode's time limit.
import { chmodSync, closeSync, mkdirSync, mkdtempSync, openSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { freePort, startEmbeddedPostgres } from '../scripts/embedded-postgres.mjs';
import { startOtlpReceiver } from '../scripts/otlp-receiver.mjs';
import { ensureBuild } from '../scripts/ensure-build.mjs';
import { assignedValue } from '../scripts/terraform-defaults.mjs';
import { loadBooks } from './dataset.mjs';
import { drive } from './lib/load.mjs';
import { findPgbench, pgbenchVersion, runPgbench } from './lib/pgbench.mjs';
import { cpuTimeOf, killAll, memoryOf, sampleRss, spawnNode, stop, waitForOk } from './lib/processes.mjs';
import { imageNodeFlags, productionTracing } from './lib/production.mjs';
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

const DEFAULT_MODE = {
  rows: 10_000,
  connections: 50,
  warmup: { duration: 2 },
  measure: { duration: 5 },
  rounds: 2,
  starts: 5,
  pgbench: { seconds: 5 },
  limitS: 15 * 60,
  settleMs: 1000,
};
const MODES = {
  smoke: {
    rows: 500,
    connections: 10,
    warmup: { amount: 40 },
    measure: { amount: 300 },
    rounds: 1,
    starts: 1,
    pgbench: { transactions: 20 },
    limitS: 150,
    settleMs: 200,
  },
  default: DEFAULT_MODE,
  // The default run over a million rows: only the data and the time it may take grow.
  full: { ...DEFAULT_MODE, rows: 1_000_000, limitS: 40 * 60 },
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

/** The mode's time limit, counted from the end of the build (a first build is not the benchmark's time). */
function startWatchdog() {
  const watchdog = setTimeout(() => {
    log(`time limit of ${mode.limitS} s exceeded; stopping`);
    killAll();
    process.exit(1);
  }, mode.limitS * 1000);
  watchdog.unref();
}
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    killAll();
    process.exit(130);
  });
}
process.once('exit', killAll);

/** DB_POOL_MAX and LOG_LEVEL as prod's ECS task sets them (terraform/envs/prod/main.tf, settings.task). */
function taskDefaults() {
  const prod = 'terraform/envs/prod/main.tf';
  return { DB_POOL_MAX: assignedValue(prod, 'db_pool_max'), LOG_LEVEL: assignedValue(prod, 'log_level') };
}

/** The built entry of a service: the tsc output, which the image runs too (its dist/main.js links to it). */
const entryOf = (name) => `dist/apps/${name}/src/main.js`;

/**
 * Node's compile cache, made as the image's build makes it (Dockerfile, compile-cache stage: `help` once with
 * tracing off and once on, which loads each service's whole module graph), so the starts measured here are
 * the image's starts.
 */
async function warmCompileCache(dir, env) {
  mkdirSync(dir, { recursive: true });
  const runs = ['reader', 'writer'].flatMap((name) =>
    [{}, env.tracing].map(async (tracing) => {
      const help = spawnNode(entryOf(name), ['help'], { ...env.db, ...tracing, NODE_COMPILE_CACHE: dir }, env.spawn);
      const code = await help.exited;
      if (code !== 0) throw new Error(`${entryOf(name)} help exited with ${code} while warming the compile cache`);
    }),
  );
  await Promise.all(runs);
}

async function main() {
  const startedAt = Date.now();
  ensureBuild({ log });
  startWatchdog();
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
  const migrate = spawnNode(entryOf('writer'), ['migrate'], dbEnv, { cwd: root, logFd, nodeArgs: nodeFlags });
  const migrateTimer = setTimeout(() => migrate.child.kill('SIGKILL'), 60_000);
  const migrated = await migrate.exited;
  clearTimeout(migrateTimer);
  if (migrated !== 0) throw new Error(`migrate exited with ${migrated}; see ${logPath}`);
  await loadBooks(db, mode.rows, { log });
  const serverVersion = await queryOne(db, 'SHOW server_version');

  // The production configuration: tracing on as prod sets it, exporting to an in-process receiver that counts
  // and discards (the collector sidecar's stand-in); and the same artifact with tracing off beside it.
  const receiver = await startOtlpReceiver({ keep: false });
  cleanups.push(() => receiver.close());
  const tracingEnv = productionTracing(receiver.endpoint);
  const compileCache = join(tmp, 'compile-cache');
  const spawnOptions = { cwd: root, logFd, nodeArgs: nodeFlags };
  await warmCompileCache(compileCache, { db: dbEnv, tracing: tracingEnv, spawn: spawnOptions });
  const configurations = { on: tracingEnv, off: {} };

  // Start-up: several cold starts of each service in each configuration, alternating, from spawn to
  // /health/ready = 200; the last one of each serves the load.
  const services = {};
  for (const name of ['reader', 'writer']) {
    const readyMs = { on: [], off: [] };
    const last = {};
    for (let i = 0; i < mode.starts; i++) {
      for (const tracing of i % 2 === 0 ? ['on', 'off'] : ['off', 'on']) {
        const port = await freePort();
        const env = { ...dbEnv, ...configurations[tracing], NODE_COMPILE_CACHE: compileCache, PORT: String(port) };
        const instance = spawnNode(entryOf(name), [], env, spawnOptions);
        instance.url = `http://127.0.0.1:${port}`;
        readyMs[tracing].push(
          await waitForOk(`${instance.url}/health/ready`, { startedAt: instance.startedAt, exited: instance.exited, timeoutMs: 30_000 }),
        );
        if (i < mode.starts - 1) await stop(instance);
        else last[tracing] = instance;
      }
    }
    await sleep(mode.settleMs);
    for (const tracing of ['on', 'off']) {
      const instance = last[tracing];
      const label = `${name} (tracing ${tracing})`;
      services[`${name}:${tracing}`] = {
        ...instance,
        name: label,
        role: name,
        tracing,
        readyMs: readyMs[tracing],
        idleRss: memoryOf(instance.child.pid).rss,
        peakRss: 0,
      };
      cleanups.push(() => stop(instance));
      log(
        `${label}: ready in ${readyMs[tracing].map((ms) => Math.round(ms)).join(', ')} ms; idle RSS ${services[`${name}:${tracing}`].idleRss.toFixed(1)} MiB`,
      );
    }
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

  const sameJson = await compareResponses(services['reader:on'].url, ceilings.reader.service.url);
  const responseBytes = await measureResponseBytes([
    ['service', services['reader:on'].url],
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
    const role = scenario.service;
    const targets = {
      service: services[`${role}:on`],
      off: services[`${role}:off`],
      ceiling: ceilings[role].service,
      bare: ceilings[role].bare,
    };
    const rounds = { service: [], off: [], ceiling: [], bare: [] };
    for (let round = 0; round < mode.rounds; round++) {
      // Alternate the order, never two at once; tracing on and off always run between the two ceilings.
      const order = round % 2 === 0 ? ['ceiling', 'service', 'off', 'bare'] : ['bare', 'off', 'service', 'ceiling'];
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
        const sampler = which === 'service' || which === 'off' ? sampleRss(target.child.pid) : undefined;
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
    const peak = (which) => Math.max(...rounds[which].map((r) => r.peakRss));
    const result = {
      scenario,
      service: { ...summary('service'), peakRss: peak('service') },
      off: { ...summary('off'), peakRss: peak('off') },
      ceiling: summary('ceiling'),
      bare: summary('bare'),
    };
    targets.service.peakRss = Math.max(targets.service.peakRss, result.service.peakRss);
    targets.off.peakRss = Math.max(targets.off.peakRss, result.off.peakRss);
    results.push(result);
    log(
      `${scenario.id}: tracing on ${Math.round(result.service.rps)} req/s p50 ${result.service.p50} p99 ${result.service.p99} ms; ` +
        `off ${Math.round(result.off.rps)} req/s; ` +
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
      entry:
        "the image's artifact (node dist/apps/<service>/src/main.js, the tsc output, with a compile cache made as the image's build makes it)",
      tracing: `${tracingEnv.OTEL_TRACES_SAMPLER} ${tracingEnv.OTEL_TRACES_SAMPLER_ARG} (prod's), OTLP/HTTP protobuf to a local receiver that discards`,
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
