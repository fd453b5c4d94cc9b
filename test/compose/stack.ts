import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import { parse } from 'yaml';
import { dockerfileBaseImage } from '../container/support/base-image.js';
import { buildImage } from '../container/support/images.js';
import { type ExecResult, type Runtime, detectRuntime, exec, repoRoot } from '../container/support/runtime.js';
import { ensureComposeStandIns } from './support/stand-ins.js';

/**
 * docker-compose.yml's stack, for real, with podman and Debian's podman-compose (1.0.3):
 *   up    stand-in images for what no registry serves (support/stand-ins.ts), both service images built from
 *         the Dockerfile, then the containers created by podman-compose from docker-compose.yml plus
 *         compose.test.yml (the trace services swapped), and started in dependency order. podman-compose 1.0.3
 *         ignores depends_on conditions and podman runs no health checks without systemd, so this harness
 *         honours them itself: service_healthy runs the service's own healthcheck test in it (podman exec),
 *         service_completed_successfully waits for exit code 0. Writes the connection settings to STACK_FILE.
 *   down  removes every container, the network and the volume of the project, whatever state they are in.
 * Run by scripts/test-all.mjs (`npm test`) around the compose Jest project: `tsx test/compose/stack.ts up|down`.
 */

export const PROJECT = 'library-compose-test';
export const STACK_FILE = join(repoRoot, '.test-results', 'compose', 'stack.json');
const COMPOSE_FILES = ['docker-compose.yml', 'test/compose/compose.test.yml'];
const DB_NAME = 'library_test'; // the harness's guard: tests create and drop databases only where the name says test
const UP_LIMIT_MS = 180_000; // from the first container start to the last healthy service

export interface Stack {
  project: string;
  runtime: { binary: string; globalArgs: string[]; conf?: string };
  db: { host: string; port: number; user: string; password: string; name: string };
  gateway: string;
  reader: string;
  writer: string;
  containers: Record<string, string>;
  timings: Record<string, number>;
  images: string[];
}

interface ServiceSpec {
  image?: string;
  depends_on?: string[] | Record<string, { condition?: string }>;
  healthcheck?: { test?: string[] | string; start_period?: string; interval?: string; retries?: number };
  ports?: string[];
  restart?: string;
}

const log = (line: string): void => void process.stderr.write(`[compose] ${line}\n`);

function composeFile(file: string): { services: Record<string, ServiceSpec> } {
  return parse(readFileSync(join(repoRoot, file), 'utf8'), { merge: true }) as { services: Record<string, ServiceSpec> };
}

function dependencies(service: ServiceSpec): Array<[string, string]> {
  const deps = service.depends_on ?? [];
  return Array.isArray(deps)
    ? deps.map((name) => [name, 'service_started'])
    : Object.entries(deps).map(([name, { condition }]) => [name, condition ?? 'service_started']);
}

/** Services in an order where each comes after what it depends on. */
function startOrder(services: Record<string, ServiceSpec>): string[] {
  const order: string[] = [];
  const visit = (name: string, path: string[]): void => {
    if (order.includes(name)) return;
    if (path.includes(name)) throw new Error(`docker-compose.yml: dependency cycle ${[...path, name].join(' -> ')}`);
    for (const [dep] of dependencies(services[name]!)) visit(dep, [...path, name]);
    order.push(name);
  };
  Object.keys(services).forEach((name) => visit(name, []));
  return order;
}

function hostPortsOf(service: ServiceSpec, environment: Record<string, string>): number[] {
  return (service.ports ?? []).map((mapping) => {
    const expanded = mapping.replace(/\$\{(\w+):-([^}]*)\}/g, (_, name: string, fallback: string) => environment[name] ?? fallback);
    return Number(expanded.split(':').at(-2));
  });
}

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const containerName = (service: string): string => `${PROJECT}_${service}_1`;

function podmanCompose(runtime: Runtime, args: string[], environment: Record<string, string>, timeoutMs: number): Promise<ExecResult> {
  return exec(
    'podman-compose',
    ['--podman-args', runtime.globalArgs.join(' '), '-p', PROJECT, ...COMPOSE_FILES.flatMap((file) => ['-f', file]), ...args],
    { timeoutMs, cwd: repoRoot, env: { ...runtime.env, ...environment } },
  );
}

/** The service's healthcheck test, run in its container as Compose would (CMD: exec form; CMD-SHELL: sh -c). */
async function healthy(runtime: Runtime, service: string, spec: ServiceSpec): Promise<boolean> {
  const test = spec.healthcheck?.test;
  if (!test) throw new Error(`${service} has no healthcheck, yet a service waits for it to be healthy`);
  const [kind, ...rest] = typeof test === 'string' ? ['CMD-SHELL', test] : test;
  // `$$` is Compose's escape for a `$` that the shell in the container expands.
  const command = kind === 'CMD-SHELL' ? ['sh', '-c', rest.join(' ').replace(/\$\$/g, '$')] : rest;
  const result = await runtime.run(['exec', containerName(service), ...command], { timeoutMs: 15_000 });
  return result.code === 0;
}

async function state(runtime: Runtime, service: string): Promise<{ status: string; exitCode: number }> {
  const result = await runtime.run(['inspect', '--format', '{{.State.Status}} {{.State.ExitCode}}', containerName(service)], {
    timeoutMs: 15_000,
  });
  const [status = 'missing', exitCode = '-1'] = result.stdout.trim().split(' ');
  return { status, exitCode: Number(exitCode) };
}

async function logsOf(runtime: Runtime, service: string): Promise<string> {
  const result = await runtime.run(['logs', '--tail', '40', containerName(service)], { timeoutMs: 15_000 });
  return (result.stdout + result.stderr).trim();
}

async function waitFor(runtime: Runtime, service: string, condition: string, spec: ServiceSpec, deadline: number): Promise<void> {
  while (Date.now() < deadline) {
    const { status, exitCode } = await state(runtime, service);
    if (condition === 'service_started' && status === 'running') return;
    if (condition === 'service_completed_successfully' && status === 'exited') {
      if (exitCode === 0) return;
      throw new Error(`${service} exited ${exitCode}; its output:\n${await logsOf(runtime, service)}`);
    }
    if (condition === 'service_healthy' && status === 'running' && (await healthy(runtime, service, spec))) return;
    if (status === 'exited' && condition !== 'service_completed_successfully' && spec.restart !== 'unless-stopped') {
      throw new Error(`${service} exited ${exitCode}; its output:\n${await logsOf(runtime, service)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  }
  throw new Error(`${service} did not reach ${condition} in time; its output:\n${await logsOf(runtime, service)}`);
}

export async function down(runtime: Runtime): Promise<void> {
  await podmanCompose(runtime, ['down', '-v', '-t', '5'], {}, 120_000).catch(() => undefined);
  // Whatever podman-compose left (a crash half-way, an older podman-compose): by the project's label.
  const listed = await runtime.run(['ps', '-a', '-q', '--filter', `label=io.podman.compose.project=${PROJECT}`], { timeoutMs: 30_000 });
  const ids = listed.stdout.split('\n').filter(Boolean);
  if (ids.length) await runtime.run(['rm', '-f', '-v', '-t', '5', ...ids], { timeoutMs: 60_000 });
  await runtime.run(['network', 'rm', '-f', `${PROJECT}_default`], { timeoutMs: 30_000 });
  await runtime.run(['volume', 'rm', '-f', `${PROJECT}_db-data`], { timeoutMs: 30_000 });
}

export async function up(runtime: Runtime): Promise<Stack> {
  const timings: Record<string, number> = {};
  const timed = async <T>(name: string, step: () => Promise<T>): Promise<T> => {
    const startedAt = performance.now();
    try {
      return await step();
    } finally {
      timings[name] = Math.round(performance.now() - startedAt);
    }
  };
  if (spawnSync('sh', ['-c', 'command -v podman-compose'], { stdio: 'ignore' }).status !== 0) {
    throw new Error('podman-compose is not installed; fix: apt-get install podman-compose (.ci/run does)');
  }
  const { services } = composeFile('docker-compose.yml');
  const override = composeFile('test/compose/compose.test.yml').services;
  const base = dockerfileBaseImage().name;
  for (const [name, spec] of Object.entries(override)) {
    if (spec.image !== base) throw new Error(`test/compose/compose.test.yml: ${name} must use the Dockerfile's base image ${base}`);
  }
  const dbPort = await freePort();
  const environment: Record<string, string> = { DB_NAME, DB_HOST_PORT: String(dbPort) };
  for (const [name, spec] of Object.entries(services)) {
    for (const port of hostPortsOf(spec, environment)) {
      if (!(await portFree(port))) throw new Error(`port ${port} (${name} in docker-compose.yml) is in use; fix: stop what listens on it`);
    }
  }

  await timed('clean', () => down(runtime));
  const images = await timed('standIns', () =>
    ensureComposeStandIns(runtime, { db: services.db!.image!, gateway: services.gateway!.image! }, log),
  );
  await timed('serviceImages', async () => {
    for (const app of ['reader', 'writer'] as const) {
      const tag = `localhost/${services[app]!.image!}`;
      log(`building ${tag} from the Dockerfile`);
      await buildImage(runtime, app, tag);
    }
  });
  // Created, not started: the start order and its conditions are the harness's (see above). Not `-d`: with
  // --no-start, podman-compose 1.0.3 passes it on to `podman create`, which has no such flag.
  const created = await timed('create', () => podmanCompose(runtime, ['up', '--no-build', '--no-start'], environment, 300_000));
  const missing = [];
  for (const name of Object.keys(services)) if ((await state(runtime, name)).status === 'missing') missing.push(name);
  if (created.code !== 0 || missing.length) {
    throw new Error(
      `podman-compose could not create ${missing.join(', ') || 'the stack'}:\n${(created.stdout + created.stderr).slice(-3000)}`,
    );
  }

  const deadline = Date.now() + UP_LIMIT_MS;
  await timed('start', async () => {
    for (const name of startOrder(services)) {
      for (const [dep, condition] of dependencies(services[name]!)) {
        await waitFor(runtime, dep, condition, services[dep]!, deadline);
      }
      await runtime.check(['start', containerName(name)], `see ${name}'s output: ${runtime.binary} logs ${containerName(name)}`);
    }
    // Every long-running service of the file that has a health check (not the swapped trace services).
    for (const [name, spec] of Object.entries(services)) {
      if (spec.healthcheck && !override[name]) await waitFor(runtime, name, 'service_healthy', spec, deadline);
    }
  });

  const stack: Stack = {
    project: PROJECT,
    runtime: { binary: runtime.binary, globalArgs: runtime.globalArgs, conf: runtime.env.CONTAINERS_CONF },
    db: { host: '127.0.0.1', port: dbPort, user: 'postgres', password: 'password', name: DB_NAME },
    gateway: 'http://127.0.0.1:8080',
    reader: 'http://127.0.0.1:8000',
    writer: 'http://127.0.0.1:8001',
    containers: Object.fromEntries(Object.keys(services).map((name) => [name, containerName(name)])),
    timings,
    images: images.notes,
  };
  mkdirSync(join(STACK_FILE, '..'), { recursive: true });
  writeFileSync(STACK_FILE, `${JSON.stringify(stack, null, 2)}\n`);
  return stack;
}

async function main(command: string | undefined): Promise<number> {
  const detection = await detectRuntime();
  if (!detection.available || detection.runtime.name !== 'podman') {
    const why = detection.available ? `the runtime is ${detection.runtime.name}` : detection.missing;
    process.stderr.write(`[compose] needs podman (${why}); fix: apt-get install podman runc podman-compose\n`);
    return 3;
  }
  const runtime = detection.runtime;
  if (command === 'down') {
    await down(runtime);
    return 0;
  }
  if (command !== 'up') {
    process.stderr.write('usage: tsx test/compose/stack.ts up|down\n');
    return 2;
  }
  try {
    const stack = await up(runtime);
    log(
      `up: ${Object.entries(stack.timings)
        .map(([step, ms]) => `${step} ${(ms / 1000).toFixed(1)} s`)
        .join(', ')}`,
    );
    return 0;
  } catch (error) {
    log(`the stack did not come up: ${(error as Error).message}`);
    return 1;
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  process.exitCode = await main(process.argv[2]);
}
