import { appendFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Runtime, repoRoot } from './runtime.js';

/** Builds and inspects the service images from the real Dockerfile, with the runtime's own builder. */

export type App = 'reader' | 'writer';

export const buildLogDir = join(repoRoot, '.test-results', 'images');

export interface BuiltImage {
  app: App;
  tag: string;
  buildMs: number;
  /** The build's step output, in .test-results/images/build-<app>.log */
  log: string;
}

/** The build command's arguments for one app of a tree's Dockerfile (run in that tree). */
export function imageBuildArgs(runtime: Runtime, app: App, tag: string): string[] {
  return [
    'build',
    // podman's default OCI format drops HEALTHCHECK; the Docker format keeps it, as `docker build` does.
    ...(runtime.name === 'podman' ? ['--format', 'docker'] : []),
    // The build's `npm ci` needs the registry; the host network is where this machine reaches it.
    '--network=host',
    '--build-arg',
    `APP=${app}`,
    '-t',
    tag,
    '-f',
    'Dockerfile',
    '.',
  ];
}

/** `build --build-arg APP=<app>` of the repository's Dockerfile, exactly as the deploy CLI would (no overrides). */
export async function buildImage(runtime: Runtime, app: App, tag = `localhost/library-${app}:images-test`): Promise<BuiltImage> {
  mkdirSync(buildLogDir, { recursive: true });
  const log = join(buildLogDir, `build-${app}.log`);
  const args = imageBuildArgs(runtime, app, tag);
  writeFileSync(log, `${runtime.name} ${args.join(' ')}\n`);
  const startedAt = performance.now();
  await runtime.check(args, `read the build log ${log}; the Dockerfile must build with \`${runtime.name} ${args.join(' ')}\``, {
    timeoutMs: 900_000,
    cwd: repoRoot,
    onOutput: (chunk) => appendFileSync(log, chunk),
  });
  const buildMs = performance.now() - startedAt;
  appendFileSync(log, `\nbuilt ${tag} in ${Math.round(buildMs / 1000)} s\n`);
  return { app, tag, buildMs, log };
}

export interface ImageConfig {
  user: string;
  entrypoint: string[];
  cmd: string[];
  env: Record<string, string>;
  volumes: string[];
  /** The HEALTHCHECK test, e.g. ["CMD", "node", "-e", "…"] */
  healthcheck?: string[];
  stopSignal?: string;
  sizeBytes: number;
}

export async function inspectImage(runtime: Runtime, tag: string): Promise<ImageConfig> {
  const result = await runtime.check(['image', 'inspect', tag], `build the image first (${tag})`, { timeoutMs: 30_000 });
  const [image] = JSON.parse(result.stdout) as Array<Record<string, any>>;
  const config = image!.Config ?? {};
  return {
    user: config.User ?? '',
    entrypoint: config.Entrypoint ?? [],
    cmd: config.Cmd ?? [],
    env: Object.fromEntries((config.Env ?? []).map((pair: string) => [pair.split('=')[0], pair.slice(pair.indexOf('=') + 1)])),
    volumes: Object.keys(config.Volumes ?? {}),
    // podman reports it at the top level, docker inside Config
    healthcheck: (image!.Healthcheck ?? config.Healthcheck)?.Test,
    stopSignal: config.StopSignal,
    sizeBytes: Number(image!.Size),
  };
}

export interface Layer {
  createdBy: string;
  sizeBytes: number;
}

async function history(runtime: Runtime, tag: string): Promise<Layer[]> {
  if (runtime.name === 'podman') {
    const result = await runtime.check(['history', '--format', 'json', tag], `inspect ${tag}`, { timeoutMs: 30_000 });
    return (JSON.parse(result.stdout) as Array<{ CreatedBy?: string; size: number }>).map((entry) => ({
      createdBy: describeStep(entry.CreatedBy ?? ''),
      sizeBytes: entry.size,
    }));
  }
  const result = await runtime.check(['history', '--human=false', '--no-trunc', '--format', '{{json .}}', tag], `inspect ${tag}`, {
    timeoutMs: 30_000,
  });
  return result.stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as { CreatedBy: string; Size: string })
    .map((entry) => ({ createdBy: describeStep(entry.CreatedBy), sizeBytes: Number(entry.Size) }));
}

/** The layers the Dockerfile's runtime stage adds on top of the base image (newest first), with sizes. */
export async function ourLayers(runtime: Runtime, tag: string, baseImage: string): Promise<Layer[]> {
  const [image, base] = await Promise.all([history(runtime, tag), history(runtime, baseImage)]);
  return image.slice(0, image.length - base.length).filter((layer) => layer.sizeBytes > 0);
}

/** "/bin/sh -c #(nop) COPY dir:<64 hex> in ./node_modules " → "COPY dir in ./node_modules" */
function describeStep(createdBy: string): string {
  return createdBy
    .replace(/^\/bin\/sh -c #\(nop\) /, '')
    .replace(/\b(file|dir|multi):[0-9a-f]{64}/g, '$1')
    .trim();
}

export function mib(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

/**
 * The files a build of `contextDir` can COPY, as the runtime's own builder applies .dockerignore to it: an
 * image made of `COPY . /context` on the base image, listed with find.
 */
export async function buildContextFiles(runtime: Runtime, baseImage: string, contextDir: string): Promise<string[]> {
  const dir = mkdtempSync(join(tmpdir(), 'library-context-probe-'));
  const tag = `localhost/library-context-probe:${process.pid}`;
  try {
    writeFileSync(join(dir, 'Containerfile'), `FROM ${baseImage}\nCOPY . /context/\n`);
    await runtime.check(['build', '-q', '-f', join(dir, 'Containerfile'), '-t', tag, contextDir], 'the context probe must build', {
      timeoutMs: 300_000,
    });
    const listed = await runtime.check(
      ['run', '--rm', '--network=none', '--entrypoint', 'find', tag, '/context', '-type', 'f'],
      'list the context',
      {
        timeoutMs: 60_000,
      },
    );
    return listed.stdout
      .trim()
      .split('\n')
      .map((path) => path.replace(/^\/context\//, ''))
      .filter(Boolean)
      .sort();
  } finally {
    await runtime.run(['rmi', '-f', tag], { timeoutMs: 60_000 });
    rmSync(dir, { recursive: true, force: true });
  }
}
