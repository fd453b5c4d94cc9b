import type { Tag, TaskDefinition } from '@aws-sdk/client-ecs';
import { z } from 'zod';
import type { Context } from '../context.js';
import { CliError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import { SERVICE_NAMES, type ServiceName } from '../targets/schema.js';
import { TAG } from './deploy.js';

export const serviceArgSchema = z.enum(SERVICE_NAMES, { error: () => 'expected reader or writer' });

/** The provenance the deploy writes as task-definition tags (absent on Terraform's first revision). */
export interface Provenance {
  commit: string | null;
  digest: string | null;
  actor: string | null;
  time: string | null;
}

export function provenance(td: TaskDefinition, containerName: string, tags: Tag[]): Provenance {
  const tag = (k: string) => tags.find((t) => t.key === k)?.value ?? null;
  const image = td.containerDefinitions?.find((c) => c.name === containerName)?.image ?? '';
  return {
    commit: tag(TAG.commit),
    digest: tag(TAG.digest) ?? (image.includes('@') ? image.slice(image.indexOf('@') + 1) : null),
    actor: tag(TAG.actor),
    time: tag(TAG.time) ?? td.registeredAt?.toISOString() ?? null,
  };
}

/** `arn:aws:sts::1:assumed-role/deployer/alice` → `deployer/alice`. */
export function shortActor(arn: string | null | undefined): string {
  if (!arn) return '—';
  const m = /:(?:assumed-role|user|role)\/(.+)$/.exec(arn);
  return m?.[1] ?? arn;
}

export function shortDigest(d: string | null | undefined): string {
  return d ? d.replace('sha256:', '').slice(0, 12) : '—';
}

export function hhmmss(d: Date | number | undefined): string {
  if (d === undefined) return '--:--:--';
  return new Date(d).toISOString().slice(11, 19);
}

/**
 * Asks for confirmation on a TTY; without one, --yes is required (never hang on a prompt in CI).
 */
export async function confirm(ctx: Context, question: string): Promise<void> {
  if (ctx.common.yes) return;
  const stdin = process.stdin;
  if (!ctx.deps.interactive || !stdin.isTTY) {
    throw new CliError(`${question} — refusing without a TTY`, ExitCode.Usage, 'pass --yes to confirm non-interactively');
  }
  const { createInterface } = await import('node:readline/promises');
  const rl = createInterface({ input: stdin, output: process.stderr });
  const answer = await rl.question(`${question} [y/N] `);
  rl.close();
  if (!/^y(es)?$/i.test(answer.trim())) throw new CliError('cancelled', ExitCode.Usage);
}

export const SERVICE_KEYS: readonly ServiceName[] = SERVICE_NAMES;
