import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CliError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import { TerraformError } from '../targets/terraform.js';
import type { SetupContext } from './context.js';
import { hclString } from './env-config.js';

/** The env root's partial S3 backend settings (terraform/envs/<env>/versions.tf: `backend "s3" {}`); git-ignored. */
export const BACKEND_FILE = 'backend.hcl';

export interface Backend {
  bucket: string;
  key: string;
  region: string;
  useLockfile: boolean;
}

export function backendPath(ctx: SetupContext): string {
  return join(ctx.config.dir, BACKEND_FILE);
}

/** The state's key: one state per env, under the project's name. */
export function stateKey(project: string, env: string): string {
  return `${project}/${env}/terraform.tfstate`;
}

export function renderBackend(b: Backend, env: string): string {
  return [
    `# Written by \`npm run deploy -- init --env ${env}\` (git-ignored). Used as: terraform init -backend-config=backend.hcl`,
    `bucket       = "${b.bucket}" # versioned, encrypted, private, TLS only; created and checked by init, never deleted`,
    `key          = "${b.key}"`,
    `region       = "${b.region}"`,
    'encrypt      = true',
    `use_lockfile = ${b.useLockfile} # S3-native state lock (Terraform >= 1.11); no DynamoDB table`,
    '',
  ].join('\n');
}

export function parseBackend(text: string): Partial<Backend> {
  const lockfile = /^\s*use_lockfile\s*=\s*(true|false)/m.exec(text.replace(/^\s*#.*$/gm, ''))?.[1];
  return {
    bucket: hclString(text, 'bucket'),
    key: hclString(text, 'key'),
    region: hclString(text, 'region'),
    useLockfile: lockfile === undefined ? undefined : lockfile === 'true',
  };
}

/** A backend.hcl that names a bucket, a key and a region; anything less is a file to complete by hand. */
export function completeBackend(ctx: SetupContext, b: Partial<Backend>): Backend {
  const missing = (['bucket', 'key', 'region'] as const).filter((k) => !b[k]);
  if (missing.length) {
    throw new CliError(
      `${ctx.rel(backendPath(ctx))} names no ${missing.join(', ')}`,
      ExitCode.Preflight,
      'complete it, or delete it and re-run init to have it written',
    );
  }
  return { bucket: b.bucket!, key: b.key!, region: b.region!, useLockfile: b.useLockfile === true };
}

/** The backend.hcl already there, if any: init keeps a file a person wrote, and uses the bucket it names. */
export async function readBackend(ctx: SetupContext): Promise<Partial<Backend> | undefined> {
  const path = backendPath(ctx);
  return existsSync(path) ? parseBackend(await readFile(path, 'utf8')) : undefined;
}

export type BackendOutcome = 'written' | 'unchanged' | 'kept';

/**
 * Writes backend.hcl when there is none. One that is there is never rewritten: equal to what init would write it
 * is "unchanged"; different (a bucket a person chose, an older key) it is "kept", since rewriting it would point
 * Terraform at another state.
 */
export async function writeBackend(ctx: SetupContext, want: Backend, existing: Partial<Backend> | undefined): Promise<BackendOutcome> {
  const path = ctx.rel(backendPath(ctx));
  return ctx.progress.step(`Backend ${path}`, async (step) => {
    if (!existing) {
      await writeFile(backendPath(ctx), renderBackend(want, ctx.env), { mode: 0o644 });
      step.update(`written: s3://${want.bucket}/${want.key} (${want.region}), use_lockfile = true`);
      return 'written';
    }
    const same =
      existing.bucket === want.bucket && existing.key === want.key && existing.region === want.region && existing.useLockfile === true;
    if (same) {
      step.update('unchanged');
      return 'unchanged';
    }
    step.update(
      `kept as it is: s3://${existing.bucket}/${existing.key} (${existing.region}); init writes the file only when there is none`,
    );
    if (existing.useLockfile !== true) step.log(`note: ${path} has no \`use_lockfile = true\`: two applies at once are not locked out`);
    return 'kept';
  });
}

/** `terraform init -backend-config=backend.hcl`: idempotent; a changed backend is Terraform's own error. */
export async function terraformInit(ctx: SetupContext, backend: Partial<Backend>): Promise<void> {
  await ctx.progress.step('terraform init', async (step) => {
    step.update(`-backend-config=${BACKEND_FILE}: state s3://${backend.bucket}/${backend.key}`);
    try {
      await ctx.deps.terraform.init(ctx.config.dir, BACKEND_FILE, (l) => {
        if (/^Terraform has been successfully initialized/.test(l.trim())) step.update(l.trim());
      });
    } catch (err) {
      if (!(err instanceof TerraformError)) throw err;
      throw new CliError(
        `terraform init failed in ${ctx.rel(ctx.config.dir)}: ${err.message}`,
        ExitCode.Terraform,
        /Backend configuration changed/.test(err.message)
          ? `${ctx.rel(backendPath(ctx))} names another state than the one this folder used: move the state (terraform init -migrate-state -backend-config=backend.hcl) or restore the file`
          : `check ${ctx.rel(backendPath(ctx))} and that your credentials may read and write s3://${backend.bucket}, then re-run`,
        { cause: err },
      );
    }
  });
}
