import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Environment } from './database.js';
import { expectWith } from './expect-with.js';

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

/**
 * Runs the built entry point as the container would, with only `env`: the tsc output
 * (dist/apps/<name>/src/main.js), the artifact the image runs.
 */
export function spawnService(
  name: 'reader' | 'writer',
  args: string[],
  env: Environment,
  { cwd = root, nodeArgs = [] }: { cwd?: string; nodeArgs?: string[] } = {},
): SpawnedService {
  const startedAt = performance.now();
  const entry = `dist/apps/${name}/src/main.js`;
  const child = spawn(process.execPath, [...nodeArgs, entry, ...args], {
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

/**
 * Every line of one stream, each parsed as a JSON object; any other line (a coloured Nest line, a stack
 * trace, a driver's console.log) fails the test with the whole stream in the message.
 */
export function everyJsonLine(output: string, stream = 'stdout'): Array<Record<string, unknown>> {
  const lines = output.split('\n').filter((line) => line !== '');
  return lines.map((line) => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      parsed = undefined;
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
      throw new Error(`${stream} has a line that is not a JSON object:\n  ${line}\nwhole ${stream}:\n${output}`);
    }
    return parsed as Record<string, unknown>;
  });
}

/**
 * The start-up failure contract (libs/platform run-service.ts): exit code 1, nothing on stderr, only JSON
 * lines on stdout, exactly one of them at level `fatal`, and (unless `otherLines` allows more) nothing else.
 * Returns the fatal line.
 */
export function expectStartupFailure(result: ProcessResult, { otherLines = 0 } = {}): Record<string, unknown> {
  const context = `exit ${result.code}\nstdout:\n${result.stdout}\nstderr:\n${result.stderr}`;
  expectWith(result.code, context).toBe(1);
  expectWith(result.stderr, context).toBe('');
  const lines = everyJsonLine(result.stdout);
  const fatal = lines.filter((line) => line.level === 'fatal');
  expectWith(fatal.length, context).toBe(1);
  expectWith(lines.length - 1, context).toBeLessThanOrEqual(otherLines);
  return fatal[0]!;
}

/** The JSON lines of `output`, skipping anything else (for streams the services do not write, e.g. nginx's). */
export function jsonLines(output: string): Array<Record<string, unknown>> {
  return output
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}
