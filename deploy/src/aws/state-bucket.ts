/**
 * The S3 bucket that holds Terraform's state (admin only: `init`). Created if missing, never deleted; each
 * setting is checked and fixed on its own, so a re-run changes nothing and a half-configured bucket is completed.
 */
import {
  CreateBucketCommand,
  GetBucketEncryptionCommand,
  GetBucketLifecycleConfigurationCommand,
  GetBucketPolicyCommand,
  GetBucketVersioningCommand,
  GetPublicAccessBlockCommand,
  HeadBucketCommand,
  PutBucketEncryptionCommand,
  PutBucketLifecycleConfigurationCommand,
  PutBucketPolicyCommand,
  PutBucketVersioningCommand,
  PutPublicAccessBlockCommand,
  type LifecycleRule,
  type S3Client,
} from '@aws-sdk/client-s3';
import { CliError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';

/** Noncurrent state versions are kept this long, then expire (a state file history, not a backup forever). */
export const NONCURRENT_VERSION_DAYS = 90;
export const TLS_STATEMENT_SID = 'DenyInsecureTransport';
export const LIFECYCLE_RULE_ID = 'expire-noncurrent-state-versions';

interface AwsError {
  name?: string;
  $metadata?: { httpStatusCode?: number };
}
const status = (err: unknown) => (err as AwsError).$metadata?.httpStatusCode;
const named = (err: unknown, ...names: string[]) => names.includes((err as AwsError).name ?? '');

/**
 * `<project>-tfstate-<account>-<region>`: unique per account and region without asking anyone. S3 general purpose
 * bucket names (S3 User Guide, "Bucket naming rules"): 3-63 characters, lowercase letters, digits, hyphens and
 * dots, starting and ending with a letter or digit, not starting with `xn--`, `sthree-` or `amzn-s3-demo-`.
 */
export function stateBucketName(project: string, account: string, region: string): string {
  const name = `${project}-tfstate-${account}-${region}`;
  const problem =
    name.length > 63
      ? `is ${name.length} characters (S3 allows 63)`
      : !/^[a-z0-9][a-z0-9.-]*[a-z0-9]$/.test(name)
        ? 'may hold only lowercase letters, digits, hyphens and dots'
        : /^(xn--|sthree-|amzn-s3-demo-)/.test(name)
          ? 'starts with a prefix S3 reserves'
          : undefined;
  if (problem) {
    throw new CliError(
      `the state bucket name ${name} ${problem}`,
      ExitCode.Usage,
      'shorten or fix `project` in the env’s terraform.tfvars (2-16 lowercase letters, digits, hyphens), or name a bucket in backend.hcl',
    );
  }
  return name;
}

/** The statement that refuses every request not made over TLS (S3 User Guide, "Security best practices"). */
export function tlsOnlyStatement(bucketArn: string) {
  return {
    Sid: TLS_STATEMENT_SID,
    Effect: 'Deny',
    Principal: '*',
    Action: 's3:*',
    Resource: [bucketArn, `${bucketArn}/*`],
    Condition: { Bool: { 'aws:SecureTransport': 'false' } },
  };
}

interface PolicyStatement {
  Sid?: string;
  Effect?: string;
  Principal?: unknown;
  Action?: string | string[];
  Condition?: { Bool?: Record<string, unknown> };
}

/** Whether a policy already denies every non-TLS request, whoever wrote that statement. */
export function deniesInsecureTransport(policy: { Statement?: PolicyStatement[] | PolicyStatement }): boolean {
  const statements = Array.isArray(policy.Statement) ? policy.Statement : policy.Statement ? [policy.Statement] : [];
  return statements.some((s) => {
    const anyone = s.Principal === '*' || (s.Principal as { AWS?: unknown } | undefined)?.AWS === '*';
    const actions = Array.isArray(s.Action) ? s.Action : [s.Action];
    return s.Effect === 'Deny' && anyone && actions.includes('s3:*') && String(s.Condition?.Bool?.['aws:SecureTransport']) === 'false';
  });
}

/** The lifecycle rule: noncurrent versions expire, leftover delete markers and aborted uploads are cleaned up. */
export function lifecycleRule(): LifecycleRule {
  return {
    ID: LIFECYCLE_RULE_ID,
    Status: 'Enabled',
    Filter: { Prefix: '' },
    NoncurrentVersionExpiration: { NoncurrentDays: NONCURRENT_VERSION_DAYS },
    // Terraform's lock file (use_lockfile) is written and deleted on every run: in a versioned bucket each delete
    // leaves a delete marker, removed once its versions have expired.
    Expiration: { ExpiredObjectDeleteMarker: true },
    AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 },
  };
}

/** Whether some enabled rule for the whole bucket expires noncurrent versions. */
export function expiresNoncurrentVersions(rules: LifecycleRule[]): boolean {
  return rules.some(
    (r) =>
      r.Status === 'Enabled' &&
      (r.NoncurrentVersionExpiration?.NoncurrentDays ?? 0) > 0 &&
      !(r.Filter?.Prefix || r.Filter?.Tag || r.Filter?.And || r.Prefix),
  );
}

export type BucketState = { exists: false } | { exists: true; region?: string };

/**
 * Whether the bucket exists and is this account's. HeadBucket with ExpectedBucketOwner: 200 for ours; 404 (the
 * SDK names it NotFound) when nobody has it; 403 when another account owns it, or our credentials may not
 * s3:ListBucket it (S3 API reference, HeadBucket); 301 when it lives in another region.
 */
export async function probeBucket(s3: S3Client, bucket: string, account: string, bucketHint: string): Promise<BucketState> {
  try {
    const res = await s3.send(new HeadBucketCommand({ Bucket: bucket, ExpectedBucketOwner: account }));
    return { exists: true, region: res.BucketRegion };
  } catch (err) {
    if (named(err, 'NotFound', 'NoSuchBucket') || status(err) === 404) return { exists: false };
    if (status(err) === 403) throw notOurs(bucket, account, 'S3 answers 403 Forbidden', bucketHint);
    if (status(err) === 301) throw notOurs(bucket, account, 'it exists in another region', bucketHint);
    throw err;
  }
}

function notOurs(bucket: string, account: string, why: string, bucketHint: string): CliError {
  return new CliError(
    `the state bucket ${bucket} exists but is not this account's (${account}): ${why}`,
    ExitCode.Preflight,
    `name a bucket you own in ${bucketHint} (bucket = "…") and re-run init, which then uses it; if the bucket is yours, allow s3:ListBucket on it`,
  );
}

/**
 * CreateBucket in the client's region. us-east-1 takes no LocationConstraint, every other region its own (S3 API
 * reference, CreateBucket). BucketAlreadyOwnedByYou means ours already (a re-run racing itself, or a
 * HeadBucket denied); BucketAlreadyExists means another account took the name.
 */
export async function createBucket(
  s3: S3Client,
  bucket: string,
  region: string,
  account: string,
  bucketHint: string,
): Promise<'created' | 'ours'> {
  try {
    await s3.send(
      new CreateBucketCommand({
        Bucket: bucket,
        ...(region === 'us-east-1' ? {} : { CreateBucketConfiguration: { LocationConstraint: region as never } }),
        // New buckets disable ACLs by default (S3 User Guide, "Controlling ownership of objects"); said explicitly.
        ObjectOwnership: 'BucketOwnerEnforced',
      }),
    );
    return 'created';
  } catch (err) {
    if (named(err, 'BucketAlreadyOwnedByYou')) return 'ours';
    if (named(err, 'BucketAlreadyExists')) throw notOurs(bucket, account, 'S3 answers BucketAlreadyExists', bucketHint);
    throw err;
  }
}

/** One setting of the bucket: how to read whether it is in place, and how to put it there. */
export interface BucketSetting {
  name: string;
  /** The IAM actions reading and putting it need (for a denied call's fix). */
  read: string;
  write: string;
  inPlace(): Promise<boolean>;
  apply(): Promise<void>;
}

/** Every setting the state bucket must have; each get/put names ExpectedBucketOwner, so nothing lands elsewhere. */
export function bucketSettings(s3: S3Client, bucket: string, account: string, partition: string): BucketSetting[] {
  const owner = { Bucket: bucket, ExpectedBucketOwner: account };
  const absent = async <T>(call: Promise<T>, ...missing: string[]): Promise<T | undefined> => {
    try {
      return await call;
    } catch (err) {
      if (named(err, ...missing)) return undefined;
      throw err;
    }
  };
  const arn = `arn:${partition}:s3:::${bucket}`;
  return [
    {
      name: 'versioning',
      read: 's3:GetBucketVersioning',
      write: 's3:PutBucketVersioning',
      // A bucket that was never versioned answers no Status; Suspended keeps old versions but makes no new ones.
      inPlace: async () => (await s3.send(new GetBucketVersioningCommand(owner))).Status === 'Enabled',
      apply: async () => void (await s3.send(new PutBucketVersioningCommand({ ...owner, VersioningConfiguration: { Status: 'Enabled' } }))),
    },
    {
      name: 'encryption (SSE)',
      read: 's3:GetEncryptionConfiguration',
      write: 's3:PutEncryptionConfiguration',
      // Every bucket has SSE-S3 by default since January 2023 (S3 User Guide, "Default encryption FAQ"); older
      // API answers name a bucket without it ServerSideEncryptionConfigurationNotFoundError.
      inPlace: async () => {
        const res = await absent(s3.send(new GetBucketEncryptionCommand(owner)), 'ServerSideEncryptionConfigurationNotFoundError');
        return !!res?.ServerSideEncryptionConfiguration?.Rules?.some((r) =>
          ['AES256', 'aws:kms', 'aws:kms:dsse'].includes(r.ApplyServerSideEncryptionByDefault?.SSEAlgorithm ?? ''),
        );
      },
      apply: async () =>
        void (await s3.send(
          new PutBucketEncryptionCommand({
            ...owner,
            ServerSideEncryptionConfiguration: { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
          }),
        )),
    },
    {
      name: 'public access blocked',
      read: 's3:GetBucketPublicAccessBlock',
      write: 's3:PutBucketPublicAccessBlock',
      inPlace: async () => {
        const res = await absent(s3.send(new GetPublicAccessBlockCommand(owner)), 'NoSuchPublicAccessBlockConfiguration');
        const c = res?.PublicAccessBlockConfiguration;
        return !!(c?.BlockPublicAcls && c.IgnorePublicAcls && c.BlockPublicPolicy && c.RestrictPublicBuckets);
      },
      apply: async () =>
        void (await s3.send(
          new PutPublicAccessBlockCommand({
            ...owner,
            PublicAccessBlockConfiguration: {
              BlockPublicAcls: true,
              IgnorePublicAcls: true,
              BlockPublicPolicy: true,
              RestrictPublicBuckets: true,
            },
          }),
        )),
    },
    {
      name: 'TLS-only policy',
      read: 's3:GetBucketPolicy',
      write: 's3:PutBucketPolicy',
      inPlace: async () => {
        const res = await absent(s3.send(new GetBucketPolicyCommand(owner)), 'NoSuchBucketPolicy');
        return !!res?.Policy && deniesInsecureTransport(JSON.parse(res.Policy) as never);
      },
      // Added next to whatever statements the policy has (PutBucketPolicy replaces the whole document).
      apply: async () => {
        const res = await absent(s3.send(new GetBucketPolicyCommand(owner)), 'NoSuchBucketPolicy');
        const policy = res?.Policy ? (JSON.parse(res.Policy) as { Version?: string; Statement?: PolicyStatement[] | PolicyStatement }) : {};
        const others = (Array.isArray(policy.Statement) ? policy.Statement : policy.Statement ? [policy.Statement] : []).filter(
          (s) => s.Sid !== TLS_STATEMENT_SID,
        );
        const doc = { ...policy, Version: policy.Version ?? '2012-10-17', Statement: [...others, tlsOnlyStatement(arn)] };
        await s3.send(new PutBucketPolicyCommand({ ...owner, Policy: JSON.stringify(doc) }));
      },
    },
    {
      name: `noncurrent versions expire after ${NONCURRENT_VERSION_DAYS} days`,
      read: 's3:GetLifecycleConfiguration',
      write: 's3:PutLifecycleConfiguration',
      inPlace: async () => {
        const res = await absent(s3.send(new GetBucketLifecycleConfigurationCommand(owner)), 'NoSuchLifecycleConfiguration');
        return expiresNoncurrentVersions(res?.Rules ?? []);
      },
      // PutBucketLifecycleConfiguration replaces every rule: keep the others.
      apply: async () => {
        const res = await absent(s3.send(new GetBucketLifecycleConfigurationCommand(owner)), 'NoSuchLifecycleConfiguration');
        const others = (res?.Rules ?? []).filter((r) => r.ID !== LIFECYCLE_RULE_ID);
        await s3.send(
          new PutBucketLifecycleConfigurationCommand({ ...owner, LifecycleConfiguration: { Rules: [...others, lifecycleRule()] } }),
        );
      },
    },
  ];
}
