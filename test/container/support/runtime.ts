import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The one container runtime the images suite talks to: podman where it is installed (daemonless, works on a
 * machine without a Docker engine), else docker when a Docker engine actually answers (`docker info`).
 * IMAGES_RUNTIME=podman|docker picks one explicitly.
 */

export const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));

/** Where the stand-in base image's inputs and podman's settings live, outside the repository. */
export const cacheDir = join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'library-images');

export interface ExecResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  durationMs: number;
  timedOut: boolean;
}

export interface ExecOptions {
  timeoutMs: number;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Also copy the output here as it arrives (build logs). */
  onOutput?: (chunk: string) => void;
}

/** Runs a command to completion; never rejects on a non-zero exit, only on a command that cannot start. */
export function exec(command: string, args: string[], options: ExecOptions): Promise<ExecResult> {
  const startedAt = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd ?? repoRoot,
      env: options.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk;
      options.onOutput?.(chunk.toString());
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk;
      options.onOutput?.(chunk.toString());
    });
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, options.timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(new Error(`cannot run ${command}: ${error.message}`));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, durationMs: performance.now() - startedAt, timedOut });
    });
  });
}

export interface Runtime {
  name: 'podman' | 'docker';
  /** `podman` or `docker` */
  binary: string;
  /** Global flags that precede every subcommand. */
  globalArgs: string[];
  env: NodeJS.ProcessEnv;
  /** One line for logs: which runtime, which version, which settings. */
  description: string;
  run(args: string[], options?: Partial<ExecOptions>): Promise<ExecResult>;
  /** Like run(), but a non-zero exit becomes an error that names the command, its output and `fix`. */
  check(args: string[], fix: string, options?: Partial<ExecOptions>): Promise<ExecResult>;
}

export type Detection = { available: true; runtime: Runtime } | { available: false; missing: string };

function has(binary: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${binary}`], { stdio: 'ignore' }).status === 0;
}

function tail(text: string, lines = 25): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

function makeRuntime(name: Runtime['name'], globalArgs: string[], env: NodeJS.ProcessEnv, description: string): Runtime {
  const runtime: Runtime = {
    name,
    binary: name,
    globalArgs,
    env,
    description,
    run: (args, options = {}) => exec(name, [...globalArgs, ...args], { timeoutMs: 60_000, env, ...options }),
    check: async (args, fix, options = {}) => {
      const result = await runtime.run(args, options);
      if (result.code !== 0) {
        const what = `${name} ${args.join(' ')}`.slice(0, 300);
        const why = result.timedOut
          ? `timed out after ${Math.round(result.durationMs / 1000)} s`
          : `exited ${result.code ?? result.signal}`;
        throw new Error(`${what}\n  ${why}:\n${tail(result.stdout + result.stderr)}\n  fix: ${fix}`);
      }
      return result;
    },
  };
  return runtime;
}

/**
 * Podman as root on a cgroups-v1 machine with no registry: runc (crun fails on this kernel's cgroups), the
 * cgroupfs manager (no systemd in CI), and a containers.conf without default ulimits or a pids limit
 * (setrlimit and the pids controller fail at start-up otherwise). The file is written to the cache folder.
 */
async function detectPodman(): Promise<Detection> {
  if (!has('podman')) return { available: false, missing: 'podman is not installed (Debian: apt-get install podman runc)' };
  if (!has('runc'))
    return { available: false, missing: 'runc is not installed (Debian: apt-get install runc); podman runs containers with it here' };
  mkdirSync(cacheDir, { recursive: true });
  const conf = join(cacheDir, 'containers.conf');
  writeFileSync(conf, '[containers]\ndefault_ulimits = []\npids_limit = 0\n');
  const env = { ...process.env, CONTAINERS_CONF: conf };
  const globalArgs = ['--runtime', 'runc', '--cgroup-manager=cgroupfs'];
  const info = await exec('podman', [...globalArgs, 'version', '--format', '{{.Client.Version}}'], { timeoutMs: 30_000, env }).catch(
    (error: Error) => ({ code: 1, stdout: '', stderr: error.message }) as ExecResult,
  );
  if (info.code !== 0) return { available: false, missing: `podman does not answer (podman version: ${tail(info.stderr, 3)})` };
  return {
    available: true,
    runtime: makeRuntime('podman', globalArgs, env, `podman ${info.stdout.trim()} (runc, cgroupfs, CONTAINERS_CONF=${conf})`),
  };
}

async function detectDocker(): Promise<Detection> {
  if (!has('docker')) return { available: false, missing: 'docker is not installed' };
  const info = await exec('docker', ['info', '--format', '{{.ServerVersion}}'], { timeoutMs: 20_000 }).catch(
    (error: Error) => ({ code: 1, stdout: '', stderr: error.message }) as ExecResult,
  );
  if (info.code !== 0 || !info.stdout.trim()) {
    return {
      available: false,
      missing: `the docker client is installed but no Docker engine answers (docker info: ${tail(info.stderr, 2)})`,
    };
  }
  return { available: true, runtime: makeRuntime('docker', [], process.env, `docker engine ${info.stdout.trim()}`) };
}

let detected: Promise<Detection> | undefined;

/** Detects the runtime once per process. */
export function detectRuntime(): Promise<Detection> {
  detected ??= (async (): Promise<Detection> => {
    const wanted = process.env.IMAGES_RUNTIME;
    if (wanted === 'podman') return detectPodman();
    if (wanted === 'docker') return detectDocker();
    if (wanted) return { available: false, missing: `IMAGES_RUNTIME=${wanted} is neither podman nor docker` };
    const podman = await detectPodman();
    if (podman.available) return podman;
    const docker = await detectDocker();
    if (docker.available) return docker;
    return { available: false, missing: `no container runtime: ${podman.missing}; ${docker.missing}` };
  })();
  return detected;
}
