import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { imageNodeFlags, productionTracing } from '../../bench/lib/production.mjs';
import { freePort, startEmbeddedPostgres } from '../../scripts/embedded-postgres.mjs';
import { startOtlpReceiver } from '../../scripts/otlp-receiver.mjs';
import { FaultProxy } from '../reliability/support/fault-proxy.js';
import { now, signalUnderLoad } from '../reliability/support/load.js';
import { type BaseImage, ensureBaseImage } from './support/base-image.js';
import { type RunningContainer, removeAll, runToExit, startContainer, waitForOk } from './support/containers.js';
import {
  type App,
  type BuiltImage,
  type ImageConfig,
  buildContextFiles,
  buildImage,
  buildLogDir,
  inspectImage,
  mib,
  ourLayers,
} from './support/images.js';
import { type Runtime, detectRuntime, repoRoot } from './support/runtime.js';

/**
 * The images, for real: the stand-in base (no registry here), both services built from the repository's
 * Dockerfile, and each image run the way the Fargate task runs it (support/containers.ts) against a real
 * PostgreSQL. Every check goes through the container: its exit code, its output, HTTP on its port, exec.
 *
 * Needs podman (or a Docker engine). Without one the suite is skipped with the reason, except in CI
 * (CI=true), where a missing runtime fails it.
 */

const detection = await detectRuntime();
const inCi = process.env.CI === 'true';
if (!detection.available && !inCi) {
  console.warn(`SKIPPED the images suite: ${detection.missing}. Install podman (apt-get install podman runc mmdebstrap) to run it.`);
}
const describeImages = detection.available || inCi ? describe : describe.skip;

jest.setTimeout(120_000); // builds, container starts and PostgreSQL on a busy 2-core CI machine

const APPS: App[] = ['reader', 'writer'];
const figures: Record<string, unknown> = {};

describeImages('the service images, built from the Dockerfile and run like the ECS task', () => {
  let runtime: Runtime;
  let base: BaseImage;
  const images = {} as Record<App, BuiltImage & { config: ImageConfig }>;
  let postgres: Awaited<ReturnType<typeof startEmbeddedPostgres>> | undefined;
  let dataDir = '';
  let db: Record<string, string>;

  beforeAll(async () => {
    if (!detection.available)
      throw new Error(`no container runtime in CI: ${detection.missing}. fix: .ci/run installs podman, runc and mmdebstrap`);
    runtime = detection.runtime;
    console.log(`images suite: ${runtime.description}`);
    base = await ensureBaseImage(runtime, (line) => console.log(`images suite: ${line}`));
    console.log(`images suite: base image ${base.note}`);
    for (const app of APPS) {
      const built = await buildImage(runtime, app);
      images[app] = { ...built, config: await inspectImage(runtime, built.tag) };
    }
    dataDir = mkdtempSync(join(tmpdir(), 'library-images-pg-'));
    chmodSync(dataDir, 0o755); // as root, PostgreSQL runs as an unprivileged user that must reach its data dir
    postgres = await startEmbeddedPostgres({ dataDir: join(dataDir, 'data'), persistent: false });
    await postgres.createDatabase('library_images_test');
    db = {
      DB_HOST: '127.0.0.1',
      DB_PORT: String(postgres.port),
      DB_USER: postgres.user,
      DB_PASSWORD: postgres.password,
      DB_NAME: 'library_images_test',
      DB_SSL: 'off',
      LOG_LEVEL: 'info',
    };
  }, 1_800_000);

  afterAll(async () => {
    if (runtime) await removeAll(runtime);
    await postgres?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    mkdirSync(buildLogDir, { recursive: true });
    writeFileSync(join(buildLogDir, 'figures.json'), JSON.stringify({ ...figures, measuredAt: new Date().toISOString() }, null, 2));
  }, 120_000);

  function spec(app: App, env: Record<string, string>, command?: string[]) {
    return { image: images[app].tag, user: images[app].config.user, env: { ...db, ...env }, command };
  }

  async function serve(app: App, env: Record<string, string> = {}): Promise<{ container: RunningContainer; url: string }> {
    const port = await freePort();
    const container = await startContainer(runtime, spec(app, { PORT: String(port), ...env }));
    const url = `http://127.0.0.1:${port}`;
    await waitForOk(`${url}/health/ready`, container, 30_000);
    return { container, url };
  }

  it('builds both images; prints their sizes and the size of the layers the Dockerfile adds', async () => {
    const rows: string[] = [];
    for (const app of APPS) {
      const layers = await ourLayers(runtime, images[app].tag, base.name);
      const ours = layers.reduce((sum, layer) => sum + layer.sizeBytes, 0);
      expect(ours).toBeGreaterThan(0);
      expect(ours).toBeLessThan(images[app].config.sizeBytes);
      figures[app] = {
        buildSeconds: Math.round(images[app].buildMs / 1000),
        imageMiB: Number((images[app].config.sizeBytes / 1048576).toFixed(1)),
        ourLayersMiB: Number((ours / 1048576).toFixed(1)),
        layers: layers.map((layer) => `${mib(layer.sizeBytes)}  ${layer.createdBy.slice(0, 70)}`),
      };
      rows.push(
        `${app}: image ${mib(images[app].config.sizeBytes)}, our layers ${mib(ours)}, built in ${Math.round(images[app].buildMs / 1000)} s`,
        ...layers.map((layer) => `    ${mib(layer.sizeBytes).padStart(10)}  ${layer.createdBy.slice(0, 70)}`),
      );
    }
    figures.base = base.note;
    console.log(`images (base: ${base.note}):\n${rows.join('\n')}`);
  });

  it.each(APPS)('%s: the image config is the container contract (non-root node user, /tmp volume, node entry, serve)', (app) => {
    const { config } = images[app];
    expect(config.user).toBe('node');
    expect(config.volumes).toEqual(['/tmp']);
    // node, V8's heap flags (the Dockerfile says why; npm run bench runs with the same), the service's entry.
    expect(config.entrypoint[0]).toBe('node');
    expect(config.entrypoint.at(-1)).toBe('dist/main.js');
    expect(config.entrypoint.slice(1, -1)).toEqual(imageNodeFlags());
    expect(config.entrypoint.slice(1, -1).length).toBeGreaterThan(0);
    expect(config.cmd).toEqual(['serve']);
    expect(config.env).toMatchObject({ NODE_ENV: 'production', PORT: '8000', NODE_COMPILE_CACHE: '/app/dist/.compile-cache' });
    expect(config.healthcheck?.[0]).toBe('CMD');
  });

  describe('the build context (.dockerignore, applied by the builder itself)', () => {
    const ALLOWED = /^(package\.json|package-lock\.json|tsconfig\.json|nest-cli\.json|(apps|libs)\/.+)$/;

    it('the repository sends only package.json, the lockfile, tsconfig.json, nest-cli.json, apps/ and libs/ without tests', async () => {
      const files = await buildContextFiles(runtime, base.name, repoRoot);
      expect(files.filter((path) => !ALLOWED.test(path))).toEqual([]);
      expect(files.filter((path) => /(^|\/)(test|node_modules|dist)\/|\.spec\.ts$/.test(path))).toEqual([]);
      expect(files).toEqual(
        expect.arrayContaining(['package.json', 'package-lock.json', 'apps/reader/src/main.ts', 'libs/config/src/environment.ts']),
      );
    }, 300_000);

    it('keeps secrets, local data, build output and tests out even inside apps/ and libs/', async () => {
      const canaries = [
        '.env',
        '.env.production',
        'apps/reader/.env.local',
        'libs/config/src/.env',
        'deploy/server.pem',
        'libs/platform/src/http/tls.key',
        'apps/writer/id_rsa',
        '.npmrc',
        'apps/reader/.npmrc',
        'node_modules/pg/package.json',
        'apps/reader/node_modules/x/index.js',
        'dist/apps/reader/src/main.js',
        'libs/persistence/dist/index.js',
        '.data/postgres/PG_VERSION',
        '.git/HEAD',
        'terraform/envs/dev/terraform.tfstate',
        'terraform/envs/dev/secrets.tfvars',
        'test/e2e/reader.e2e.spec.ts',
        'apps/writer/src/books/books.controller.spec.ts',
        'apps/reader/test/reader.e2e-spec.ts',
        'coverage/lcov.info',
        '.test-results/images/figures.json',
        'dist/.tsbuildinfo',
        'deploy/src/main.ts',
        'scripts/dev.mjs',
        'docker-compose.yml',
        'README.md',
      ];
      const kept = [
        'package.json',
        'package-lock.json',
        'tsconfig.json',
        'nest-cli.json',
        'apps/reader/src/main.ts',
        'libs/config/src/index.ts',
      ];
      const context = mkdtempSync(join(tmpdir(), 'library-context-'));
      try {
        copyFileSync(join(repoRoot, '.dockerignore'), join(context, '.dockerignore'));
        for (const path of [...canaries, ...kept]) {
          mkdirSync(dirname(join(context, path)), { recursive: true });
          writeFileSync(join(context, path), 'canary\n');
        }
        expect(await buildContextFiles(runtime, base.name, context)).toEqual([...kept].sort());
      } finally {
        rmSync(context, { recursive: true, force: true });
      }
    }, 300_000);
  });

  it('migrate exits 0 and applies the migrations; a second run is a no-op', async () => {
    const first = await runToExit(runtime, spec('writer', {}, ['migrate']), 60_000);
    expect({ code: first.code, output: first.stdout + first.stderr }).toMatchObject({ code: 0 });
    expect(first.stdout).toMatch(/"msg":"applied \d+ migration\(s\)"/);
    const second = await runToExit(runtime, spec('writer', {}, ['migrate']), 60_000);
    expect({ code: second.code, output: second.stdout + second.stderr }).toMatchObject({ code: 0 });
    expect(second.stdout).toContain('"applied":[]');
    expect(second.stdout).toContain('nothing to apply');
    figures.migrate = {
      firstSeconds: Number((first.durationMs / 1000).toFixed(1)),
      secondSeconds: Number((second.durationMs / 1000).toFixed(1)),
    };
  }, 150_000);

  describe('serving', () => {
    const running = {} as Record<App, { container: RunningContainer; url: string }>;

    beforeAll(async () => {
      for (const app of APPS) running[app] = await serve(app);
    }, 120_000);

    it.each(APPS)('%s answers /health and /health/ready', async (app) => {
      for (const path of ['/health', '/health/ready']) {
        const response = await fetch(`${running[app].url}${path}`, { signal: AbortSignal.timeout(5_000) });
        expect({ path, status: response.status }).toEqual({ path, status: 200 });
      }
    });

    it('a book POSTed to the writer image is read back through the reader image', async () => {
      const book = { title: 'The Left Hand of Darkness', author: 'Ursula K. Le Guin', isbn: '978-0-441-47812-5' };
      const created = await fetch(`${running.writer.url}/books`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(book),
        signal: AbortSignal.timeout(5_000),
      });
      expect(created.status).toBe(201);
      const { id } = (await created.json()) as { id: number };
      const read = await fetch(`${running.reader.url}/books/${id}`, { signal: AbortSignal.timeout(5_000) });
      expect(read.status).toBe(200);
      expect(await read.json()).toMatchObject({ id, ...book, isbn: '9780441478125', version: 1 });
    });

    it.each(APPS)('%s runs as uid 1000 under an init, within 512 MiB, and can write /tmp but nothing else', async (app) => {
      const probe = await running[app].container.exec([
        'node',
        '-e',
        `
        const fs = require('node:fs');
        const status = (pid) => Object.fromEntries(fs.readFileSync('/proc/' + pid + '/status', 'utf8').split('\\n').filter(Boolean).map((l) => [l.split(':')[0], l.split(':')[1].trim()]));
        const pids = fs.readdirSync('/proc').filter((p) => /^\\d+$/.test(p));
        const argv = (pid) => fs.readFileSync('/proc/' + pid + '/cmdline', 'utf8').split('\\0');
        const service = pids.find((p) => /(^|\\/)node$/.test(argv(p)[0]) && argv(p).includes('dist/main.js'));
        const write = (dir) => { try { fs.writeFileSync(dir + '/probe-' + process.pid, 'x'); fs.rmSync(dir + '/probe-' + process.pid); return 'ok'; } catch (e) { return e.code; } };
        const limit = ['/sys/fs/cgroup/memory.max', '/sys/fs/cgroup/memory/memory.limit_in_bytes'].filter((f) => fs.existsSync(f)).map((f) => fs.readFileSync(f, 'utf8').trim())[0];
        console.log(JSON.stringify({
          init: { name: status(1).Name, uid: status(1).Uid.split(/\\s+/)[0] },
          service: { pid: service, uid: status(service).Uid.split(/\\s+/)[0], ppid: status(service).PPid },
          memoryLimit: limit,
          writes: Object.fromEntries(['/tmp', '/app', '/app/dist', '/', '/home/node', '/var/tmp', '/run', '/etc'].map((d) => [d, write(d)])),
        }));
      `,
      ]);
      expect(probe).toMatchObject({ code: 0, stderr: '' });
      const result = JSON.parse(probe.stdout) as {
        init: { name: string; uid: string };
        service: { pid: string; uid: string; ppid: string };
        memoryLimit: string;
        writes: Record<string, string>;
      };
      expect(result.service.uid).toBe('1000');
      expect(result.service.pid).not.toBe('1'); // an init is PID 1 and forwards signals to node (ECS initProcessEnabled)
      expect(result.service.ppid).toBe('1');
      expect(result.init.name).toMatch(/init|catatonit|tini/);
      expect(Number(result.memoryLimit)).toBe(512 * 1024 * 1024);
      expect(result.writes).toEqual({
        '/tmp': 'ok',
        '/app': 'EROFS',
        '/app/dist': 'EROFS',
        '/': 'EROFS',
        '/home/node': 'EROFS',
        '/var/tmp': 'EROFS',
        '/run': 'EROFS',
        '/etc': 'EROFS',
      });
    });

    it.each(APPS)('%s holds the production dependencies only: every dependency, no build or test tool', async (app) => {
      const listed = await running[app].container.exec([
        'node',
        '-e',
        "const fs = require('node:fs'); console.log(JSON.stringify(fs.readdirSync('node_modules').flatMap((n) => n.startsWith('@') ? fs.readdirSync('node_modules/' + n).map((s) => n + '/' + s) : [n])))",
      ]);
      expect(listed).toMatchObject({ code: 0, stderr: '' });
      const installed = new Set(JSON.parse(listed.stdout) as string[]);
      const { dependencies } = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
      expect(Object.keys(dependencies).filter((name) => !installed.has(name))).toEqual([]);
      const tools = ['typescript', '@nestjs/cli', 'jest', '@swc/core', 'eslint', 'embedded-postgres', '@aws-sdk/client-ecs', 'tsx'];
      expect(tools.filter((name) => installed.has(name))).toEqual([]);
    });

    it.each(APPS)('%s: the HEALTHCHECK command from the image config passes when exec’d in the container', async (app) => {
      const test = images[app].config.healthcheck!;
      const command = test[0] === 'CMD-SHELL' ? ['/bin/sh', '-c', test[1]!] : test.slice(1);
      const healthy = await running[app].container.exec(command, 10_000);
      expect(healthy).toMatchObject({ code: 0 });
      // And it can fail: pointed at a port nobody listens on, the same command exits 1.
      const pointedAway = await runtime.run(['exec', '-e', 'PORT=1', running[app].container.name, ...command], { timeoutMs: 10_000 });
      expect(pointedAway.code).toBe(1);
    });
  });

  it('the image’s VOLUME alone makes /tmp writable for node on a read-only root (what Fargate’s bind mount needs)', async () => {
    const probe = await runToExit(runtime, {
      ...spec('reader', {}),
      tmp: 'image-volume',
      entrypoint: 'node',
      command: [
        '-e',
        "const fs = require('node:fs'); fs.writeFileSync('/tmp/probe', 'x'); console.log(fs.statSync('/tmp').mode.toString(8))",
      ],
    });
    expect({ code: probe.code, stdout: probe.stdout.trim(), stderr: probe.stderr }).toEqual({ code: 0, stdout: '41777', stderr: '' });
  });

  it.each(APPS)(
    '%s runs the tsc output with the compile cache made at build: every module it loads is a cache hit',
    async (app) => {
      // `help` loads the whole module graph, as serve does before it connects; Node reports each cache lookup.
      const result = await runToExit(runtime, spec(app, { NODE_DEBUG_NATIVE: 'COMPILE_CACHE' }, ['help']), 60_000);
      const output = result.stdout + result.stderr;
      expect({ code: result.code }).toEqual({ code: 0 });
      const lookups = output.split('\n').filter((line) => line.includes('[compile cache] reading cache from'));
      const misses = lookups.filter((line) => !/\.\.\. success, size=\d+$/.test(line));
      // No lookup at all: the cache directory made at build is not this run's (another uid, Node or V8 flags).
      expect(output).not.toContain('Cannot create cache directory');
      expect(misses).toEqual([]);
      // The service's own modules (the tsc layout, through dist/main.js's link) and its dependencies.
      expect(lookups.some((line) => line.includes(`file:///app/dist/apps/${app}/src/main.js`))).toBe(true);
      expect(lookups.length).toBeGreaterThan(1_000);
      figures[`${app}CompileCacheHits`] = lookups.length;
    },
    90_000,
  );

  it('tracing on as prod sets it: a request’s trace reaches the receiver, its pg spans children of the HTTP span', async () => {
    const receiver = await startOtlpReceiver();
    try {
      // Prod's sampler and ratio (Terraform); JSON instead of protobuf only so that the receiver can decode it.
      const tracing = { ...productionTracing(receiver.endpoint), OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' };
      const reader = await serve('reader', tracing);
      // A caller's sampled decision stands under the parent-based sampler, whatever the ratio.
      const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
      const callerSpanId = '00f067aa0ba902b7';
      const response = await fetch(`${reader.url}/books?limit=5`, {
        headers: { traceparent: `00-${traceId}-${callerSpanId}-01` },
        signal: AbortSignal.timeout(5_000),
      });
      expect(response.status).toBe(200);
      // SIGTERM: the drain exports what is buffered before the process exits.
      await reader.container.signal('SIGTERM');
      expect((await reader.container.wait(30_000)).code).toBe(0);

      const spans = receiver.spans.filter((span) => span.traceId === traceId);
      const server = spans.filter((span) => span.kind === 2);
      expect(server.map((span) => ({ name: span.name, parent: span.parentSpanId }))).toEqual([
        { name: 'GET /books', parent: callerSpanId },
      ]);
      const queries = spans.filter((span) => span.kind === 3 && span.name.startsWith('pg.query'));
      expect(queries.length).toBeGreaterThan(0);
      expect(queries.filter((span) => span.parentSpanId !== server[0]!.spanId)).toEqual([]);
      expect(queries[0]!.resource['service.name']).toBe('reader');
    } finally {
      await receiver.close();
    }
  }, 120_000);

  it('SIGTERM under load: every request accepted before the signal completes, and the container exits 0 well inside 30 s', async () => {
    // 50 books to read, written through the writer image.
    const writer = await serve('writer');
    const ids: number[] = [];
    for (let i = 1; i <= 50; i++) {
      const response = await fetch(`${writer.url}/books`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ title: `Load book ${i}`, author: 'Shutdown' }),
        signal: AbortSignal.timeout(5_000),
      });
      expect(response.status).toBe(201);
      ids.push(((await response.json()) as { id: number }).id);
    }
    await writer.container.remove();

    // The database is reached through a proxy adding 250 ms, so dozens of requests are in flight at SIGTERM.
    const proxy = new FaultProxy('127.0.0.1', postgres!.port);
    proxy.latencyMs = 250;
    const proxyPort = await proxy.listen();
    try {
      const reader = await serve('reader', { DB_PORT: String(proxyPort), DB_POOL_MAX: '30' });
      let exited!: ReturnType<RunningContainer['wait']>;
      const load = await signalUnderLoad(
        (sequence) => ({ name: 'GET /books/:id', url: `${reader.url}/books/${ids[sequence % ids.length]}` }),
        async () => {
          await reader.container.signal('SIGTERM');
          exited = reader.container.wait(30_000);
        },
      );
      const exit = await exited;
      const shutdownMs = now() - load.signalAt;
      const inFlight = load.inFlightAtSignal;
      const dropped = load.dropped.length;
      figures.sigterm = {
        acceptedBeforeSigterm: load.accepted.length,
        inFlightAtSigterm: inFlight,
        dropped,
        exitCode: exit.code,
        shutdownMs: Math.round(shutdownMs),
      };
      console.log(`SIGTERM through the container: ${JSON.stringify(figures.sigterm)}`);
      expect(inFlight).toBeGreaterThan(5);
      expect(dropped).toBe(0);
      expect(exit.code).toBe(0);
      expect(shutdownMs).toBeLessThan(10_000);
      expect(exit.stdout).toContain('shut down cleanly');
    } finally {
      await proxy.close();
    }
  }, 120_000);

  it.each([
    ['reader', 'serve'],
    ['writer', 'migrate'],
  ] as Array<[App, string]>)(
    '%s %s with a bad DB_SSL exits 1, printing JSON lines only, one of them fatal and naming DB_SSL',
    async (app, command) => {
      const result = await runToExit(runtime, spec(app, { DB_SSL: 'sometimes' }, [command]), 30_000);
      const lines = (result.stdout + result.stderr).split('\n').filter((line) => line.trim() !== '');
      const notJson = lines.filter((line) => {
        try {
          return typeof JSON.parse(line) !== 'object';
        } catch {
          return true;
        }
      });
      expect({ code: result.code, notJson }).toEqual({ code: 1, notJson: [] });
      const fatal = lines
        .map((line) => JSON.parse(line) as { level: unknown; msg?: string })
        .filter((line) => line.level === 'fatal' || line.level === 60);
      expect(fatal.length).toBeGreaterThanOrEqual(1);
      expect(fatal.some((line) => line.msg?.includes('DB_SSL'))).toBe(true);
    },
    60_000,
  );
});
