/**
 * `init --env <env>` end to end: the real program, the stateful fake terraform (test/bin/terraform), FakeAws with
 * the S3 state bucket, fake docker, and a repository root of its own (backend.hcl never lands in this repository).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { expectWith } from '../../test/support/expect-with.js';
import { ExitCode } from '../src/exit-codes.js';
import { ACCOUNT, FakeAws, REGION } from './fake-aws.js';
import { makeHarness, makeSetupRoot, startAlb, type Harness } from './harness.js';

let aws: FakeAws;
let alb: Awaited<ReturnType<typeof startAlb>>;
let root: string;

const BUCKET = `library-tfstate-${ACCOUNT}-${REGION}`;

beforeEach(async () => {
  aws = new FakeAws();
  // What ECS looks like right after the first apply: Terraform's placeholder revision, no task ever ran.
  aws.seedFreshApply();
  alb = await startAlb();
  root = makeSetupRoot();
});
afterEach(async () => {
  aws.restore();
  await alb.close();
});

const harness = (opts: Parameters<typeof makeHarness>[0] = {}) => makeHarness({ aws, setup: { root }, ...opts });
const init = (h: Harness, ...args: string[]) => h.run(['init', '--env', 'dev', '--set', `app_url=${alb.url}`, ...args]);
const s3Calls = () => aws.calls.filter((c) => c.client === 's3');
const tfSubcommands = (h: Harness) => h.terraformCalls().map((a) => a.filter((x) => !x.startsWith('-chdir='))[0]);

describe('init: a first run in an empty account', () => {
  it('creates the state bucket with every setting, writes backend.hcl, plans, applies, deploys and prints the URL', async () => {
    const h = harness();
    const code = await init(h, '--yes');
    expectWith(code, h.stderr() + h.stdout()).toBe(ExitCode.Ok);

    // the bucket: created in the env's region, then every setting put explicitly, each naming the owner
    const bucket = aws.buckets.get(BUCKET)!;
    expect(bucket).toMatchObject({ owner: ACCOUNT, region: REGION, versioning: 'Enabled' });
    expect(bucket.encryption).toEqual([{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }]);
    expect(bucket.publicAccessBlock).toEqual({
      BlockPublicAcls: true,
      IgnorePublicAcls: true,
      BlockPublicPolicy: true,
      RestrictPublicBuckets: true,
    });
    expect(JSON.parse(bucket.policy!).Statement).toEqual([
      {
        Sid: 'DenyInsecureTransport',
        Effect: 'Deny',
        Principal: '*',
        Action: 's3:*',
        Resource: [`arn:aws:s3:::${BUCKET}`, `arn:aws:s3:::${BUCKET}/*`],
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      },
    ]);
    expect(bucket.lifecycle).toEqual([expect.objectContaining({ Status: 'Enabled', NoncurrentVersionExpiration: { NoncurrentDays: 90 } })]);
    const create = s3Calls().find((c) => c.command === 'CreateBucket')!.input;
    expect(create).toMatchObject({ Bucket: BUCKET, CreateBucketConfiguration: { LocationConstraint: REGION } });
    expect(
      s3Calls()
        .filter((c) => c.command.startsWith('Put'))
        .every((c) => c.input.ExpectedBucketOwner === ACCOUNT),
    ).toBe(true);

    // backend.hcl in the env root, and terraform init with it
    const backend = readFileSync(join(root, 'terraform/envs/dev/backend.hcl'), 'utf8');
    expect(backend).toMatch(new RegExp(`^bucket\\s+= "${BUCKET}"`, 'm'));
    expect(backend).toMatch(/^key\s+= "library\/dev\/terraform.tfstate"/m);
    expect(backend).toMatch(new RegExp(`^region\\s+= "${REGION}"`, 'm'));
    expect(backend).toMatch(/^use_lockfile = true/m);
    expect(tfSubcommands(h)).toEqual(['version', 'init', 'plan', 'show', 'apply', 'output']);
    expect(h.terraformCalls()[1]).toEqual([
      `-chdir=${join(root, 'terraform/envs/dev')}`,
      'init',
      '-input=false',
      '-no-color',
      '-backend-config=backend.hcl',
    ]);

    // the plan's summary before apply, apply's own lines as progress
    const err = h.stderr();
    expect(err).toMatch(/terraform plan: Plan: \d+ to add, 0 to change, 0 to destroy\./);
    expect(err).toMatch(/\[1\/\d+\] module\.stack\.module\.kms\.aws_kms_key\.this: Creation complete after 1s/);
    expect(err.indexOf('Plan: ')).toBeLessThan(err.indexOf('Creation complete'));

    // the first deploy: both images pushed, migration run, both services updated
    expect(aws.mutatingCalls().filter((c) => c.command === 'UpdateService')).toHaveLength(2);
    expect(h.dockerCalls().filter((a) => a[0] === 'push')).toHaveLength(2);
    const out = h.stdout();
    expect(out).toMatch(/DEPLOYED — env dev/);
    expect(out).toMatch(/INIT dev \(exit 0\)/);
    expect(out).toContain(
      `state bucket  s3://${BUCKET} (${REGION}): created with versioning, encryption (SSE), public access blocked, TLS-only policy, noncurrent versions expire after 90 days`,
    );
    expect(out).toMatch(/terraform {5}applied \(\d+ to add, 0 to change, 0 to destroy\)/);
    expect(out).toContain(`app: ${alb.url}\nlogs: npm run deploy -- logs reader --follow --env dev`);
  });

  it('a re-run changes nothing and says so: bucket in place, backend.hcl unchanged, no plan changes, deploy no-change (exit 0)', async () => {
    const first = harness();
    expect(await init(first, '--yes')).toBe(ExitCode.Ok);
    const backend = readFileSync(join(root, 'terraform/envs/dev/backend.hcl'), 'utf8');
    const callsBefore = aws.calls.length;

    const again = harness();
    const code = await init(again, '--yes');
    expectWith(code, again.stderr() + again.stdout()).toBe(ExitCode.Ok);
    const calls = aws.calls.slice(callsBefore);
    // nothing written to S3, no apply, no new revision, no service update
    expect(calls.filter((c) => c.client === 's3' && !/^(Get|Head)/.test(c.command))).toEqual([]);
    expect(calls.filter((c) => ['RegisterTaskDefinition', 'UpdateService', 'RunTask'].includes(c.command))).toEqual([]);
    expect(tfSubcommands(again)).toEqual(['version', 'init', 'plan', 'show', 'output']);
    expect(readFileSync(join(root, 'terraform/envs/dev/backend.hcl'), 'utf8')).toBe(backend);
    expect(again.dockerCalls().filter((a) => a[0] !== 'info')).toEqual([]);
    expect(again.stderr()).toContain('no changes: the infrastructure matches the configuration; apply skipped');
    const out = again.stdout();
    expect(out).toContain('INIT dev — everything was in place; nothing changed (exit 0)');
    expect(out).toContain('in place, nothing to fix');
    expect(out).toContain('backend       terraform/envs/dev/backend.hcl: unchanged');
    expect(out).toContain('terraform     no changes, apply skipped');
    expect(out).toMatch(/deploy {8}no-change \(exit 0/);
  });
});

describe('init --json', () => {
  it('stdout is one JSON document: bucket, backend, plan, the deploy report, the URL; progress stays on stderr', async () => {
    const h = harness();
    expect(await init(h, '--yes', '--json')).toBe(ExitCode.Ok);
    const doc = JSON.parse(h.stdout());
    expect(doc).toMatchObject({
      command: 'init',
      env: 'dev',
      account: ACCOUNT,
      exitCode: 0,
      stateBucket: { bucket: BUCKET, created: true },
      backend: { path: 'terraform/envs/dev/backend.hcl', outcome: 'written', bucket: BUCKET },
      plan: { applied: true, destroy: 0 },
      deploy: { command: 'deploy', result: 'deployed', exitCode: 0 },
      appUrl: alb.url,
    });
    expect(h.stderr()).toMatch(/▶ terraform apply/);
  });
});

describe('init: confirmation before apply', () => {
  it('without a TTY and without --yes: exit 2 with the fix, after the plan was shown and before anything is applied', async () => {
    const h = harness();
    expect(await init(h)).toBe(ExitCode.Usage);
    expect(h.stderr()).toMatch(/terraform plan: Plan: \d+ to add/);
    expect(h.stderr()).toMatch(
      /✖ Apply this plan to dev \(account 123456789012, eu-west-1\)\? Plan: \d+ to add, 0 to change, 0 to destroy\. — refusing without a TTY\n {2}fix: pass --yes to apply without a prompt/,
    );
    expect(tfSubcommands(h)).not.toContain('apply');
    expect(aws.mutatingCalls()).toEqual([]);
  });

  it('prod: --yes alone is refused without a TTY (no --force): exit 2, nothing applied or deployed', async () => {
    const h = harness();
    expect(await h.run(['init', '--env', 'prod', '--yes'])).toBe(ExitCode.Usage);
    expect(h.stderr()).toMatch(
      /✖ Apply this plan to prod .* — refusing without a TTY\n {2}fix: production needs both --yes and --force to apply without a prompt/,
    );
    expect(tfSubcommands(h)).not.toContain('apply');
    expect(aws.mutatingCalls()).toEqual([]);
  });

  it('prod on a TTY asks even with --yes; answering no cancels (exit 2)', async () => {
    const stdin = Object.assign(new PassThrough(), { isTTY: true });
    const h = harness({ interactive: true, stdin });
    const run = h.run(['init', '--env', 'prod', '--yes', '--plain']);
    stdin.write('n\n'); // buffered until the prompt reads it
    expect(await run).toBe(ExitCode.Usage);
    expect(h.stderr()).toMatch(
      /Apply this plan to prod \(account 123456789012, eu-west-1\)\? Plan: \d+ to add, 0 to change, 0 to destroy\. \[y\/N\] /,
    );
    expect(h.stderr()).toContain('✖ cancelled');
    expect(tfSubcommands(h)).not.toContain('apply');
  });
});

describe('init: failures end in one line, a fix and the documented code', () => {
  it('terraform apply fails: exit 10 with terraform’s error line; what was created stays; no deploy', async () => {
    const h = harness({ env: { FAKE_TERRAFORM_APPLY_FAIL: 'aws_db_instance' } });
    const code = await init(h, '--yes');
    expectWith(code, h.stderr()).toBe(ExitCode.Terraform);
    expect(h.stderr()).toMatch(
      /✖ terraform apply failed: Error: creating RDS DB Instance \(library-dev-db\): operation error RDS: CreateDBInstance, .*InvalidParameterCombination: .*\n {2}fix: what was created so far stays in the state \(s3:\/\/library-tfstate-123456789012-eu-west-1\/library\/dev\/terraform.tfstate\); fix the cause above and run `npm run deploy -- init --env dev` again/,
    );
    expect(h.stderr()).not.toMatch(/\n\s+at /);
    expect(aws.mutatingCalls()).toEqual([]);

    // a re-run plans only what is missing
    const again = harness();
    expect(await init(again, '--yes')).toBe(ExitCode.Ok);
    expect(again.stderr()).toMatch(/terraform plan: Plan: (\d+) to add/);
    const first = Number(/terraform plan: Plan: (\d+) to add/.exec(h.stderr())![1]);
    const second = Number(/terraform plan: Plan: (\d+) to add/.exec(again.stderr())![1]);
    expect(second).toBeLessThan(first);
  });

  it.each([
    ['terraform', /✖ terraform is not installed \(or not on PATH\)\n {2}fix: install Terraform 1\.11\.0 or later/],
    ['docker', /✖ docker is not installed \(or not on PATH\)\n {2}fix: install Docker with buildx/],
  ] as const)('missing %s: exit 3, one line and the fix, nothing created', async (what, line) => {
    const h = harness({ missing: [what] });
    expect(await init(h, '--yes')).toBe(ExitCode.Preflight);
    expect(h.stderr()).toMatch(line);
    expect(s3Calls()).toEqual([]);
  });

  it('docker installed but not running: exit 3 with the daemon’s message', async () => {
    const h = harness({ dockerFail: 'info' });
    expect(await init(h, '--yes')).toBe(ExitCode.Preflight);
    expect(h.stderr()).toMatch(/✖ docker is not running or not reachable: .*Cannot connect to the Docker daemon.*\n {2}fix: start Docker/);
  });

  it('expired credentials: exit 3 with the fix; missing credentials too', async () => {
    aws.expiredCredentials = true;
    const h = harness();
    expect(await init(h, '--yes')).toBe(ExitCode.Preflight);
    expect(h.stderr()).toMatch(/✖ AWS credentials have expired \(ExpiredTokenException\)\n {2}fix: refresh them/);

    aws.sts
      .on(GetCallerIdentityCommand)
      .rejects(Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' }));
    const none = harness();
    expect(await init(none, '--yes')).toBe(ExitCode.Preflight);
    expect(none.stderr()).toMatch(/✖ no AWS credentials found\n {2}fix: set AWS_PROFILE/);
    expect(s3Calls()).toEqual([]);
  });

  it('every missing prerequisite is named, each with its fix, and a Terraform too old is one of them', async () => {
    aws.expiredCredentials = true;
    const h = harness({ missing: ['docker'], env: { FAKE_TERRAFORM_VERSION: '1.9.8' } });
    expect(await init(h, '--yes')).toBe(ExitCode.Preflight);
    const err = h.stderr();
    expect(err).toContain('✖ Prerequisites: terraform, docker, credentials: 3 problems, each below with its fix');
    expect(err).toMatch(/✖ Terraform 1\.9\.8 is older than 1\.11\.0, which the env roots require .*\n {2}fix: upgrade Terraform/);
    expect(err).toMatch(/✖ docker is not installed \(or not on PATH\)\n {2}fix: /);
    expect(err).toMatch(/✖ AWS credentials have expired \(ExpiredTokenException\)\n {2}fix: /);
  });

  it('a dirty tree is refused before anything is created (the first deploy tags the commit); --allow-dirty passes', async () => {
    const h = harness({ git: { isDirty: async () => true } });
    expect(await init(h, '--yes')).toBe(ExitCode.Preflight);
    expect(h.stderr()).toMatch(/✖ the working tree has uncommitted changes.*\n {2}fix: commit your changes, or pass --allow-dirty/);
    expect(s3Calls()).toEqual([]);
    const dirty = harness({ git: { isDirty: async () => true } });
    expectWith(await init(dirty, '--yes', '--allow-dirty'), dirty.stderr()).toBe(ExitCode.Ok);
    expect(dirty.dockerCalls().find((a) => a[0] === 'push')![1]).toMatch(
      /:3f9c2a1b7d4e5f60718293a4b5c6d7e8f9012345-dirty-20261127T120000Z$/,
    );
  });

  it('an unknown env is a usage error naming the envs there are', async () => {
    const h = harness();
    expect(await h.run(['init', '--env', 'staging', '--yes'])).toBe(ExitCode.Usage);
    expect(h.stderr()).toMatch(
      /✖ there is no Terraform root for env "staging" \(terraform\/envs\/staging\)\n {2}fix: name one of: dev, prod/,
    );
  });
});

describe('init: the state bucket as S3 answers', () => {
  it('a setting S3 denies names the setting and the IAM action to allow (exit 3); a bare 5xx says re-run (exit 1)', async () => {
    const { PutBucketPolicyCommand, HeadBucketCommand, S3ServiceException } = await import('@aws-sdk/client-s3');
    aws.s3
      .on(PutBucketPolicyCommand)
      .rejects(
        new S3ServiceException({ name: 'AccessDenied', $fault: 'client', message: 'Access Denied', $metadata: { httpStatusCode: 403 } }),
      );
    const h = harness();
    expect(await init(h, '--yes')).toBe(ExitCode.Preflight);
    expect(h.stderr()).toMatch(
      /✖ state bucket: setting TLS-only policy \(s3:PutBucketPolicy\) failed: access denied: Access Denied\n {2}fix: allow s3:PutBucketPolicy on the state bucket for whoever runs init, then re-run/,
    );
    expect(h.stderr()).not.toMatch(/\n\s+at /);

    aws.s3
      .on(HeadBucketCommand)
      .rejects(
        new S3ServiceException({ name: 'Unknown', $fault: 'server', message: '', $metadata: { httpStatusCode: 503, requestId: 'S3REQ9' } }),
      );
    const down = harness();
    expect(await init(down, '--yes')).toBe(ExitCode.Error);
    expect(down.stderr()).toMatch(
      /✖ AWS answered Unknown with no message \(HTTP 503, request id S3REQ9\)\n {2}fix: an AWS-side failure: re-run in a minute/,
    );
  });

  it('an existing bucket of ours: each setting checked, only the missing ones put, and named', async () => {
    aws.buckets.set(BUCKET, {
      owner: ACCOUNT,
      region: REGION,
      versioning: 'Suspended',
      encryption: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms' } }],
      publicAccessBlock: { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true },
      policy: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'Audit',
            Effect: 'Allow',
            Principal: { AWS: 'arn:aws:iam::123456789012:role/audit' },
            Action: 's3:GetObject',
            Resource: `arn:aws:s3:::${BUCKET}/*`,
          },
        ],
      }),
      lifecycle: [{ ID: 'logs', Status: 'Enabled', Filter: { Prefix: 'logs/' }, Expiration: { Days: 30 } }],
    });
    const h = harness();
    expect(await init(h, '--yes')).toBe(ExitCode.Ok);
    const puts = s3Calls()
      .filter((c) => !/^(Get|Head)/.test(c.command))
      .map((c) => c.command);
    expect(puts).toEqual(['PutBucketVersioning', 'PutBucketPolicy', 'PutBucketLifecycleConfiguration']);
    const b = aws.buckets.get(BUCKET)!;
    expect(b.versioning).toBe('Enabled');
    expect(b.encryption![0]!.ApplyServerSideEncryptionByDefault!.SSEAlgorithm).toBe('aws:kms'); // left as it was
    // the existing statement and rule are kept next to ours
    expect(JSON.parse(b.policy!).Statement.map((s: { Sid: string }) => s.Sid)).toEqual(['Audit', 'DenyInsecureTransport']);
    expect(b.lifecycle!.map((r) => r.ID)).toEqual(['logs', 'expire-noncurrent-state-versions']);
    expect(h.stderr()).toContain('state bucket: versioning was missing, now set');
    expect(h.stdout()).toContain('in place; set what was missing: versioning, TLS-only policy, noncurrent versions expire after 90 days');
  });

  it("another account's bucket under our name (HeadBucket 403): exit 3 with the fix, nothing written", async () => {
    aws.buckets.set(BUCKET, { owner: '999999999999', region: REGION });
    const h = harness();
    expect(await init(h, '--yes')).toBe(ExitCode.Preflight);
    expect(h.stderr()).toMatch(
      new RegExp(
        `✖ the state bucket ${BUCKET} exists but is not this account's \\(123456789012\\): S3 answers 403 Forbidden\\n {2}fix: name a bucket you own in terraform/envs/dev/backend.hcl`,
      ),
    );
    expect(s3Calls().map((c) => c.command)).toEqual(['HeadBucket']);
    expect(existsSync(join(root, 'terraform/envs/dev/backend.hcl'))).toBe(false);
  });

  it('the name taken between HeadBucket and CreateBucket (BucketAlreadyExists): exit 3 with the same fix', async () => {
    const h = harness();
    // HeadBucket says nobody has it; by CreateBucket someone else does
    const { HeadBucketCommand, NotFound } = await import('@aws-sdk/client-s3');
    aws.s3.on(HeadBucketCommand).callsFake(() => {
      aws.buckets.set(BUCKET, { owner: '999999999999', region: REGION });
      throw new NotFound({ message: 'NotFound', $metadata: { httpStatusCode: 404 } });
    });
    expect(await init(h, '--yes')).toBe(ExitCode.Preflight);
    expect(h.stderr()).toMatch(
      /✖ the state bucket .* exists but is not this account's \(123456789012\): S3 answers BucketAlreadyExists\n {2}fix: /,
    );
  });

  it('us-east-1: CreateBucket without a LocationConstraint (naming us-east-1 is InvalidLocationConstraint)', async () => {
    root = makeSetupRoot({ dev: 'aws_region = "us-east-1"\n' });
    const h = harness();
    expect(await init(h, '--yes')).toBe(ExitCode.Ok);
    const create = s3Calls().find((c) => c.command === 'CreateBucket')!.input;
    expect(create).not.toHaveProperty('CreateBucketConfiguration');
    expect(aws.buckets.get(`library-tfstate-${ACCOUNT}-us-east-1`)).toMatchObject({ region: 'us-east-1', versioning: 'Enabled' });
    expect(readFileSync(join(root, 'terraform/envs/dev/backend.hcl'), 'utf8')).toMatch(/^region\s+= "us-east-1"/m);
  });

  it('a project name that makes no valid bucket name: exit 2 before anything is created, unless backend.hcl names a bucket', async () => {
    root = makeSetupRoot({ dev: `project = "${'x'.repeat(40)}"\n` });
    const h = harness();
    expect(await init(h, '--yes')).toBe(ExitCode.Usage);
    expect(h.stderr()).toMatch(
      /✖ the state bucket name x{40}-tfstate-123456789012-eu-west-1 is 71 characters \(S3 allows 63\)\n {2}fix: shorten or fix `project`/,
    );
    expect(s3Calls()).toEqual([]);
    writeFileSync(join(root, 'terraform/envs/dev/backend.hcl'), `bucket = "mine"\nkey = "k"\nregion = "${REGION}"\nuse_lockfile = true\n`);
    const named = harness();
    expect(await init(named, '--yes')).toBe(ExitCode.Ok);
    expect(aws.buckets.get('mine')).toMatchObject({ owner: ACCOUNT, versioning: 'Enabled' });
  });

  it('a backend.hcl a person wrote is kept, and the bucket it names is the one checked', async () => {
    const mine = 'my-own-state-bucket';
    writeFileSync(
      join(root, 'terraform/envs/dev/backend.hcl'),
      `bucket = "${mine}"\nkey = "books/dev.tfstate"\nregion = "${REGION}"\nuse_lockfile = true\n`,
    );
    aws.buckets.set(mine, { owner: ACCOUNT, region: REGION });
    const h = harness();
    expect(await init(h, '--yes')).toBe(ExitCode.Ok);
    expect(aws.buckets.has(BUCKET)).toBe(false);
    expect(aws.buckets.get(mine)!.versioning).toBe('Enabled');
    expect(readFileSync(join(root, 'terraform/envs/dev/backend.hcl'), 'utf8')).toContain(`bucket = "${mine}"`);
    expect(h.stdout()).toContain('backend       terraform/envs/dev/backend.hcl: kept');
  });
});
