import { spawnSync } from 'node:child_process';
import { appendFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type App, imageBuildArgs } from '../../container/support/images.js';
import { type Runtime, exec, repoRoot } from '../../container/support/runtime.js';

/**
 * The drill's two releases: the previous commit (HEAD~1, the release production runs while this one deploys)
 * and this checkout. Each is built from its own tree with its own Dockerfile, with the very build command of
 * the images suite (test/container/support/images.ts); podman's layer cache shares every layer whose inputs
 * did not change (the dependency layers, while package-lock.json is the same).
 */

export type ReleaseName = 'old' | 'new';

export const RELEASES: readonly ReleaseName[] = ['old', 'new'];
export const APPS: readonly App[] = ['reader', 'writer'];

export type PreviousCommit = { found: true; commit: string; subject: string } | { found: false; reason: string };

function git(args: string[]): { ok: boolean; out: string } {
  const result = spawnSync('git', args, { cwd: repoRoot, encoding: 'utf8', timeout: 30_000 });
  return { ok: result.status === 0, out: (result.stdout ?? '').trim() };
}

/** HEAD~1, or why it is not in this clone (a shallow CI checkout has no parent). */
export function findPreviousCommit(): PreviousCommit {
  if (!git(['rev-parse', '--git-dir']).ok) return { found: false, reason: 'this is not a git checkout' };
  const parent = git(['rev-parse', '--verify', '--quiet', 'HEAD~1^{commit}']);
  if (!parent.ok) {
    const shallow = git(['rev-parse', '--is-shallow-repository']).out === 'true';
    return {
      found: false,
      reason: shallow
        ? 'HEAD~1 is not in this shallow clone (git fetch --deepen=1, or actions/checkout with fetch-depth: 2 or 0)'
        : 'HEAD has no parent commit',
    };
  }
  return { found: true, commit: parent.out, subject: git(['log', '-1', '--format=%s', parent.out]).out };
}

/** The images of one release, tagged for this drill only (removed again by untagImages). */
export function imageTag(release: ReleaseName, app: App): string {
  return `localhost/library-${app}:canary-drill-${release}`;
}

export const buildLogDir = join(repoRoot, '.test-results', 'canary');

/** `build --build-arg APP=<app>` of the tree's own Dockerfile, the images suite's arguments, bounded in time. */
async function build(runtime: Runtime, contextDir: string, app: App, tag: string, timeoutMs: number): Promise<number> {
  const args = imageBuildArgs(runtime, app, tag);
  const log = join(buildLogDir, `build-${tag.split(':').pop()}-${app}.log`);
  writeFileSync(log, `${runtime.name} ${args.join(' ')} (in ${contextDir})\n`);
  const startedAt = performance.now();
  await runtime.check(args, `read the build log ${log}`, { timeoutMs, cwd: contextDir, onOutput: (chunk) => appendFileSync(log, chunk) });
  return performance.now() - startedAt;
}

export interface BuiltReleases {
  previous: { commit: string; subject: string };
  /** Milliseconds per image, e.g. { 'old reader': 9000 } */
  buildMs: Record<string, number>;
}

/**
 * Builds both releases' images: HEAD~1 from `git archive` of its tree (the repository's worktrees and refs are
 * left alone), this checkout from its working tree, as `npm test` builds it elsewhere.
 */
export async function buildReleases(
  runtime: Runtime,
  previous: { commit: string; subject: string },
  { perImageTimeoutMs }: { perImageTimeoutMs: number },
  log: (line: string) => void,
): Promise<BuiltReleases> {
  mkdirSync(buildLogDir, { recursive: true });
  const tree = mkdtempSync(join(tmpdir(), 'library-canary-previous-'));
  const buildMs: Record<string, number> = {};
  try {
    // tar.umask=user: the files get the modes a checkout by this user has (git's default umask 002 gives 664),
    // and a COPY layer's cache key includes the modes, so unchanged package files share the dependency layers.
    const archive = await exec(
      'sh',
      ['-c', `git -C "${repoRoot}" -c tar.umask=user archive --format=tar "${previous.commit}" | tar -x -C "${tree}"`],
      {
        timeoutMs: 60_000,
      },
    );
    if (archive.code !== 0) throw new Error(`git archive ${previous.commit} failed: ${archive.stderr.trim()}`);
    for (const [release, contextDir] of [
      ['old', tree],
      ['new', repoRoot],
    ] as const) {
      for (const app of APPS) {
        log(`building ${imageTag(release, app)} from ${release === 'old' ? `${previous.commit.slice(0, 7)} (HEAD~1)` : 'this checkout'}`);
        buildMs[`${release} ${app}`] = Math.round(await build(runtime, contextDir, app, imageTag(release, app), perImageTimeoutMs));
      }
    }
  } finally {
    rmSync(tree, { recursive: true, force: true });
  }
  return { previous, buildMs };
}

/** Removes the drill's tags only: the layers stay in podman's cache for the next build. */
export async function untagImages(runtime: Runtime): Promise<void> {
  for (const release of RELEASES) {
    for (const app of APPS) {
      const tag = imageTag(release, app);
      if ((await runtime.run(['image', 'exists', tag], { timeoutMs: 30_000 })).code === 0) {
        await runtime.run(['untag', tag, tag], { timeoutMs: 30_000 });
      }
    }
  }
}
