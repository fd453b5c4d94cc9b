import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repositoryRoot = fileURLToPath(new URL('../../..', import.meta.url));
const MIGRATIONS_DIR = 'libs/persistence/src/migrations';
const MIGRATION_FILE = /^\d{13}-[a-z0-9-]+\.ts$/;

export type PreviousRelease =
  { found: true; commit: string; subject: string; reason: string; migrations: string[] } | { found: false; reason: string };

function git(args: string[]): string {
  const result = spawnSync('git', args, { cwd: repositoryRoot, encoding: 'utf8', timeout: 30_000 });
  if (result.status !== 0) throw new Error(`git ${args.join(' ')} failed: ${result.stderr || result.error?.message}`);
  return result.stdout.trim();
}

/** The migration files at a commit (or, without one, in the working tree), sorted. */
function migrationsAt(commit?: string): string[] {
  const names = commit
    ? git(['ls-tree', '--name-only', `${commit}:${MIGRATIONS_DIR}`]).split('\n')
    : readdirSync(join(repositoryRoot, MIGRATIONS_DIR));
  return names.filter((name) => MIGRATION_FILE.test(name)).sort();
}

const same = (a: string[], b: string[]): boolean => a.length === b.length && a.every((name, index) => name === b[index]);

/**
 * The release that runs while this checkout's migrations are applied: the newest commit whose set of migration
 * files differs from the working tree's. Walking `git log` on the migrations folder, that is the parent of
 * the newest commit that changed the set (a commit that only edited a migration's imports or options does not
 * make a new release of the schema); HEAD itself when the working tree adds a migration not yet committed.
 */
export function findPreviousRelease(): PreviousRelease {
  if (spawnSync('git', ['rev-parse', '--git-dir'], { cwd: repositoryRoot, timeout: 10_000 }).status !== 0) {
    return { found: false, reason: 'not a git checkout' };
  }
  if (git(['rev-parse', '--is-shallow-repository']) === 'true') {
    return {
      found: false,
      reason:
        'this is a shallow clone, so the previous release is not in it (git fetch --unshallow, or clone with full history: actions/checkout fetch-depth: 0)',
    };
  }
  const current = migrationsAt();
  if (!same(migrationsAt('HEAD'), current)) {
    return {
      found: true,
      commit: git(['rev-parse', 'HEAD']),
      subject: git(['log', '-1', '--format=%s', 'HEAD']),
      reason: 'the working tree adds migrations to HEAD',
      migrations: migrationsAt('HEAD'),
    };
  }
  const changes = git(['log', '--format=%H', '--', MIGRATIONS_DIR]).split('\n').filter(Boolean);
  for (const change of changes) {
    const parents = git(['rev-list', '--parents', '-n', '1', change]).split(' ').slice(1);
    if (parents.length === 0) break; // the root commit: nothing before it
    const parent = parents[0]!;
    const before = migrationsAt(parent);
    if (!same(before, current)) {
      return {
        found: true,
        commit: git(['rev-parse', parent]),
        subject: git(['log', '-1', '--format=%s', parent]),
        reason: `the parent of ${change.slice(0, 7)}, the newest commit that changed the set of migrations`,
        migrations: before,
      };
    }
  }
  return { found: false, reason: 'no earlier commit has a different set of migrations' };
}

export interface BuiltRelease {
  dir: string;
  cached: boolean;
  installMs: number;
  buildMs: number;
}

async function run(command: string, args: string[], cwd: string, timeoutMs: number): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const child = spawn(command, args, { cwd, env: { ...process.env, NODE_ENV: 'development' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => (output = (output + chunk).slice(-4000)));
    child.stderr.on('data', (chunk) => (output = (output + chunk).slice(-4000)));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else
        reject(
          new Error(
            `${command} ${args.join(' ')} in ${cwd} ${signal ? `was killed (${signal}; limit ${timeoutMs} ms)` : `exited ${code}`}:\n${output}`,
          ),
        );
    });
  });
}

/**
 * The previous release's tree (`git archive`, so the repository's worktrees and refs are left alone) with
 * its own `npm ci` (scripts off: it needs no native build to compile) and `npm run build`, each bounded in
 * time. Kept in the system temp dir per commit, so a second run on the same machine reuses it.
 */
export async function buildRelease(
  commit: string,
  { installTimeoutMs = 6 * 60_000, buildTimeoutMs = 4 * 60_000 } = {},
): Promise<BuiltRelease> {
  const cacheRoot = join(tmpdir(), 'library-previous-release');
  const dir = join(cacheRoot, commit);
  if (existsSync(join(dir, '.built'))) return { dir, cached: true, installMs: 0, buildMs: 0 };
  mkdirSync(cacheRoot, { recursive: true });
  const staging = `${dir}.partial-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  try {
    await run('sh', ['-c', `git -C "${repositoryRoot}" archive --format=tar "${commit}" | tar -x -C "${staging}"`], repositoryRoot, 60_000);
    let startedAt = performance.now();
    await run('npm', ['ci', '--no-audit', '--no-fund', '--prefer-offline', '--ignore-scripts'], staging, installTimeoutMs);
    const installMs = performance.now() - startedAt;
    startedAt = performance.now();
    await run('npm', ['run', 'build'], staging, buildTimeoutMs);
    const buildMs = performance.now() - startedAt;
    writeFileSync(join(staging, '.built'), `${commit}\n`);
    rmSync(dir, { recursive: true, force: true });
    renameSync(staging, dir);
    return { dir, cached: false, installMs, buildMs };
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    throw error;
  }
}
