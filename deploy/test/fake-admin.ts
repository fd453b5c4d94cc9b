/**
 * The parts of the fake account only `init` and `destroy` touch, answering as the API references say:
 *   S3   the Terraform state bucket: HeadBucket, CreateBucket and the settings init checks and fixes
 *   ECR  ListImages / BatchDeleteImage (a repository that is not force_delete must be empty to be deleted)
 *   RDS  ModifyDBInstance (deletion protection), DescribeDBSnapshots (a final snapshot name must be free)
 *   ELB  ModifyLoadBalancerAttributes (deletion_protection.enabled)
 */
import {
  BatchDeleteImageCommand,
  InvalidParameterException,
  ListImagesCommand,
  RepositoryNotFoundException,
  type ImageFailure,
  type ImageIdentifier,
} from '@aws-sdk/client-ecr';
import { LoadBalancerNotFoundException, ModifyLoadBalancerAttributesCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import {
  DBSnapshotNotFoundFault,
  DescribeDBSnapshotsCommand,
  InvalidDBInstanceStateFault,
  ModifyDBInstanceCommand,
} from '@aws-sdk/client-rds';
import * as s3 from '@aws-sdk/client-s3';
import { ACCOUNT, type FakeAws, type FakeOn } from './fake-aws.js';

export interface FakeBucket {
  /** Account that owns it: ours (ACCOUNT) or someone else's. */
  owner: string;
  region: string;
  versioning?: 'Enabled' | 'Suspended';
  /** undefined: no default encryption (only a bucket from before 2023 can have none). */
  encryption?: s3.ServerSideEncryptionRule[];
  publicAccessBlock?: s3.PublicAccessBlockConfiguration;
  policy?: string;
  lifecycle?: s3.LifecycleRule[];
  /** Object versions and delete markers (a versioned bucket, e.g. the ALB's access logs). */
  objects?: { Key: string; VersionId: string; deleteMarker?: boolean }[];
  /** Access logs the ALB delivers while it still logs: a new object per listing (fake only). */
  albStillLogs?: boolean;
}

/** An S3 error as the SDK raises it for a response with an XML body (name = the error Code). */
function s3Error(name: string, status: number, message: string): s3.S3ServiceException {
  return new s3.S3ServiceException({ name, $fault: 'client', message, $metadata: { httpStatusCode: status, requestId: 'S3REQ1' } });
}

/**
 * A bucket as an account sees it. HeadBucket answers without a body, so the SDK names a 404 `NotFound` and any
 * other status `Unknown` (@aws-sdk/core loadRestXmlErrorCode); the other calls carry an XML error Code.
 */
function bucketFor(aws: FakeAws, name: string | undefined, expectedOwner: string | undefined, head = false): FakeBucket {
  const b = aws.buckets.get(name ?? '');
  if (!b) {
    if (head) throw new s3.NotFound({ message: 'NotFound', $metadata: { httpStatusCode: 404 } });
    throw new s3.NoSuchBucket({ message: 'The specified bucket does not exist', $metadata: { httpStatusCode: 404 } });
  }
  // ExpectedBucketOwner that does not match the owner: 403 (S3 API reference, every bucket operation); a
  // bucket of another account that grants us nothing: 403 AccessDenied as well.
  if (b.owner !== ACCOUNT || (expectedOwner && expectedOwner !== b.owner)) {
    if (head) throw s3Error('Unknown', 403, 'UnknownError');
    throw s3Error('AccessDenied', 403, 'Access Denied');
  }
  return b;
}

export function installAdmin(aws: FakeAws, on: FakeOn): void {
  type Input = { Bucket?: string; ExpectedBucketOwner?: string };
  const bucket = (i: Input) => bucketFor(aws, i.Bucket, i.ExpectedBucketOwner);

  // ---- S3 (API reference: HeadBucket, CreateBucket, Get/PutBucket*; User Guide "Default encryption",
  //      "Blocking public access": new buckets since 2023 have SSE-S3 and all four public-access blocks on)
  on(aws.s3, 's3', s3.HeadBucketCommand, (i) => {
    const b = bucketFor(aws, i.Bucket, i.ExpectedBucketOwner, true);
    return { BucketRegion: b.region };
  });
  on(aws.s3, 's3', s3.CreateBucketCommand, async (i, getClient) => {
    const region = await getClient().config.region();
    const constraint = i.CreateBucketConfiguration?.LocationConstraint;
    // us-east-1 takes no LocationConstraint (naming it is InvalidLocationConstraint); every other region needs its own.
    if (region === 'us-east-1' && constraint)
      throw s3Error('InvalidLocationConstraint', 400, 'The specified location-constraint is not valid');
    if (region !== 'us-east-1' && constraint !== region)
      throw s3Error(
        'IllegalLocationConstraintException',
        400,
        constraint
          ? `The ${constraint} location constraint is incompatible for the region specific endpoint this request was sent to.`
          : 'The unspecified location constraint is incompatible for the region specific endpoint this request was sent to.',
      );
    const existing = aws.buckets.get(i.Bucket!);
    if (existing && existing.owner !== ACCOUNT)
      throw new s3.BucketAlreadyExists({
        message: 'The requested bucket name is not available. The bucket namespace is shared by all users of the system.',
        $metadata: { httpStatusCode: 409 },
      });
    // Ours already: BucketAlreadyOwnedByYou everywhere but us-east-1, which answers 200 for legacy reasons.
    if (existing && region !== 'us-east-1')
      throw new s3.BucketAlreadyOwnedByYou({
        message: 'Your previous request to create the named bucket succeeded and you already own it.',
        $metadata: { httpStatusCode: 409 },
      });
    if (!existing) {
      aws.buckets.set(i.Bucket!, {
        owner: ACCOUNT,
        region,
        encryption: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' }, BucketKeyEnabled: false }],
        publicAccessBlock: { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true },
      });
    }
    return { Location: region === 'us-east-1' ? `/${i.Bucket}` : `http://${i.Bucket}.s3.amazonaws.com/` };
  });
  // A bucket that was never versioned answers no Status at all.
  on(aws.s3, 's3', s3.GetBucketVersioningCommand, (i) => ({ Status: bucket(i).versioning }));
  on(aws.s3, 's3', s3.PutBucketVersioningCommand, (i) => {
    bucket(i).versioning = i.VersioningConfiguration!.Status as 'Enabled';
    return {};
  });
  on(aws.s3, 's3', s3.GetBucketEncryptionCommand, (i) => {
    const b = bucket(i);
    if (!b.encryption)
      throw s3Error('ServerSideEncryptionConfigurationNotFoundError', 404, 'The server side encryption configuration was not found');
    return { ServerSideEncryptionConfiguration: { Rules: b.encryption } };
  });
  on(aws.s3, 's3', s3.PutBucketEncryptionCommand, (i) => {
    bucket(i).encryption = i.ServerSideEncryptionConfiguration!.Rules;
    return {};
  });
  on(aws.s3, 's3', s3.GetPublicAccessBlockCommand, (i) => {
    const b = bucket(i);
    if (!b.publicAccessBlock)
      throw s3Error('NoSuchPublicAccessBlockConfiguration', 404, 'The public access block configuration was not found');
    return { PublicAccessBlockConfiguration: b.publicAccessBlock };
  });
  on(aws.s3, 's3', s3.PutPublicAccessBlockCommand, (i) => {
    bucket(i).publicAccessBlock = i.PublicAccessBlockConfiguration;
    return {};
  });
  on(aws.s3, 's3', s3.GetBucketPolicyCommand, (i) => {
    const b = bucket(i);
    if (!b.policy) throw s3Error('NoSuchBucketPolicy', 404, 'The bucket policy does not exist');
    return { Policy: b.policy };
  });
  on(aws.s3, 's3', s3.PutBucketPolicyCommand, (i) => {
    const b = bucket(i);
    JSON.parse(i.Policy!); // MalformedPolicy otherwise
    b.policy = i.Policy;
    return {};
  });
  on(aws.s3, 's3', s3.GetBucketLifecycleConfigurationCommand, (i) => {
    const b = bucket(i);
    if (!b.lifecycle?.length) throw s3Error('NoSuchLifecycleConfiguration', 404, 'The lifecycle configuration does not exist');
    return { Rules: b.lifecycle };
  });
  on(aws.s3, 's3', s3.PutBucketLifecycleConfigurationCommand, (i) => {
    const rules = i.LifecycleConfiguration?.Rules ?? [];
    // Each rule needs exactly one of Filter or Prefix, and rule IDs are unique (S3 API reference, LifecycleRule).
    if (rules.some((r) => !r.Filter && r.Prefix === undefined) || new Set(rules.map((r) => r.ID)).size !== rules.length)
      throw s3Error('MalformedXML', 400, 'The XML you provided was not well-formed or did not validate against our published schema');
    bucket(i).lifecycle = rules;
    return {};
  });

  // ---- ECR (API reference: ListImages lists one entry per tag, untagged images by digest; BatchDeleteImage takes
  //      1-100 image ids and reports per-image failures instead of failing the call)
  const repoExists = (name: string | undefined) => {
    if (!name || aws.missingRepositories.has(name))
      throw new RepositoryNotFoundException({
        message: `The repository with name '${name}' does not exist in the registry with id '${ACCOUNT}'`,
        $metadata: {},
      });
  };
  on(aws.ecr, 'ecr', ListImagesCommand, (i) => {
    repoExists(i.repositoryName);
    const ids: ImageIdentifier[] = aws
      .repositoryImages(i.repositoryName!)
      .flatMap((img) =>
        img.tags.length ? img.tags.map((t) => ({ imageDigest: img.digest, imageTag: t })) : [{ imageDigest: img.digest }],
      );
    const start = Number(i.nextToken ?? 0);
    const size = i.maxResults ?? 100;
    const page = ids.slice(start, start + size);
    return { imageIds: page, nextToken: start + size < ids.length ? String(start + size) : undefined };
  });
  on(aws.ecr, 'ecr', BatchDeleteImageCommand, (i) => {
    repoExists(i.repositoryName);
    const wanted = i.imageIds ?? [];
    if (wanted.length < 1 || wanted.length > 100)
      throw new InvalidParameterException({
        message:
          "1 validation error detected: Value at 'imageIds' failed to satisfy constraint: Member must have length less than or equal to 100",
        $metadata: {},
      });
    const present = new Set(aws.repositoryImages(i.repositoryName!).map((img) => img.digest));
    const deleted: ImageIdentifier[] = [];
    const failures: ImageFailure[] = [];
    for (const id of wanted) {
      const code = aws.imageDeleteFailures.get(id.imageDigest ?? '');
      if (!present.has(id.imageDigest ?? ''))
        failures.push({ imageId: id, failureCode: 'ImageNotFound', failureReason: 'Requested image not found' });
      else if (code)
        failures.push({
          imageId: id,
          failureCode: code as ImageFailure['failureCode'],
          failureReason: `${code}: the image cannot be deleted`,
        });
      else {
        if (!aws.ecrKeepsImages) aws.deletedDigests.add(id.imageDigest!);
        deleted.push(id);
      }
    }
    return { imageIds: deleted, failures };
  });

  // ---- RDS (API reference: ModifyDBInstance needs an available instance; DescribeDBSnapshots of an unknown id is
  //      DBSnapshotNotFoundFault)
  on(aws.rds, 'rds', ModifyDBInstanceCommand, (i) => {
    const id = i.DBInstanceIdentifier!;
    if (!aws.dbDeletionProtection.has(id))
      throw Object.assign(new Error(`DBInstance ${id} not found.`), { name: 'DBInstanceNotFoundFault' });
    if (aws.dbStatus !== 'available')
      throw new InvalidDBInstanceStateFault({ message: `Database instance is not in available state.`, $metadata: {} });
    if (i.DeletionProtection !== undefined) aws.dbDeletionProtection.set(id, i.DeletionProtection);
    aws.dbStatus = 'modifying';
    aws.dbNext = { status: 'available', afterDescribes: 1 };
    return {
      DBInstance: { DBInstanceIdentifier: id, DBInstanceStatus: 'modifying', DeletionProtection: aws.dbDeletionProtection.get(id) },
    };
  });
  on(aws.rds, 'rds', DescribeDBSnapshotsCommand, (i) => {
    if (!aws.dbSnapshots.has(i.DBSnapshotIdentifier ?? ''))
      throw new DBSnapshotNotFoundFault({ message: `DBSnapshot ${i.DBSnapshotIdentifier} not found.`, $metadata: {} });
    return { DBSnapshots: [{ DBSnapshotIdentifier: i.DBSnapshotIdentifier, Status: 'available' }] };
  });

  // ---- ELBv2 (API reference: ModifyLoadBalancerAttributes, attribute deletion_protection.enabled)
  on(aws.elbv2, 'elbv2', ModifyLoadBalancerAttributesCommand, (i) => {
    const arn = i.LoadBalancerArn!;
    if (!aws.lbDeletionProtection.has(arn))
      throw new LoadBalancerNotFoundException({ message: 'One or more load balancers not found', $metadata: {} });
    const v = i.Attributes?.find((a) => a.Key === 'deletion_protection.enabled')?.Value;
    if (v !== undefined) aws.lbDeletionProtection.set(arn, v === 'true');
    // access_logs.s3.enabled = false: the ALB stops delivering to its bucket.
    if (i.Attributes?.some((a) => a.Key === 'access_logs.s3.enabled' && a.Value === 'false'))
      for (const b of aws.buckets.values()) b.albStillLogs = false;
    return { Attributes: i.Attributes };
  });

  // ---- S3 objects (API reference: ListObjectVersions, up to 1000 a page with Next*Marker; DeleteObjects, up to 1000
  //      keys with VersionId, per-key Errors in the response)
  on(aws.s3, 's3', s3.ListObjectVersionsCommand, (i) => {
    const b = bucket(i);
    if (b.albStillLogs)
      (b.objects ??= []).push({
        Key: `library-prod/AWSLogs/${ACCOUNT}/late-${b.objects?.length ?? 0}.log.gz`,
        VersionId: `v${Date.now()}`,
      });
    const all = b.objects ?? [];
    const start = i.KeyMarker ? all.findIndex((o) => o.Key === i.KeyMarker && o.VersionId === i.VersionIdMarker) + 1 : 0;
    const page = all.slice(start, start + 1000);
    const last = page.at(-1);
    const truncated = start + 1000 < all.length;
    return {
      Versions: page.filter((o) => !o.deleteMarker).map((o) => ({ Key: o.Key, VersionId: o.VersionId })),
      DeleteMarkers: page.filter((o) => o.deleteMarker).map((o) => ({ Key: o.Key, VersionId: o.VersionId })),
      IsTruncated: truncated,
      NextKeyMarker: truncated ? last?.Key : undefined,
      NextVersionIdMarker: truncated ? last?.VersionId : undefined,
    };
  });
  on(aws.s3, 's3', s3.DeleteObjectsCommand, (i) => {
    const b = bucket(i);
    const gone = new Set((i.Delete?.Objects ?? []).map((o) => `${o.Key}@${o.VersionId}`));
    if (gone.size > 1000) throw s3Error('MalformedXML', 400, 'The XML you provided was not well-formed');
    b.objects = (b.objects ?? []).filter((o) => !gone.has(`${o.Key}@${o.VersionId}`));
    return { Deleted: [...gone].map((k) => ({ Key: k.split('@')[0] })) };
  });
}
