// Child processes of the benchmark: the built services and the ceiling, started as in production, timed to
// readiness, sampled for memory, and always stopped (SIGTERM, then SIGKILL after a bounded wait).
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

const children = new Set();

/** Kills whatever is still running; safe to call from exit handlers. */
export function killAll() {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}

/**
 * Spawns `node <script> [...args]` with exactly `env` (plus PATH), stdout and stderr appended to `logFd`.
 * @returns {{ child: import('node:child_process').ChildProcess, startedAt: number, exited: Promise<number | null> }}
 */
export function spawnNode(script, args, env, { cwd, logFd, nodeArgs = [] }) {
  const startedAt = performance.now();
  const child = spawn(process.execPath, [...nodeArgs, script, ...args], {
    cwd,
    env: { PATH: process.env.PATH, ...env },
    stdio: ['ignore', logFd, logFd],
  });
  children.add(child);
  const exited = new Promise((resolve) => child.once('exit', (code) => (children.delete(child), resolve(code))));
  return { child, startedAt, exited };
}

/** Polls `url` every 10 ms until it answers 200; returns ms since `startedAt`. Fails after `timeoutMs`. */
export async function waitForOk(url, { startedAt = performance.now(), timeoutMs = 30_000, exited } = {}) {
  let dead = false;
  void exited?.then(() => (dead = true));
  while (performance.now() - startedAt < timeoutMs) {
    if (dead) throw new Error(`${url}: the process exited before it was ready`);
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
      await response.arrayBuffer();
      if (response.status === 200) return performance.now() - startedAt;
    } catch {
      // not listening yet
    }
    await sleep(10);
  }
  throw new Error(`${url} did not answer 200 within ${timeoutMs} ms`);
}

export async function stop({ child, exited }, timeoutMs = 10_000) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  await exited;
  clearTimeout(timer);
}

/** Resident set size now and its high-water mark, in MiB, from /proc/<pid>/status (Linux). */
export function memoryOf(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kib = (field) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
    return { rss: kib('VmRSS') / 1024, hwm: kib('VmHWM') / 1024 };
  } catch {
    return { rss: NaN, hwm: NaN };
  }
}

/** Samples the RSS of `pid` every `everyMs` until stopped; `stop()` returns the peak seen (MiB). */
export function sampleRss(pid, everyMs = 100) {
  let peak = memoryOf(pid).rss;
  const timer = setInterval(() => {
    const { rss } = memoryOf(pid);
    if (rss > peak || Number.isNaN(peak)) peak = rss;
  }, everyMs);
  return {
    stop: () => {
      clearInterval(timer);
      const { rss } = memoryOf(pid);
      return Math.max(peak, Number.isNaN(rss) ? 0 : rss);
    },
  };
}

/** CPU time (user + system) the process has used so far, in ms, from /proc/<pid>/stat (Linux). */
export function cpuTimeOf(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the parenthesised command name: utime and stime are the 14th and 15th of the line.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_SECOND;
  } catch {
    return NaN;
  }
}

/** USER_HZ: 100 on every Linux architecture Node supports (sysconf(_SC_CLK_TCK)). */
const CLOCK_TICKS_PER_SECOND = 100;
