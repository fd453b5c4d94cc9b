import type { Context } from '../context.js';
import type { CliError } from '../errors.js';
import { shortDigest } from '../output/format.js';
import { migrate, type MigrationResult } from '../rollout/migration.js';
import { provenanceTags } from './provenance.js';
import type { DeployInput, ImageResult, PreflightResult, ServicePlan } from './types.js';

export type MigrationGateResult =
  | { ran: false; why: string }
  | { ran: true; ok: true; migration: MigrationResult }
  | { ran: true; ok: false; migration: MigrationResult | null; error: CliError };

/**
 * W-6: before either service changes, run `migrate` once with the new writer image. It runs when the writer's
 * image changes (or with --force); a writer whose only change is Terraform's settings has no new migration.
 */
export async function migrationGate(
  ctx: Context,
  input: DeployInput,
  pre: PreflightResult,
  changing: ServicePlan[],
  images: ImageResult[],
): Promise<MigrationGateResult> {
  const writer = changing.find((p) => p.key === 'writer');
  const image = images.find((i) => i.service === 'writer');
  if (!writer || !image?.pinned) return { ran: false, why: 'the writer is not being deployed' };
  if (writer.liveImage === image.pinned && !input.force) {
    ctx.progress.note(`migration skipped: the writer image ${shortDigest(image.digest)} already runs (only Terraform's settings change)`);
    return { ran: false, why: 'the writer image already runs' };
  }
  const tags = provenanceTags({ commit: pre.commit, digest: image.digest!, imageTag: pre.imageTag, actor: pre.actor, time: pre.time });
  const outcome = await migrate(ctx, image.pinned, tags, input.migrationTimeoutMs, 'deploy-cli/migrate');
  return outcome.ok
    ? { ran: true, ok: true, migration: outcome.result }
    : { ran: true, ok: false, migration: outcome.result, error: outcome.error };
}
