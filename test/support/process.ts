import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Environment } from './database.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

export interface ProcessResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  durationMs: number;
}

export interface SpawnedService {
  child: ChildProcess;
  output: () => string;
  exited: Promise<ProcessResult>;
}

/** Runs the built entry point (dist/apps/<name>/src/main.js) as the container would, with only `env`. */
export function spawnService(
  name: 'reader' | 'writer',
  args: string[],
  env: Environment,
  { cwd = root, nodeArgs = [] }: { cwd?: string; nodeArgs?: string[] } = {},
): SpawnedService {
  const startedAt = performance.now();
  const child = spawn(process.execPath, [...nodeArgs, `dist/apps/${name}/src/main.js`, ...args], {
    cwd,
    env: { PATH: process.env.PATH, NODE_ENV: 'production', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk) => (stdout += chunk));
  child.stderr!.on('data', (chunk) => (stderr += chunk));
  const exited = new Promise<ProcessResult>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal, stdout, stderr, durationMs: performance.now() - startedAt })),
  );
  return { child, output: () => stdout + stderr, exited };
}

/** Runs a command to completion, killing it if it outlives `timeoutMs`. */
export async function runToExit(name: 'reader' | 'writer', args: string[], env: Environment, timeoutMs = 30_000): Promise<ProcessResult> {
  const service = spawnService(name, args, env);
  const timer = setTimeout(() => service.child.kill('SIGKILL'), timeoutMs);
  const result = await service.exited;
  clearTimeout(timer);
  return result;
}

/** Polls `url` until it answers 200, or fails after `timeoutMs`; returns the elapsed milliseconds. */
export async function waitForOk(url: string, timeoutMs = 15_000, startedAt = performance.now()): Promise<number> {
  const deadline = startedAt + timeoutMs;
  while (performance.now() < deadline) {
    try {
      const response = await fetch(url);
      if (response.status === 200) return performance.now() - startedAt;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`${url} did not answer 200 within ${timeoutMs} ms`);
}

export function jsonLines(output: string): Array<Record<string, unknown>> {
  return output
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}
