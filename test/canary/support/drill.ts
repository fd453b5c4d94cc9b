import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { fargateArgs } from '../../container/support/containers.js';
import { type Runtime, detectRuntime, repoRoot } from '../../container/support/runtime.js';
import { countBy, now, percentile } from '../../reliability/support/load.js';
import { ensureComposeStandIns, qualified } from '../../compose/support/stand-ins.js';
import { freePort } from '../../../scripts/embedded-postgres.mjs';
import { GATEWAY_PORT, STAGE_HEADER, canaryGatewayConfig } from './canary-gateway.js';
import { APPS, type ReleaseName, buildReleases, findPreviousCommit, imageTag, untagImages } from './releases.js';
import { type DrillSample, failed, startTraffic } from './traffic.js';

/**
 * The canary drill: the previous commit's release and this checkout's, side by side against one PostgreSQL
 * behind a weighted gateway, all podman containers on one network of their own (only the gateway is
 * published, on 127.0.0.1). The order is the deploy's:
 *   1. the database at the previous release's schema (its own `migrate`), its reader and writer serving
 *      through the gateway at 0 %; steady traffic starts and runs to the end;
 *   2. this checkout's `migrate` (the deploy's migration gate), then its reader and writer start: stage 0 %;
 *   3. the gateway shifts to 10 %, holds; then to 100 %, holds;
 *   4. the old release's containers get SIGTERM (ECS stopping the old tasks) and drain while traffic goes on.
 * Every request is recorded with the release that served it and the gateway stage that routed it.
 */

export const NETWORK = 'library-canary-drill';
export const LABEL = 'org.library.test.canary-drill';
export const REPORT_FILE = join(repoRoot, '.test-results', 'canary', 'drill.json');
const PREFIX = 'library-canary-drill';
const DB = { name: 'library_canary', user: 'postgres', password: 'password' };

export interface DrillSettings {
  ratePerSecond: number;
  users: number;
  /** How long each stage holds once reached (the 0 % stage also covers the migration and the new release's start). */
  holdMs: Record<StageName, number>;
  perImageBuildTimeoutMs: number;
  /** Bound of every single container step (start, migrate, readiness, reload). */
  stepTimeoutMs: number;
}

export type StageName = '0%' | '10%' | '100%' | 'old drained';

export interface StageFigures {
  stage: StageName;
  newPercent: number;
  durationS: number;
  requests: number;
  failed: number;
  servedByNew: number;
  servedByOld: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

export interface DrillReport {
  previous: { commit: string; subject: string };
  settings: Omit<DrillSettings, 'perImageBuildTimeoutMs' | 'stepTimeoutMs'>;
  stages: StageFigures[];
  /** Responses routed by each gateway config, per release: the weight as served. */
  routed: Record<string, Record<string, number>>;
  failures: Array<Pick<DrillSample, 'name' | 'status' | 'expected' | 'error'> & { stage: StageName; atS: number }>;
  /**
   * The exit codes of both releases' `migrate`, and what the traffic saw while this checkout's ran: requests
   * that started and ended inside it, per release that served them, and how many of them failed.
   */
  migrate: { old: number; new: number; whileNewRan: { servedBy: Record<string, number>; failed: number; seconds: number } };
  oldExit: Record<string, { code: number; stoppedInS: number }>;
  timingsS: Record<string, number>;
  measuredAt: string;
  /** Why the drill stopped before its last stage, if it did. */
  interruptedBy?: string;
}

const log = (line: string): void => void process.stderr.write(`[canary-drill] ${line}\n`);
const containerName = (role: string): string => `${PREFIX}-${role}`;
const serviceName = (release: ReleaseName, app: string): string => containerName(`${app}-${release}`);

function composeServices(): Record<string, { image?: string; healthcheck?: { test?: string[] } }> {
  return (parse(readFileSync(join(repoRoot, 'docker-compose.yml'), 'utf8'), { merge: true }) as { services: never }).services;
}

export async function requirePodman(): Promise<Runtime> {
  const detection = await detectRuntime();
  if (!detection.available)
    throw new Error(`the canary drill needs podman: ${detection.missing}; fix: apt-get install podman runc mmdebstrap`);
  if (detection.runtime.name !== 'podman') {
    throw new Error(`the canary drill needs podman (its containers find each other on a podman network), not ${detection.runtime.name}`);
  }
  return detection.runtime;
}

/** Removes everything a drill made (containers, their volumes, the network, the temporary tags), whatever state it is in. */
export async function down(runtime: Runtime): Promise<void> {
  const listed = await runtime.run(['ps', '-a', '-q', '--filter', `label=${LABEL}`], { timeoutMs: 30_000 });
  const ids = listed.stdout.split('\n').filter(Boolean);
  if (ids.length) await runtime.run(['rm', '-f', '-v', '-t', '5', ...ids], { timeoutMs: 90_000 });
  await runtime.run(['network', 'rm', '-f', NETWORK], { timeoutMs: 30_000 });
  await untagImages(runtime);
}

async function until(what: string, check: () => Promise<boolean>, timeoutMs: number, detail: () => Promise<string>): Promise<number> {
  const startedAt = now();
  while (now() - startedAt < timeoutMs) {
    if (await check()) return now() - startedAt;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`${what} did not happen within ${Math.round(timeoutMs / 1000)} s\n${await detail()}`);
}

export async function runDrill(runtime: Runtime, settings: DrillSettings): Promise<DrillReport> {
  const timingsS: Record<string, number> = {};
  const drillStartedAt = now();
  const timed = async <T>(name: string, step: () => Promise<T>): Promise<T> => {
    const startedAt = now();
    try {
      return await step();
    } finally {
      timingsS[name] = Math.round((now() - startedAt) / 100) / 10;
    }
  };
  const previous = findPreviousCommit();
  if (!previous.found) throw new Error(`the previous release is not available: ${previous.reason}`);
  const services = composeServices();
  const readyTest = services.reader?.healthcheck?.test;
  if (!Array.isArray(readyTest) || readyTest[0] !== 'CMD') throw new Error("docker-compose.yml's reader has no CMD healthcheck to reuse");

  await timed('clean', () => down(runtime));
  await timed('standIns', () => ensureComposeStandIns(runtime, { db: services.db!.image!, gateway: services.gateway!.image! }, log));
  const built = await timed('builds', () => buildReleases(runtime, previous, { perImageTimeoutMs: settings.perImageBuildTimeoutMs }, log));
  const step = { timeoutMs: settings.stepTimeoutMs };
  const logsOf = async (name: string): Promise<string> => {
    const result = await runtime.run(['logs', '--tail', '30', name], { timeoutMs: 15_000 });
    return `--- ${name}:\n${(result.stdout + result.stderr).trim()}`;
  };

  /** Starts a container of the drill on its network, labelled so that `down` finds it. */
  const runDetached = (name: string, args: string[]) =>
    runtime.check(
      ['run', '-d', '--name', name, '--label', LABEL, `--network=${NETWORK}`, ...args],
      `see ${runtime.binary} logs ${name}`,
      step,
    );

  await runtime.check(['network', 'create', '--label', LABEL, NETWORK], 'podman must be able to create a network', step);
  const db = containerName('db');
  await timed('database', async () => {
    await runDetached(db, [
      '-e',
      `POSTGRES_DB=${DB.name}`,
      '-e',
      `POSTGRES_USER=${DB.user}`,
      '-e',
      `POSTGRES_PASSWORD=${DB.password}`,
      qualified(services.db!.image!),
    ]);
    await until(
      'PostgreSQL accepting connections',
      async () =>
        (await runtime.run(['exec', db, 'pg_isready', '-h', '127.0.0.1', '-U', DB.user, '-d', DB.name], { timeoutMs: 10_000 })).code === 0,
      settings.stepTimeoutMs,
      () => logsOf(db),
    );
  });

  /**
   * The containers address each other by IP, not by name: podman's DNS on the network (netavark's
   * aardvark-dns) drops queries while a container joins it, and glibc asks again only after its 5 s timeout,
   * which is the services' DB_CONNECT_TIMEOUT_MS: a pool connection opened at that moment failed its request
   * with a 503 (seen in this drill). On Fargate the database is the RDS endpoint through the VPC resolver,
   * which no task start disturbs.
   */
  const addresses = new Map<string, string>();
  const addressOf = async (name: string): Promise<string> => {
    const result = await runtime.check(
      ['inspect', '--format', `{{(index .NetworkSettings.Networks "${NETWORK}").IPAddress}}`, name],
      `${name} must be on the network ${NETWORK}`,
      step,
    );
    const address = result.stdout.trim();
    if (!/^\d+\.\d+\.\d+\.\d+$/.test(address)) throw new Error(`${name} has no IPv4 address on ${NETWORK} (got "${address}")`);
    addresses.set(name, address);
    return address;
  };

  // What docker-compose.yml gives the services (the master user for both, as its stack does), on the drill's network.
  const environment = {
    DB_HOST: await addressOf(db),
    DB_PORT: '5432',
    DB_NAME: DB.name,
    DB_USER: DB.user,
    DB_PASSWORD: DB.password,
    DB_SSL: 'off',
    DB_POOL_MAX: '10',
    LOG_LEVEL: 'warn',
    PORT: '8000',
  };
  const taskArgs = (image: string): string[] => {
    const args = fargateArgs(runtime, { image, env: environment, user: 'node' });
    const host = args.indexOf('--network=host');
    if (host < 0) throw new Error('fargateArgs no longer sets --network=host; update the canary drill');
    args.splice(host, 1); // runDetached puts it on the drill's network
    return args;
  };
  const migrate = async (release: ReleaseName): Promise<number> => {
    const name = containerName(`migrate-${release}`);
    await runDetached(name, [...taskArgs(imageTag(release, 'writer')), imageTag(release, 'writer'), 'migrate']);
    const waited = await runtime.run(['wait', name], step);
    const code = Number(waited.stdout.trim());
    if (waited.code !== 0 || code !== 0)
      throw new Error(
        `the ${release} release's migrate did not exit 0 (${waited.stdout.trim() || waited.stderr.trim()})\n${await logsOf(name)}`,
      );
    return code;
  };
  const ready = (name: string): Promise<boolean> =>
    runtime.run(['exec', name, ...readyTest.slice(1)], { timeoutMs: 10_000 }).then((result) => result.code === 0);
  const startRelease = async (release: ReleaseName): Promise<void> => {
    for (const app of APPS) {
      const name = serviceName(release, app);
      await runDetached(name, [...taskArgs(imageTag(release, app)), imageTag(release, app), 'serve']);
    }
    for (const app of APPS) {
      const name = serviceName(release, app);
      await addressOf(name);
      await until(
        `${name} ready (/health/ready)`,
        () => ready(name),
        settings.stepTimeoutMs,
        () => logsOf(name),
      );
    }
  };

  const migrateExit = { old: await timed('migrate old', () => migrate('old')), new: -1 };
  await timed('start old', () => startRelease('old'));

  // The gateway, published on 127.0.0.1 only, its config in a folder of ours it reloads from.
  const gatewayDir = mkdtempSync(join(tmpdir(), 'library-canary-gateway-'));
  chmodSync(gatewayDir, 0o755);
  const gatewayName = containerName('gateway');
  const port = await freePort();
  const gateway = `http://127.0.0.1:${port}`;
  const configPath = '/etc/nginx/canary/nginx.conf';
  const writeConfig = (newPercent: number, stage: StageName): void =>
    writeFileSync(
      join(gatewayDir, 'nginx.conf'),
      canaryGatewayConfig({
        newPercent,
        stage: stage.replace(' ', '-'),
        host: (release, app) => addresses.get(serviceName(release, app))!,
      }),
    );
  const routedBy = async (): Promise<string> => {
    const response = await fetch(`${gateway}/health`, { headers: { connection: 'close' }, signal: AbortSignal.timeout(5_000) }).catch(
      () => undefined,
    );
    await response?.arrayBuffer();
    return response?.headers.get(STAGE_HEADER) ?? '';
  };
  try {
    writeConfig(0, '0%');
    await timed('start gateway', async () => {
      await runDetached(gatewayName, [
        '-p',
        `127.0.0.1:${port}:${GATEWAY_PORT}`,
        '-v',
        `${gatewayDir}:/etc/nginx/canary:ro`,
        qualified(services.gateway!.image!),
        'nginx',
        '-c',
        configPath,
        '-g',
        'daemon off;',
      ]);
      await until(
        'the gateway answering at 0 %',
        async () => (await routedBy()) === '0%',
        settings.stepTimeoutMs,
        () => logsOf(gatewayName),
      );
    });

    /** Writes the stage's config, reloads nginx gracefully, and waits until a new connection is routed by it. */
    const shift = async (newPercent: number, stage: StageName): Promise<void> => {
      writeConfig(newPercent, stage);
      await runtime.check(['exec', gatewayName, 'nginx', '-c', configPath, '-t'], 'the generated gateway config must pass nginx -t', step);
      await runtime.check(['exec', gatewayName, 'nginx', '-c', configPath, '-s', 'reload'], 'nginx must reload', step);
      await until(
        `the gateway routing by the ${stage} config`,
        async () => (await routedBy()) === stage.replace(' ', '-'),
        settings.stepTimeoutMs,
        () => logsOf(gatewayName),
      );
    };
    const hold = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

    const traffic = startTraffic({
      gateway,
      ratePerSecond: settings.ratePerSecond,
      users: settings.users,
      maxRequests: settings.ratePerSecond * 600, // ten minutes' worth: a bound, never reached by a healthy drill
      timeoutMs: 10_000,
      runId: `${process.pid}-${Date.now().toString(36)}`,
    });
    const marks: Array<{ stage: StageName; at: number }> = [];
    const migrationWindow = { from: Number.NaN, to: Number.NaN };
    const oldExit: DrillReport['oldExit'] = {};
    let interrupted: Error | undefined;
    try {
      marks.push({ stage: '0%', at: now() });
      migrationWindow.from = now();
      migrateExit.new = await timed('migrate new (under traffic)', () => migrate('new'));
      migrationWindow.to = now();
      await timed('start new (under traffic)', () => startRelease('new'));
      await hold(settings.holdMs['0%']);

      marks.push({ stage: '10%', at: now() });
      await timed('shift to 10%', () => shift(10, '10%'));
      await hold(settings.holdMs['10%']);

      marks.push({ stage: '100%', at: now() });
      await timed('shift to 100%', () => shift(100, '100%'));
      await hold(settings.holdMs['100%']);

      // ECS stops the old tasks: SIGTERM, then SIGKILL after the stop timeout; the app drains and exits 0.
      marks.push({ stage: 'old drained', at: now() });
      await timed('old release stopped (under traffic)', () =>
        Promise.all([
          ...APPS.map(async (app) => {
            const name = serviceName('old', app);
            const startedAt = now();
            await runtime.check(['stop', name], `see ${runtime.binary} logs ${name}`, { timeoutMs: settings.stepTimeoutMs });
            const inspected = await runtime.run(['inspect', '--format', '{{.State.ExitCode}}', name], { timeoutMs: 15_000 });
            oldExit[app] = { code: Number(inspected.stdout.trim()), stoppedInS: Math.round((now() - startedAt) / 100) / 10 };
          }),
          hold(settings.holdMs['old drained']),
        ]),
      );
    } catch (error) {
      interrupted = error as Error; // the figures until then are still reported, then the error is thrown
    } finally {
      await traffic.stop();
    }
    const endedAt = now();
    await saveLogs(runtime);
    timingsS.total = Math.round((endedAt - drillStartedAt) / 100) / 10;

    const stageOf = (sample: DrillSample): StageName => [...marks].reverse().find((mark) => sample.startedAt >= mark.at)!.stage;
    const newPercentOf: Record<StageName, number> = { '0%': 0, '10%': 10, '100%': 100, 'old drained': 100 };
    const stages = marks.map(({ stage }, index): StageFigures => {
      const inStage = traffic.samples.filter((sample) => stageOf(sample) === stage);
      const latencies = inStage.map((sample) => sample.endedAt - sample.startedAt);
      const served = countBy(inStage, (sample) => sample.release || 'none');
      const round = (ms: number): number => Math.round(ms * 10) / 10;
      return {
        stage,
        newPercent: newPercentOf[stage],
        durationS: Math.round(((marks[index + 1]?.at ?? endedAt) - marks[index]!.at) / 100) / 10,
        requests: inStage.length,
        failed: inStage.filter(failed).length,
        servedByNew: served.new ?? 0,
        servedByOld: served.old ?? 0,
        p50Ms: round(percentile(latencies, 50)),
        p99Ms: round(percentile(latencies, 99)),
        maxMs: round(Math.max(...latencies)),
      };
    });
    const routed: DrillReport['routed'] = {};
    for (const sample of traffic.samples) {
      if (!sample.routedBy) continue;
      routed[sample.routedBy] ??= {};
      routed[sample.routedBy]![sample.release] = (routed[sample.routedBy]![sample.release] ?? 0) + 1;
    }
    const duringMigration = traffic.samples.filter(
      (sample) => sample.startedAt >= migrationWindow.from && sample.endedAt <= migrationWindow.to,
    );
    const report: DrillReport = {
      previous: built.previous,
      settings: { ratePerSecond: settings.ratePerSecond, users: settings.users, holdMs: settings.holdMs },
      stages,
      routed,
      failures: traffic.samples
        .filter(failed)
        .slice(0, 50)
        .map((sample) => ({
          stage: stageOf(sample),
          atS: Math.round((sample.startedAt - marks[0]!.at) / 100) / 10,
          name: sample.name,
          status: sample.status,
          expected: sample.expected,
          error: sample.error,
        })),
      migrate: {
        ...migrateExit,
        whileNewRan: {
          servedBy: countBy(duringMigration, (sample) => sample.release || 'none'),
          failed: duringMigration.filter(failed).length,
          seconds: Math.round((migrationWindow.to - migrationWindow.from) / 100) / 10,
        },
      },
      oldExit,
      timingsS: {
        ...timingsS,
        ...Object.fromEntries(Object.entries(built.buildMs).map(([image, ms]) => [`build ${image}`, Math.round(ms / 100) / 10])),
      },
      measuredAt: new Date().toISOString(),
      ...(interrupted ? { interruptedBy: interrupted.message } : {}),
    };
    mkdirSync(join(REPORT_FILE, '..'), { recursive: true });
    writeFileSync(REPORT_FILE, `${JSON.stringify(report, null, 2)}\n`);
    if (interrupted) {
      interrupted.message += `\n\nthe traffic until the drill stopped (${REPORT_FILE}):\n${formatStages(report)}${
        report.failures.length ? `\nfailed requests, first ${report.failures.length}:\n${formatFailures(report)}` : ''
      }`;
      throw interrupted;
    }
    return report;
  } finally {
    rmSync(gatewayDir, { recursive: true, force: true });
  }
}

/** The stages as a table, for the test output. */
export function formatStages(report: DrillReport): string {
  const header = ['stage', 'new %', 'held s', 'requests', 'failed', 'by new', 'by old', 'p50 ms', 'p99 ms', 'max ms'];
  const rows = report.stages.map((s) =>
    [s.stage, s.newPercent, s.durationS, s.requests, s.failed, s.servedByNew, s.servedByOld, s.p50Ms, s.p99Ms, s.maxMs].map(String),
  );
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
  const line = (cells: string[]): string =>
    cells.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join('  ');
  return [line(header), ...rows.map(line)].join('\n');
}

export const LOG_DIR = join(repoRoot, '.test-results', 'canary', 'logs');

/** Every drill container's output, to read when a request failed (the containers are removed afterwards). */
async function saveLogs(runtime: Runtime): Promise<void> {
  rmSync(LOG_DIR, { recursive: true, force: true });
  mkdirSync(LOG_DIR, { recursive: true });
  const listed = await runtime.run(['ps', '-a', '--format', '{{.Names}}', '--filter', `label=${LABEL}`], { timeoutMs: 30_000 });
  for (const name of listed.stdout.split('\n').filter(Boolean)) {
    const result = await runtime.run(['logs', name], { timeoutMs: 30_000 });
    writeFileSync(join(LOG_DIR, `${name}.log`), result.stdout + result.stderr);
  }
}

/** The failed requests, one line each. */
export function formatFailures(report: DrillReport): string {
  return report.failures
    .map(
      (failure) =>
        `  ${failure.atS} s, ${failure.stage}: ${failure.name} answered ${failure.status || 'nothing'}, expected ${failure.expected} (${failure.error})`,
    )
    .join('\n');
}

async function main(command: string | undefined): Promise<number> {
  if (command !== 'down') {
    process.stderr.write('usage: tsx test/canary/support/drill.ts down   (the drill itself runs as the Jest project `drill`)\n');
    return 2;
  }
  const detection = await detectRuntime();
  if (!detection.available || detection.runtime.name !== 'podman') return 0; // nothing of ours can exist
  await down(detection.runtime);
  return 0;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  process.exitCode = await main(process.argv[2]);
}
