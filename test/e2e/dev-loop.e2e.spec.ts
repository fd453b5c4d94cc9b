import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type ChildProcess, spawn } from 'node:child_process';
import { chmodSync, cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, startEmbeddedPostgres } from '../../scripts/embedded-postgres.mjs';

/**
 * `npm run dev` for real, from a fresh copy of the project in a private directory (mode 0700, as root's home
 * is): the copy holds PostgreSQL's binaries itself, so as root the database's unprivileged user cannot reach
 * them there. Each case starts the whole loop (PostgreSQL, nest's watch compiler, node --watch and both
 * services), waits until both services are ready, records every process of the tree from /proc, stops it
 * the way one case says, and requires every one of those processes to be gone within STOP_LIMIT_MS.
 */

const repo = new URL('../..', import.meta.url).pathname;
const START_LIMIT_MS = 120_000;
const STOP_LIMIT_MS = 20_000;
const asRoot = process.getuid?.() === 0;

let scratch = '';
let project = '';

/** The pieces `npm run dev` needs, copied with their times (so dist/ stays newer than the sources). */
function copyProject(into: string): void {
  for (const piece of ['apps', 'libs', 'scripts', 'dist', 'package.json', 'tsconfig.json', 'nest-cli.json']) {
    cpSync(join(repo, piece), join(into, piece), { recursive: true, preserveTimestamps: true, verbatimSymlinks: true });
  }
  // node_modules: every package linked from the repository's, except PostgreSQL's binaries, copied for real.
  mkdirSync(join(into, 'node_modules', '@embedded-postgres'), { recursive: true });
  for (const entry of readdirSync(join(repo, 'node_modules'))) {
    if (entry !== '@embedded-postgres') symlinkSync(join(repo, 'node_modules', entry), join(into, 'node_modules', entry));
  }
  const binaries = `${process.platform}-${process.arch}`;
  cpSync(join(repo, 'node_modules', '@embedded-postgres', binaries), join(into, 'node_modules', '@embedded-postgres', binaries), {
    recursive: true,
    dereference: true,
  });
}

interface ProcessInfo {
  pid: number;
  ppid: number;
  state: string;
  args: string;
}

function processTable(): Map<number, ProcessInfo> {
  const table = new Map<number, ProcessInfo>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const [, state, ppid] = /\) (\S) (\d+)/.exec(stat) ?? [];
      const args = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').join(' ').trim();
      table.set(Number(entry), { pid: Number(entry), ppid: Number(ppid), state: state!, args });
    } catch {
      // it exited while we looked
    }
  }
  return table;
}

/** Every descendant of `root` (the root included), by parent pid. */
function tree(root: number): ProcessInfo[] {
  const table = processTable();
  const found = [table.get(root)].filter((entry): entry is ProcessInfo => !!entry);
  for (let i = 0; i < found.length; i++) {
    for (const entry of table.values()) if (entry.ppid === found[i]!.pid) found.push(entry);
  }
  return found;
}

/** Which of `processes` still run (a zombie has ended; only its exit status is left). */
function survivors(processes: ProcessInfo[]): ProcessInfo[] {
  const table = processTable();
  return processes.filter((entry) => {
    const now = table.get(entry.pid);
    return now && now.state !== 'Z' && now.args === entry.args;
  });
}

async function until(condition: () => boolean | Promise<boolean>, limitMs: number): Promise<boolean> {
  const deadline = Date.now() + limitMs;
  while (Date.now() < deadline) {
    if (await condition()) return true;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return condition();
}

const ready = (port: number): Promise<boolean> =>
  fetch(`http://127.0.0.1:${port}/health/ready`, { signal: AbortSignal.timeout(2_000) }).then(
    (response) => response.ok,
    () => false,
  );

interface RunningDev {
  launcher: ChildProcess;
  devPid: number;
  processes: ProcessInfo[];
  output: () => string;
}

async function startDev(via: 'npm' | 'node'): Promise<RunningDev> {
  const [dbPort, readerPort, writerPort] = [await freePort(), await freePort(), await freePort()];
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DEV_DB_PORT: String(dbPort),
    DEV_READER_PORT: String(readerPort),
    DEV_WRITER_PORT: String(writerPort),
  };
  for (const key of ['DB_HOST', 'DB_PORT', 'DB_NAME', 'DB_USER', 'DB_PASSWORD', 'PORT']) delete env[key];
  const [command, args] = via === 'npm' ? ['npm', ['run', 'dev']] : [process.execPath, ['scripts/dev.mjs']];
  // Its own process group, like a shell's foreground job: Ctrl-C is SIGINT to that group.
  const launcher = spawn(command as string, args as string[], { cwd: project, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  launcher.stdout!.on('data', (chunk: Buffer) => (output += chunk));
  launcher.stderr!.on('data', (chunk: Buffer) => (output += chunk));
  const up = await until(async () => launcher.exitCode === null && (await ready(readerPort)) && (await ready(writerPort)), START_LIMIT_MS);
  const processes = tree(launcher.pid!);
  const dev = processes.find((entry) => entry.args.endsWith('scripts/dev.mjs'));
  if (!up || !dev) {
    await stopGroupHard(launcher.pid!, processes);
    throw new Error(`npm run dev did not come up within ${START_LIMIT_MS} ms:\n${output.slice(-3000)}`);
  }
  return { launcher, devPid: dev.pid, processes, output: () => output };
}

/** Test clean-up only: SIGKILL for everything recorded, whatever the case did. */
async function stopGroupHard(launcherPid: number, processes: ProcessInfo[]): Promise<void> {
  for (const entry of [...processes, ...tree(launcherPid)]) {
    try {
      process.kill(entry.pid, 'SIGKILL');
    } catch {
      // gone
    }
  }
}

beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'library-dev-loop-'));
  chmodSync(scratch, 0o700); // private, as /root is
  project = join(scratch, 'project');
  copyProject(project);
}, 120_000);

/** Dev data directories outside the copy (as root; see scripts/dev.mjs), read from dev.mjs's output. */
const outsideDataDirs = new Set<string>();

afterAll(() => {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
  for (const dir of outsideDataDirs) rmSync(dir, { recursive: true, force: true });
});

type Stop = { name: string; via: 'npm' | 'node'; stop: (dev: RunningDev) => void };
const send = (pid: number, signal: NodeJS.Signals) => () => process.kill(pid, signal);

const cases: Stop[] = [
  {
    name: 'Ctrl-C in a terminal (SIGINT to the foreground process group)',
    via: 'npm',
    stop: (dev) => send(-dev.launcher.pid!, 'SIGINT')(),
  },
  { name: 'SIGTERM to npm (an IDE or process manager)', via: 'npm', stop: (dev) => send(dev.launcher.pid!, 'SIGTERM')() },
  { name: 'SIGKILL to npm (its parent dies without a word)', via: 'npm', stop: (dev) => send(dev.launcher.pid!, 'SIGKILL')() },
  { name: 'SIGTERM to dev.mjs', via: 'node', stop: (dev) => send(dev.devPid, 'SIGTERM')() },
  { name: 'SIGINT to dev.mjs alone', via: 'node', stop: (dev) => send(dev.devPid, 'SIGINT')() },
  { name: 'SIGHUP to dev.mjs (its terminal closed)', via: 'node', stop: (dev) => send(dev.devPid, 'SIGHUP')() },
  { name: 'SIGKILL to dev.mjs (the guard stops its children)', via: 'node', stop: (dev) => send(dev.devPid, 'SIGKILL')() },
];

describe('npm run dev stops every process it started, whatever stops it', () => {
  it.each(cases)(
    '$name',
    async ({ via, stop }) => {
      const dev = await startDev(via);
      try {
        // The tree holds the database, nest's compiler, both node --watch and both services.
        const args = dev.processes.map((entry) => entry.args).join('\n');
        expect(args).toMatch(/bin\/postgres -D/);
        expect(args).toMatch(/nest\.js build reader --watch/);
        expect(args).toMatch(/--watch dist\/apps\/reader\/src\/main\.js/);
        expect(args).toMatch(/--watch dist\/apps\/writer\/src\/main\.js/);
        expect(dev.processes.length).toBeGreaterThanOrEqual(8);
        const dataDir = /\(data in (\S+)\)/.exec(dev.output())?.[1] ?? '';
        if (asRoot) {
          expect(dataDir).not.toBe('');
          expect(dataDir.startsWith(scratch)).toBe(false); // out of the private directory, where its user reaches it
          outsideDataDirs.add(dataDir);
        }
        stop(dev);
        const allGone = await until(() => survivors(dev.processes).length === 0, STOP_LIMIT_MS);
        const left = survivors(dev.processes)
          .map((entry) => `${entry.pid} ${entry.args}`)
          .join('\n');
        expect(allGone ? '' : left).toBe('');
      } finally {
        await stopGroupHard(dev.launcher.pid!, dev.processes);
      }
    },
    START_LIMIT_MS + STOP_LIMIT_MS + 30_000,
  );
});

describe('embedded PostgreSQL from a project in a private directory', () => {
  it('runs (its binaries copied where the server user reaches them), or names the cause and the fix in one line', async () => {
    const { startEmbeddedPostgres: startFromCopy } = (await import(join(project, 'scripts', 'embedded-postgres.mjs'))) as {
      startEmbeddedPostgres: typeof startEmbeddedPostgres;
    };
    const reachable = mkdtempSync(join(tmpdir(), 'library-private-pg-'));
    chmodSync(reachable, 0o755);
    try {
      const server = await startFromCopy({ dataDir: join(reachable, 'data'), persistent: false });
      await server.createDatabase('private_root_test');
      await server.stop();
    } finally {
      rmSync(reachable, { recursive: true, force: true });
    }
    // A data directory inside the private one: as root the server's user cannot reach it.
    const inside = startFromCopy({ dataDir: join(project, '.data', 'unreachable'), persistent: false });
    if (asRoot) {
      const error = (await inside.catch((caught: unknown) => caught)) as Error;
      expect(error.name).toBe('EmbeddedPostgresError');
      expect(error.message).toMatch(/cannot reach the data directory .*; fix: /);
      expect(error.stack!.split('\n')).toHaveLength(1);
    } else {
      await (await inside).stop();
    }
  }, 120_000);
});
