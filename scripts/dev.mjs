// `npm run dev`: the whole stack on this machine without Docker.
//   embedded PostgreSQL (data in .data/postgres) → build → migrate → reader on 8000 and writer on 8001,
//   both restarted on every source change. With DB_HOST set, that database is used instead.
// `npm run seed` (or `npm run dev -- --seed`): load sample books.
//
// Stopping: SIGINT (Ctrl-C), SIGTERM or SIGHUP to this process, or to npm above it, or the death of its
// parent (an IDE or process manager that goes away) stop every child: each runs in a process group of its
// own (nest's watch compiler; node --watch and the app under it), and the whole group is stopped. Were this
// process killed outright (SIGKILL), scripts/dev-guard.mjs, which holds a pipe from it, stops them instead.
//
// Logs: in a terminal, the services' JSON lines are printed by pino-pretty; otherwise they stay JSON (as in
// production, which this never touches). Nest's per-module and per-route start-up lines are dropped.
import './require-node.mjs';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { serverUserCanReach, startEmbeddedPostgres } from './embedded-postgres.mjs';
import { ensureBuild } from './ensure-build.mjs';
import { sampleBooks } from './sample-books.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const seedOnly = process.argv.includes('--seed-only');
const seed = seedOnly || process.argv.includes('--seed');
const DEV_DB_PORT = Number(process.env.DEV_DB_PORT ?? 54320);
const READER_PORT = Number(process.env.DEV_READER_PORT ?? 8000);
const WRITER_PORT = Number(process.env.DEV_WRITER_PORT ?? 8001);
const STOP_GRACE_MS = 5_000;
/** Nest's start-up lines, one per module and per route: noise in a terminal. */
const STARTUP_NOISE = new Set(['InstanceLoader', 'RoutesResolver', 'RouterExplorer']);
const children = [];
let embedded;
let guard;

const say = (line) => process.stdout.write(`[dev] ${line}\n`);

function portOpen(port) {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

async function database() {
  if (process.env.DB_HOST) {
    say(`using PostgreSQL at ${process.env.DB_HOST}:${process.env.DB_PORT ?? 5432} (DB_HOST is set)`);
    return {};
  }
  const settings = {
    DB_HOST: '127.0.0.1',
    DB_PORT: String(DEV_DB_PORT),
    DB_USER: 'postgres',
    DB_PASSWORD: 'password',
    DB_NAME: process.env.DB_NAME ?? 'library_db',
  };
  if (await portOpen(DEV_DB_PORT)) {
    say(`using the embedded PostgreSQL already running on 127.0.0.1:${DEV_DB_PORT}`);
    return settings;
  }
  // As root, PostgreSQL runs as an unprivileged user; in a private directory (root's 0700 home) it cannot
  // reach .data/, so the dev database lives in the system's temporary directory instead.
  let dataDir = `${root}.data/postgres`;
  if (!serverUserCanReach(`${root}.data`)) {
    dataDir = join(tmpdir(), `library-dev-postgres-${createHash('sha256').update(root).digest('hex').slice(0, 12)}`);
    say(`PostgreSQL's user cannot reach ${root}.data (a parent directory is private): the dev database lives in ${dataDir}`);
  }
  say(`starting embedded PostgreSQL on 127.0.0.1:${DEV_DB_PORT} (data in ${dataDir})…`);
  embedded = await startEmbeddedPostgres({ dataDir, port: DEV_DB_PORT });
  const postmaster = Number(readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
  if (postmaster > 0) guard?.stdin.write(`postgres ${postmaster}\n`);
  await embedded.createDatabase(settings.DB_NAME);
  return settings;
}

async function seedBooks(env) {
  const client = new pg.Client({
    host: env.DB_HOST,
    port: Number(env.DB_PORT ?? 5432),
    user: env.DB_USER ?? 'postgres',
    password: env.DB_PASSWORD,
    database: env.DB_NAME ?? 'library_db',
  });
  await client.connect();
  let added = 0;
  for (const book of sampleBooks) {
    const { rowCount } = await client.query(
      'INSERT INTO books (title, author, description, isbn) VALUES ($1, $2, $3, $4) ON CONFLICT (isbn) DO NOTHING',
      [book.title, book.author, book.description, book.isbn],
    );
    added += rowCount;
  }
  await client.end();
  say(`seeded ${added} sample books (${sampleBooks.length - added} were already there)`);
}

/** The dev guard (scripts/dev-guard.mjs): stops the children should this process die without stopping them. */
function startGuard() {
  guard = spawn(process.execPath, [join(root, 'scripts/dev-guard.mjs')], { detached: true, stdio: ['pipe', 'ignore', 'inherit'] });
  guard.stdin.on('error', () => undefined);
  guard.unref();
}

/** Starts a child as the leader of a new process group, which shutdown() and the guard stop as a whole. */
function startChild(command, args, options) {
  const child = spawn(command, args, { cwd: root, ...options, detached: true });
  children.push(child);
  guard?.stdin.write(`group ${child.pid}\n`);
  return child;
}

function signalGroup(child, signal) {
  try {
    process.kill(-child.pid, signal);
  } catch {
    // the group is gone
  }
}

function groupAlive(child) {
  try {
    process.kill(-child.pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** A service's stdout, line by line: start-up noise dropped; pretty in a terminal, JSON otherwise. */
async function relayLogs(stream) {
  const pretty = process.stdout.isTTY
    ? (await import('pino-pretty')).prettyFactory({ colorize: true, ignore: 'pid,hostname,service', messageFormat: '{service} {msg}' })
    : undefined;
  createInterface({ input: stream, crlfDelay: Infinity }).on('line', (line) => {
    if (line.startsWith('{')) {
      try {
        const entry = JSON.parse(line);
        if (STARTUP_NOISE.has(entry.context) && ['info', 'debug', 'trace', 30, 20, 10].includes(entry.level)) return;
        if (pretty) return void process.stdout.write(pretty(entry));
      } catch {
        // not a log line: printed as it is
      }
    }
    process.stdout.write(`${line}\n`);
  });
}

let stopping;
function shutdown(code = 0) {
  stopping ??= (async () => {
    for (const child of children) signalGroup(child, 'SIGTERM');
    const deadline = Date.now() + STOP_GRACE_MS;
    while (children.some(groupAlive) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    for (const child of children) signalGroup(child, 'SIGKILL');
    await embedded?.stop().catch(() => undefined);
    guard?.stdin.end(); // nothing is left for it to stop: it exits
    process.exit(code);
  })();
  return stopping;
}
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => shutdown(0));

/**
 * Whoever started this process (npm, a shell, an IDE) may die without signalling it. npm runs scripts through
 * `sh -c`, so the shell's parent is watched too. Polled, as Node has no parent-death signal.
 */
function watchParents() {
  const parent = process.ppid;
  const watched = [parent];
  try {
    const [, comm, , grandparent] = /^\d+ \((.*)\) (\S) (\d+)/.exec(readFileSync(`/proc/${parent}/stat`, 'utf8')) ?? [];
    if (['sh', 'dash', 'bash', 'zsh'].includes(comm) && Number(grandparent) > 1) watched.push(Number(grandparent));
  } catch {
    // no /proc (macOS): the parent alone
  }
  const alive = (pid) => {
    try {
      process.kill(pid, 0);
      return true;
    } catch (error) {
      return error.code === 'EPERM';
    }
  };
  setInterval(() => {
    if (process.ppid !== parent || !watched.every(alive)) {
      say('the process that started dev.mjs is gone: stopping');
      void shutdown(0);
    }
  }, 500).unref();
}

watchParents();
startGuard();

try {
  const dbEnv = await database();
  const env = { ...process.env, ...dbEnv };
  ensureBuild({ log: say });
  const migrate = startChild(process.execPath, ['dist/apps/writer/src/main.js', 'migrate'], { env, stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise((resolve) => migrate.on('exit', (code) => resolve(code === 0)));
  await relayLogs(migrate.stdout);
  const migrated = await exited;
  if (!migrated) throw new Error('migrations failed (see above)');
  if (seed) await seedBooks(env);
  if (seedOnly) await shutdown(0);
  else {
    // One compiler in watch mode (both apps share the tsconfig), one node --watch per service. The Nest CLI
    // runs from its own bin, not through npx, whose extra process would not pass signals on.
    const nestCli = createRequire(import.meta.url).resolve('@nestjs/cli/bin/nest.js');
    startChild(process.execPath, [nestCli, 'build', 'reader', '--watch', '--preserveWatchOutput'], {
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    for (const [name, port] of [
      ['reader', READER_PORT],
      ['writer', WRITER_PORT],
    ]) {
      const entry = `dist/apps/${name}/src/main.js`;
      if (!existsSync(`${root}${entry}`)) throw new Error(`${entry} is missing after the build`);
      const service = startChild(process.execPath, ['--watch', entry], {
        env: { LOG_LEVEL: 'info', ...env, PORT: String(port) },
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      await relayLogs(service.stdout);
    }
    say(`reader  http://localhost:${READER_PORT}/books   docs http://localhost:${READER_PORT}/docs`);
    say(`writer  http://localhost:${WRITER_PORT}/books   docs http://localhost:${WRITER_PORT}/docs`);
    say('Ctrl-C stops everything.');
  }
} catch (error) {
  process.stderr.write(`[dev] ${error.message}\n`);
  shutdown(1);
}
