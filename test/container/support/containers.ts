import type { Runtime } from './runtime.js';

/**
 * Runs an image the way the ECS task definition does (terraform/modules/service): read-only root
 * filesystem with a writable /tmp, an init process (initProcessEnabled), no capabilities, no new
 * privileges, 512 MiB, the image's own user, 30 s between SIGTERM and SIGKILL. The network is the host's,
 * so the container reaches the test's PostgreSQL on 127.0.0.1 and the test reaches the service on PORT.
 */

export interface ContainerSpec {
  image: string;
  /** Arguments after the image (the ENTRYPOINT's command), e.g. ['migrate']; none runs the image's CMD. */
  command?: string[];
  env: Record<string, string>;
  /** Replaces the image's ENTRYPOINT (a probe instead of the service). */
  entrypoint?: string;
  /** The user to run as: what the image's config says (ECS names the same user). */
  user: string;
  /**
   * How /tmp is writable: 'tmpfs' as in docker-compose.yml, or 'image-volume' (no mount of our own, only
   * what the image's VOLUME declaration gives, the case Fargate's bind mount depends on).
   */
  tmp?: 'tmpfs' | 'image-volume';
}

export interface ExitedContainer {
  code: number;
  stdout: string;
  stderr: string;
  durationMs: number;
}

export interface RunningContainer {
  name: string;
  startedAt: number;
  logs(): Promise<{ stdout: string; stderr: string }>;
  exec(command: string[], timeoutMs?: number): Promise<{ code: number | null; stdout: string; stderr: string }>;
  /** Sends a signal to the container's PID 1 (the init), as `docker stop`/ECS do. */
  signal(signal: 'SIGTERM' | 'SIGKILL'): Promise<void>;
  /** Waits for the container to exit, at most `timeoutMs`; throws with its logs when it does not. */
  wait(timeoutMs: number): Promise<ExitedContainer>;
  remove(): Promise<void>;
}

/** The task definition's defaults (terraform/modules/service: memory, stop_timeout); static.spec.ts keeps them in step. */
export const TASK_MEMORY_MIB = 512;
export const STOP_TIMEOUT_SECONDS = 30;

let counter = 0;
const created = new Set<string>();

export function fargateArgs(runtime: Runtime, spec: ContainerSpec): string[] {
  return [
    '--read-only',
    // podman also mounts tmpfs on /tmp, /var/tmp and /run with --read-only unless told not to; ECS does not.
    ...(runtime.name === 'podman' ? ['--read-only-tmpfs=false'] : []),
    ...((spec.tmp ?? 'tmpfs') === 'tmpfs' ? ['--tmpfs', '/tmp'] : []),
    '--init',
    '--cap-drop=ALL',
    '--security-opt=no-new-privileges',
    `--memory=${TASK_MEMORY_MIB}m`,
    '--user',
    spec.user,
    '--network=host',
    `--stop-timeout=${STOP_TIMEOUT_SECONDS}`,
    // ECS ignores the image's HEALTHCHECK (the task definition has its own), and podman would try to schedule
    // it with systemd timers; the suite runs the image's health-check command itself, with exec.
    '--no-healthcheck',
    '--label',
    'org.library.test=images',
    ...(spec.entrypoint ? ['--entrypoint', spec.entrypoint] : []),
    ...Object.entries(spec.env).flatMap(([key, value]) => ['-e', `${key}=${value}`]),
  ];
}

/** Starts a detached container; remove it with remove() or removeAll(). */
export async function startContainer(runtime: Runtime, spec: ContainerSpec): Promise<RunningContainer> {
  const name = `library-images-${process.pid}-${++counter}`;
  created.add(name);
  const startedAt = performance.now();
  await runtime.check(
    ['run', '-d', '--name', name, ...fargateArgs(runtime, spec), spec.image, ...(spec.command ?? [])],
    `the image ${spec.image} must start with the ECS task's settings`,
    { timeoutMs: 60_000 },
  );
  const container: RunningContainer = {
    name,
    startedAt,
    logs: async () => {
      const result = await runtime.run(['logs', name], { timeoutMs: 30_000 });
      return { stdout: result.stdout, stderr: result.stderr };
    },
    exec: async (command, timeoutMs = 30_000) => {
      const result = await runtime.run(['exec', name, ...command], { timeoutMs });
      return { code: result.code, stdout: result.stdout, stderr: result.stderr };
    },
    signal: async (signal) => {
      await runtime.check(['kill', '--signal', signal, name], `the container ${name} must be running`, { timeoutMs: 30_000 });
    },
    wait: async (timeoutMs) => {
      const waited = await runtime.run(['wait', name], { timeoutMs });
      const { stdout, stderr } = await container.logs();
      if (waited.code !== 0 || waited.timedOut) {
        await runtime.run(['kill', '--signal', 'SIGKILL', name], { timeoutMs: 30_000 });
        throw new Error(
          `container ${name} (${spec.image} ${(spec.command ?? []).join(' ')}) did not exit within ${timeoutMs} ms` +
            `${waited.timedOut ? '' : ` (${runtime.name} wait: ${waited.stderr.trim()})`}\n--- its output:\n${(stdout + stderr).slice(-4000)}`,
        );
      }
      return { code: Number(waited.stdout.trim()), stdout, stderr, durationMs: performance.now() - startedAt };
    },
    remove: async () => {
      await runtime.run(['rm', '-f', '-v', name], { timeoutMs: 60_000 });
      created.delete(name);
    },
  };
  return container;
}

/** Runs a one-shot command (e.g. `migrate`) to completion and removes the container. */
export async function runToExit(runtime: Runtime, spec: ContainerSpec, timeoutMs = 60_000): Promise<ExitedContainer> {
  const container = await startContainer(runtime, spec);
  try {
    return await container.wait(timeoutMs);
  } finally {
    await container.remove();
  }
}

/** Removes every container this process started (afterAll). */
export async function removeAll(runtime: Runtime): Promise<void> {
  if (created.size === 0) return;
  await runtime.run(['rm', '-f', '-v', ...created], { timeoutMs: 120_000 });
  created.clear();
}

/** Polls `url` until it answers 200, at most `timeoutMs`; on failure the error carries the container's output. */
export async function waitForOk(url: string, container: RunningContainer, timeoutMs = 30_000): Promise<number> {
  const startedAt = performance.now();
  while (performance.now() - startedAt < timeoutMs) {
    const status = await fetch(url, { signal: AbortSignal.timeout(2_000) }).then(
      (response) => response.status,
      () => 0,
    );
    if (status === 200) return performance.now() - startedAt;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const { stdout, stderr } = await container.logs();
  throw new Error(`${url} did not answer 200 within ${timeoutMs} ms; container ${container.name} said:\n${(stdout + stderr).slice(-4000)}`);
}
