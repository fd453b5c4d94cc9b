import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, posix } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Dockerfile, type Stage, instructionsOf, parseDockerfile, splitWords, stageEnv, stageNamed } from './dockerfile.js';

export const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));

/**
 * Recreates the Dockerfile's runtime stage in a temporary folder by following the Dockerfile itself, minus
 * the engine: each stage the runtime stage copies from gets a folder standing for its filesystem,
 *   - the dependencies stage: its context COPYs, then its RUN commands verbatim (the production `npm ci`);
 *   - the build stage: `nest build reader writer` already ran in the repo (the test global setup runs the
 *     same command), so a copy of dist/ stands in for its WORKDIR and only the RUNs after the build (the
 *     APP-specific ones) are replayed, with the absolute paths the runtime stage copies from (e.g. /out)
 *     redirected into the stage's folder;
 * then the runtime stage's COPY instructions assemble its WORKDIR, and its ENV, USER, ENTRYPOINT and CMD
 * say how to start it.
 */
export interface RuntimeStage {
  app: string;
  /** The runtime stage's WORKDIR, as assembled. */
  dir: string;
  env: Record<string, string>;
  user?: string;
  entrypoint: string[];
  cmd: string[];
  /** Removes every folder this created. */
  remove: () => void;
}

export function loadDockerfile(): Dockerfile {
  return parseDockerfile(readFileSync(join(repoRoot, 'Dockerfile'), 'utf8'));
}

/** Makes a temp folder that a non-root user can traverse (mkdtemp gives 0700). */
export function tempFolder(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  chmodSync(dir, 0o755);
  return dir;
}

function workdirOf(stage: Stage): string {
  const workdir = instructionsOf(stage, 'WORKDIR').at(-1)?.args.trim();
  if (!workdir?.startsWith('/')) throw new Error(`stage ${stage.name}: expected an absolute WORKDIR, got ${workdir}`);
  return workdir;
}

function copyArgs(instruction: { exec?: string[]; args: string }): { sources: string[]; dest: string } {
  const words = instruction.exec ?? splitWords(instruction.args);
  return { sources: words.slice(0, -1), dest: words.at(-1)! };
}

/** COPY semantics: a folder's contents go to dest; a file goes into dest when dest ends with / (else is dest). */
function copyInto(from: string, workdir: string, source: string, dest: string): void {
  const target = statSync(from).isDirectory() || !dest.endsWith('/') ? join(workdir, dest) : join(workdir, dest, posix.basename(source));
  mkdirSync(dirname(target), { recursive: true });
  copyTree(from, target);
}

/**
 * cp -R, with hard links where the platform allows (GNU cp -al): node_modules is ~19,000 files and the
 * temp filesystem can be slow; links give each runtime folder its own tree without copying the bytes.
 */
function copyTree(from: string, to: string): void {
  if (statSync(from).isDirectory() && !existsSync(to)) {
    const linked = spawnSync('cp', ['-al', from, to], { stdio: 'ignore', timeout: 60_000 });
    if (linked.status === 0) return;
    rmSync(to, { recursive: true, force: true });
  }
  cpSync(from, to, { recursive: true });
}

/** rm -rf (much faster than fs.rmSync on big trees here), falling back to rmSync. */
export function removeTree(path: string): void {
  const removed = spawnSync('rm', ['-rf', path], { stdio: 'ignore', timeout: 60_000 });
  if (removed.status !== 0) rmSync(path, { recursive: true, force: true });
}

function sh(command: string, cwd: string, env: Record<string, string | undefined>, timeoutMs: number): void {
  execFileSync('sh', ['-c', command], {
    cwd,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: timeoutMs,
  });
}

/** Runs a stage's RUN instructions (the --mount and other flags do not change what they produce). */
function replayRuns(
  stage: Stage,
  fromIndex: number,
  cwd: string,
  env: Record<string, string | undefined>,
  rewrite: (command: string) => string,
  timeoutMs: number,
): string[] {
  const replayed: string[] = [];
  for (const instruction of stage.instructions.slice(fromIndex)) {
    if (instruction.keyword !== 'RUN') continue;
    const command = rewrite(instruction.args);
    sh(command, cwd, env, timeoutMs);
    replayed.push(instruction.args);
  }
  return replayed;
}

/** The dependencies stage, shared by both apps: context COPYs, then its RUNs (the production install). */
export function materializeDependencies(
  dockerfile: Dockerfile,
  stageName: string,
  root: string,
  timeoutMs = 180_000,
): { root: string; commands: string[] } {
  const stage = stageNamed(dockerfile, stageName);
  if (!stage) throw new Error(`no stage ${stageName}`);
  const workdir = join(root, workdirOf(stage));
  mkdirSync(workdir, { recursive: true });
  for (const copy of instructionsOf(stage, 'COPY')) {
    if (copy.flags.from) throw new Error(`stage ${stageName} copies from ${copy.flags.from}; not supported here`);
    const { sources, dest } = copyArgs(copy);
    for (const source of sources) copyInto(join(repoRoot, source), workdir, source, dest);
  }
  const commands = replayRuns(stage, 0, workdir, {}, (command) => command, timeoutMs);
  return { root, commands };
}

/** The build stage's APP-specific tail, replayed on a copy of the repo's dist/. */
export function materializeBuild(
  dockerfile: Dockerfile,
  stageName: string,
  app: string,
  root: string,
  redirect: string[],
): { root: string; commands: string[] } {
  const stage = stageNamed(dockerfile, stageName);
  if (!stage) throw new Error(`no stage ${stageName}`);
  const buildIndex = stage.instructions.findIndex(
    (instruction) => instruction.keyword === 'RUN' && /\bnest build reader writer\b/.test(instruction.args),
  );
  if (buildIndex < 0)
    throw new Error(`stage ${stageName} does not RUN "nest build reader writer" (the command the test setup builds dist/ with)`);
  const workdir = join(root, workdirOf(stage));
  mkdirSync(workdir, { recursive: true });
  cpSync(join(repoRoot, 'dist'), join(workdir, 'dist'), { recursive: true });
  const rewrite = (command: string): string =>
    redirect.reduce(
      (text, path) =>
        text.replace(new RegExp(`(^|[\\s"'=])${path.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}(?=[/\\s"']|$)`, 'g'), `$1${root}${path}`),
      command,
    );
  const commands = replayRuns(stage, buildIndex + 1, workdir, { APP: app }, rewrite, 30_000);
  return { root, commands };
}

/**
 * Builds the runtime stage for `app` under `base`, reusing an already materialised dependencies stage.
 * Files are copied, not linked, so the runtime folder is exactly what the image would hold.
 */
export function assembleRuntimeStage(dockerfile: Dockerfile, app: string, base: string, dependencies: Map<string, string>): RuntimeStage {
  const runtime = dockerfile.stages.at(-1)!;
  const copies = instructionsOf(runtime, 'COPY');
  // Absolute top-level folders the runtime stage copies out of other stages (e.g. /out): redirected when replaying.
  const redirect = [
    ...new Set(
      copies.filter((copy) => copy.flags.from).flatMap((copy) => copyArgs(copy).sources.map((source) => `/${source.split('/')[1]}`)),
    ),
  ];
  const stageRoots = new Map(dependencies);
  for (const copy of copies) {
    const from = copy.flags.from;
    if (!from || stageRoots.has(from)) continue;
    const root = join(base, `stage-${from}`);
    mkdirSync(root, { recursive: true });
    materializeBuild(dockerfile, from, app, root, redirect);
    stageRoots.set(from, root);
  }

  const dir = join(base, 'runtime', workdirOf(runtime));
  mkdirSync(dir, { recursive: true });
  for (const copy of copies) {
    const { sources, dest } = copyArgs(copy);
    for (const source of sources) {
      const from = copy.flags.from ? join(stageRoots.get(copy.flags.from)!, source) : join(repoRoot, source);
      if (!existsSync(from)) throw new Error(`COPY source ${source} (stage ${copy.flags.from ?? 'context'}) was not produced`);
      copyInto(from, dir, source, dest);
    }
  }
  const entrypoint = instructionsOf(runtime, 'ENTRYPOINT').at(-1)?.exec ?? [];
  const cmd = instructionsOf(runtime, 'CMD').at(-1)?.exec ?? [];
  return {
    app,
    dir,
    env: stageEnv(dockerfile, runtime),
    user: instructionsOf(runtime, 'USER').at(-1)?.args.trim(),
    entrypoint,
    cmd,
    remove: () => removeTree(base),
  };
}

export interface Started {
  child: ChildProcess;
  /** The uid the process was started as, when it was switched (tests running as root). */
  uid?: number;
  output: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>;
}

/**
 * Starts the stage as `docker run` would: ENTRYPOINT + (command ?? CMD), in WORKDIR, with the image's ENV
 * plus `env`, and, when the tests run as root, as uid/gid 1000 (the base image's `node` user).
 */
export function startStage(stage: RuntimeStage, command: string[] | undefined, env: Record<string, string | undefined>): Started {
  const argv = [...stage.entrypoint, ...(command ?? stage.cmd)];
  if (argv[0] !== 'node') throw new Error(`ENTRYPOINT does not start with node: ${JSON.stringify(argv)}`);
  const asNode = process.getuid?.() === 0 && stage.user === 'node' && executableByOthers(process.execPath) ? { uid: 1000, gid: 1000 } : {};
  const child = spawn(process.execPath, argv.slice(1), {
    cwd: stage.dir,
    env: { PATH: process.env.PATH, ...stage.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    ...asNode,
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk) => (stdout += chunk));
  child.stderr!.on('data', (chunk) => (stderr += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
  return { child, uid: 'uid' in asNode ? asNode.uid : undefined, output: () => stdout + stderr, exited };
}

/** Whether a user other than the owner can run `path` (every parent folder searchable, the file executable). */
function executableByOthers(path: string): boolean {
  for (let current = path; ; current = dirname(current)) {
    if ((statSync(current).mode & 0o001) === 0) return false;
    if (dirname(current) === current) return true;
  }
}

/** Waits for exit, killing the process if it takes longer than `timeoutMs`. */
export async function exitWithin(started: Started, timeoutMs: number): Promise<Awaited<Started['exited']>> {
  const timer = setTimeout(() => started.child.kill('SIGKILL'), timeoutMs);
  try {
    return await started.exited;
  } finally {
    clearTimeout(timer);
  }
}

/** Resident memory of a process in MiB (Linux /proc), or undefined elsewhere. */
export function residentMiB(pid: number): number | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kib = /VmRSS:\s+(\d+) kB/.exec(status)?.[1];
    return kib === undefined ? undefined : Number(kib) / 1024;
  } catch {
    return undefined;
  }
}

/** `du -sk` of each path (KiB on disk), as the closing note reports it. */
export function diskUsageKiB(paths: string[], cwd: string): Record<string, number> {
  const output = execFileSync('du', ['-sk', ...paths], { cwd, encoding: 'utf8' });
  return Object.fromEntries(
    output
      .trim()
      .split('\n')
      .map((line) => line.split('\t'))
      .map(([size, path]) => [path!, Number(size)]),
  );
}
