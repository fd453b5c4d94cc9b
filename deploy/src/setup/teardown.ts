import {
  deleteImages,
  disableDbDeletionProtection,
  disableLbAccessLogs,
  disableLbDeletionProtection,
  emptyBucket,
  imageDigests,
  objectVersions,
  snapshotExists,
} from '../aws/teardown.js';
import { pollTiming } from '../context.js';
import { CliError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import type { SetupContext } from './context.js';
import { deletions, type PlanDocument } from './terraform-plan.js';

/** How long RDS may take to apply `DeletionProtection: false` before destroy gives up. */
const DB_PROTECTION_TIMEOUT_MS = 10 * 60_000;

/** What the destroy plan deletes that AWS guards, read from the plan's `before` values (Terraform's refreshed view). */
export interface Teardown {
  repositories: { name: string; forceDelete: boolean; digests: string[] }[];
  databases: { id: string; deletionProtection: boolean; finalSnapshot?: string }[];
  loadBalancers: { name: string; arn: string; deletionProtection: boolean }[];
  /** S3 buckets (the ALB's access logs) that are not force_destroy: DeleteBucket refuses one with any object version. */
  buckets: { name: string; forceDestroy: boolean; versions: number }[];
}

const str = (v: unknown) => (typeof v === 'string' ? v : undefined);

export async function inspectTeardown(ctx: SetupContext, plan: PlanDocument): Promise<Teardown> {
  return ctx.progress.step('What stops a plain terraform destroy', async (step) => {
    const gone = deletions(plan);
    const t: Teardown = { repositories: [], databases: [], loadBalancers: [], buckets: [] };
    for (const rc of gone) {
      const v = rc.change.before ?? {};
      if (rc.type === 'aws_ecr_repository' && str(v.name)) {
        const digests = await imageDigests(ctx.aws.ecr, str(v.name)!);
        t.repositories.push({ name: str(v.name)!, forceDelete: v.force_delete === true, digests });
        step.update(`ECR ${v.name}: ${digests.length} image(s)`);
      }
      if (rc.type === 'aws_db_instance' && str(v.identifier)) {
        const finalSnapshot = v.skip_final_snapshot === false ? str(v.final_snapshot_identifier) : undefined;
        // DeleteDBInstance fails with DBSnapshotAlreadyExists when the final snapshot's name is taken (RDS API reference).
        if (finalSnapshot && (await snapshotExists(ctx.aws.rds, finalSnapshot))) {
          throw new CliError(
            `RDS keeps a final snapshot ${finalSnapshot} of ${v.identifier} when it is deleted, but a snapshot of that name already exists`,
            ExitCode.Preflight,
            `keep the old one under another name (aws rds copy-db-snapshot) and delete it (aws rds delete-db-snapshot --db-snapshot-identifier ${finalSnapshot}), then run destroy again`,
          );
        }
        t.databases.push({ id: str(v.identifier)!, deletionProtection: v.deletion_protection === true, finalSnapshot });
      }
      if (rc.type === 'aws_s3_bucket' && str(v.bucket)) {
        const forceDestroy = v.force_destroy === true;
        const versions = forceDestroy ? 0 : (await objectVersions(ctx.aws.s3, str(v.bucket)!)).length;
        t.buckets.push({ name: str(v.bucket)!, forceDestroy, versions });
        step.update(`S3 ${v.bucket}: ${versions} object version(s)`);
      }
      if (rc.type === 'aws_lb' && str(v.arn)) {
        t.loadBalancers.push({
          name: str(v.name) ?? str(v.arn)!,
          arn: str(v.arn)!,
          deletionProtection: v.enable_deletion_protection === true,
        });
      }
    }
    step.update(`${gone.length} resources; ${blockers(t)} thing(s) to clear first`);
    return t;
  });
}

function blockers(t: Teardown): number {
  return (
    t.repositories.filter((r) => !r.forceDelete && r.digests.length).length +
    t.databases.filter((d) => d.deletionProtection).length +
    t.loadBalancers.filter((l) => l.deletionProtection).length +
    bucketsToEmpty(t).length
  );
}

const bucketsToEmpty = (t: Teardown) => t.buckets.filter((b) => !b.forceDestroy && b.versions > 0);

/** The lines the confirmation shows: what goes, and what is done first so that Terraform can delete it. */
export function teardownLines(t: Teardown): string[] {
  return [
    ...t.repositories.map(
      (r) =>
        `ECR ${r.name}: ${r.digests.length} image(s)${
          !r.digests.length
            ? ''
            : r.forceDelete
              ? ', deleted with the repository (force_delete)'
              : ' — the repository is not force_delete: its images are deleted first (BatchDeleteImage)'
        }`,
    ),
    ...t.databases.map(
      (d) =>
        `RDS ${d.id}: ${d.deletionProtection ? 'deletion protection is turned off first; ' : ''}${
          d.finalSnapshot ? `a final snapshot ${d.finalSnapshot} is kept` : 'no final snapshot (skip_final_snapshot): its data is gone'
        }`,
    ),
    ...t.loadBalancers.filter((l) => l.deletionProtection).map((l) => `ALB ${l.name}: deletion protection is turned off first`),
    ...bucketsToEmpty(t).map(
      (b) =>
        `S3 ${b.name}: ${b.versions} object version(s) (ALB access logs) — the bucket is not force_destroy: the ALB stops logging and every version is deleted first`,
    ),
  ];
}

/** Clears what would make `terraform destroy` fail; returns what it did, for the summary. */
export async function clearBlockers(ctx: SetupContext, t: Teardown): Promise<string[]> {
  if (!blockers(t)) return [];
  return ctx.progress.step('Clear what stops terraform destroy', async (step) => {
    const done: string[] = [];
    for (const r of t.repositories.filter((x) => !x.forceDelete && x.digests.length)) {
      const res = await deleteImages(ctx.aws.ecr, r.name, r.digests);
      if (res.failures.length) {
        const f = res.failures[0]!;
        throw new CliError(
          `${res.failures.length} image(s) of ${r.name} could not be deleted (${f.code}: ${f.reason})`,
          ExitCode.Preflight,
          `delete them by hand (aws ecr batch-delete-image --repository-name ${r.name} --image-ids imageDigest=${f.digest}), or set force_delete on the repository and apply; then run destroy again. Nothing was destroyed`,
        );
      }
      step.update(`ECR ${r.name}: ${res.deleted} image(s) deleted`);
      done.push(`deleted ${res.deleted} image(s) of ${r.name}`);
    }
    for (const d of t.databases.filter((x) => x.deletionProtection)) {
      step.update(`RDS ${d.id}: turning deletion protection off`);
      await disableDbDeletionProtection(ctx.aws.rds, d.id, {
        ...pollTiming(ctx, DB_PROTECTION_TIMEOUT_MS),
        timeoutMs: DB_PROTECTION_TIMEOUT_MS,
      });
      done.push(`deletion protection off on RDS ${d.id}`);
    }
    const buckets = bucketsToEmpty(t);
    // No new log file may land between emptying and DeleteBucket: the ALB stops writing first.
    if (buckets.length) for (const l of t.loadBalancers) await disableLbAccessLogs(ctx.aws.elbv2, l.arn);
    for (const b of buckets) {
      step.update(`S3 ${b.name}: deleting ${b.versions} object version(s)`);
      const res = await emptyBucket(ctx.aws.s3, b.name);
      if (res.errors.length) {
        const e = res.errors[0]!;
        throw new CliError(
          `${res.errors.length} object version(s) of s3://${b.name} could not be deleted (${e.code}: ${e.message})`,
          ExitCode.Preflight,
          `empty it by hand (S3 console: Empty), then run destroy again. Nothing was destroyed`,
        );
      }
      done.push(`emptied s3://${b.name} (${res.deleted} object version(s) of ALB access logs)`);
    }
    for (const l of t.loadBalancers.filter((x) => x.deletionProtection)) {
      await disableLbDeletionProtection(ctx.aws.elbv2, l.arn);
      step.update(`ALB ${l.name}: deletion protection off`);
      done.push(`deletion protection off on ALB ${l.name}`);
    }
    return done;
  });
}
