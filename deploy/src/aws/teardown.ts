/**
 * What a plain `terraform destroy` cannot get past (admin only: `destroy`): ECR repositories that still hold
 * images and are not force_delete, RDS instances and ALBs with deletion protection, a final snapshot name that
 * is taken.
 */
import { BatchDeleteImageCommand, ListImagesCommand, type ECRClient } from '@aws-sdk/client-ecr';
import { ModifyLoadBalancerAttributesCommand, type ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { DescribeDBInstancesCommand, DescribeDBSnapshotsCommand, ModifyDBInstanceCommand, type RDSClient } from '@aws-sdk/client-rds';
import { DeleteObjectsCommand, ListObjectVersionsCommand, type ObjectIdentifier, type S3Client } from '@aws-sdk/client-s3';
import { CliError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import { poll, PollTimeoutError, type PollOptions } from '../poll/poller.js';

/**
 * The distinct images of a repository. ListImages lists one entry per tag (and untagged images by digest), 1000 at
 * most per page (ECR API reference, ListImages); an image with several tags is one image.
 */
export async function imageDigests(ecr: ECRClient, repositoryName: string): Promise<string[]> {
  const digests = new Set<string>();
  let nextToken: string | undefined;
  do {
    const res = await ecr.send(new ListImagesCommand({ repositoryName, maxResults: 1000, nextToken }));
    for (const id of res.imageIds ?? []) if (id.imageDigest) digests.add(id.imageDigest);
    nextToken = res.nextToken;
  } while (nextToken);
  return [...digests];
}

/** BatchDeleteImage takes 1-100 image ids a call (ECR API reference). */
const BATCH = 100;

/**
 * Deletes images by digest (which removes every tag of each, ECR API reference: BatchDeleteImage). Failures come
 * back per image, not as an error; an image an image index still references (ImageReferencedByManifestList) can
 * go once the index is gone, so failed ones get more passes while passes make progress.
 */
export async function deleteImages(
  ecr: ECRClient,
  repositoryName: string,
  digests: string[],
): Promise<{ deleted: number; failures: { digest: string; code: string; reason: string }[] }> {
  let todo = digests;
  let deleted = 0;
  let failures: { digest: string; code: string; reason: string }[] = [];
  for (let pass = 0; pass < 3 && todo.length; pass++) {
    failures = [];
    for (let i = 0; i < todo.length; i += BATCH) {
      const res = await ecr.send(
        new BatchDeleteImageCommand({ repositoryName, imageIds: todo.slice(i, i + BATCH).map((imageDigest) => ({ imageDigest })) }),
      );
      deleted += res.imageIds?.length ?? 0;
      for (const f of res.failures ?? []) {
        // Already gone is what we wanted.
        if (f.failureCode === 'ImageNotFound') continue;
        failures.push({ digest: f.imageId?.imageDigest ?? '?', code: f.failureCode ?? 'Unknown', reason: f.failureReason ?? '' });
      }
    }
    if (failures.length === todo.length) break; // no progress
    todo = failures.map((f) => f.digest);
  }
  return { deleted, failures };
}

/** Whether a manual snapshot of this name exists: DescribeDBSnapshots of an unknown one is DBSnapshotNotFoundFault. */
export async function snapshotExists(rds: RDSClient, id: string): Promise<boolean> {
  try {
    await rds.send(new DescribeDBSnapshotsCommand({ DBSnapshotIdentifier: id }));
    return true;
  } catch (err) {
    if ((err as { name?: string }).name === 'DBSnapshotNotFoundFault') return false;
    throw err;
  }
}

/**
 * Turns deletion protection off and waits until the instance is available again with it off: DeleteDBInstance
 * refuses a protected instance (InvalidParameterCombination) and one that is still modifying.
 */
export async function disableDbDeletionProtection(rds: RDSClient, id: string, wait: PollOptions & { timeoutMs: number }): Promise<void> {
  const { timeoutMs } = wait;
  await rds.send(new ModifyDBInstanceCommand({ DBInstanceIdentifier: id, DeletionProtection: false, ApplyImmediately: true }));
  try {
    await poll(async () => {
      const db = (await rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: id }))).DBInstances?.[0];
      return db?.DBInstanceStatus === 'available' && db.DeletionProtection === false ? { done: true, value: undefined } : { done: false };
    }, wait);
  } catch (err) {
    if (!(err instanceof PollTimeoutError)) throw err;
    throw new CliError(
      `RDS instance ${id} did not become available with deletion protection off within ${Math.round(timeoutMs / 1000)}s`,
      ExitCode.Timeout,
      'check the instance in the RDS console, then run destroy again',
    );
  }
}

/** ALB attribute deletion_protection.enabled (ELBv2 API reference, LoadBalancerAttribute). */
export async function disableLbDeletionProtection(elbv2: ElasticLoadBalancingV2Client, arn: string): Promise<void> {
  await elbv2.send(
    new ModifyLoadBalancerAttributesCommand({ LoadBalancerArn: arn, Attributes: [{ Key: 'deletion_protection.enabled', Value: 'false' }] }),
  );
}

/**
 * Every object version and delete marker of a versioned bucket (S3 API reference, ListObjectVersions: 1000 at
 * most a page). A versioned bucket is empty, and DeleteBucket succeeds, only when none is left (Amazon S3 User
 * Guide, "Emptying a bucket").
 */
export async function objectVersions(s3: S3Client, bucket: string): Promise<ObjectIdentifier[]> {
  const out: ObjectIdentifier[] = [];
  let KeyMarker: string | undefined;
  let VersionIdMarker: string | undefined;
  do {
    const res = await s3.send(new ListObjectVersionsCommand({ Bucket: bucket, KeyMarker, VersionIdMarker }));
    for (const v of [...(res.Versions ?? []), ...(res.DeleteMarkers ?? [])]) if (v.Key) out.push({ Key: v.Key, VersionId: v.VersionId });
    [KeyMarker, VersionIdMarker] = res.IsTruncated ? [res.NextKeyMarker, res.NextVersionIdMarker] : [undefined, undefined];
  } while (KeyMarker !== undefined || VersionIdMarker !== undefined);
  return out;
}

/**
 * Deletes every version and delete marker, 1000 a DeleteObjects call (S3 API reference), until a listing comes
 * back empty. Returns how many were deleted; per-object errors come back in the response, not as an exception.
 */
export async function emptyBucket(
  s3: S3Client,
  bucket: string,
): Promise<{ deleted: number; errors: { key: string; code: string; message: string }[] }> {
  let deleted = 0;
  for (let pass = 0; pass < 5; pass++) {
    const todo = await objectVersions(s3, bucket);
    if (!todo.length) return { deleted, errors: [] };
    const errors: { key: string; code: string; message: string }[] = [];
    for (let i = 0; i < todo.length; i += 1000) {
      const res = await s3.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: todo.slice(i, i + 1000), Quiet: true } }));
      for (const e of res.Errors ?? []) errors.push({ key: e.Key ?? '?', code: e.Code ?? 'Unknown', message: e.Message ?? '' });
      deleted += Math.min(1000, todo.length - i) - (res.Errors?.length ?? 0);
    }
    if (errors.length) return { deleted, errors };
  }
  return { deleted, errors: [{ key: '*', code: 'StillNotEmpty', message: 'objects keep arriving' }] };
}

/**
 * Turns off an ALB's access logs (attribute access_logs.s3.enabled): the Elastic Load Balancing User Guide,
 * "Enable access logs for your Application Load Balancer", says to disable access logs before deleting their bucket.
 */
export async function disableLbAccessLogs(elbv2: ElasticLoadBalancingV2Client, arn: string): Promise<void> {
  await elbv2.send(
    new ModifyLoadBalancerAttributesCommand({ LoadBalancerArn: arn, Attributes: [{ Key: 'access_logs.s3.enabled', Value: 'false' }] }),
  );
}
