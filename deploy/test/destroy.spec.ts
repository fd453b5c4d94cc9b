/**
 * `destroy --env <env>` end to end, with the same fakes as init: the fake terraform refuses what AWS refuses
 * (a repository with images that is not force_delete, deletion protection, a taken final snapshot name), reading
 * what AWS holds from FakeAws.
 */
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { expectWith } from '../../test/support/expect-with.js';
import { ExitCode } from '../src/exit-codes.js';
import { ACCOUNT, FakeAws, REGION } from './fake-aws.js';
import { applyEnv, makeHarness, makeSetupRoot, startAlb, type Harness } from './harness.js';

let aws: FakeAws;
let root: string;
const BUCKET = `library-tfstate-${ACCOUNT}-${REGION}`;
const PROD_LOGS = 'library-prod-alb-logs-20261201000000000000000001';
const PROD_ALB = `arn:aws:elasticloadbalancing:${REGION}:${ACCOUNT}:loadbalancer/app/library-prod/50dc6c495c0c9188`;

beforeEach(() => {
  aws = new FakeAws();
  root = makeSetupRoot();
});
afterEach(() => aws.restore());

const harness = (opts: Parameters<typeof makeHarness>[0] = {}) => makeHarness({ aws, setup: { root }, ...opts });
const tfSubcommands = (h: Harness) => h.terraformCalls().map((a) => a.filter((x) => !x.startsWith('-chdir='))[0]);
const image = (n: number) => ({ digest: `sha256:${String(n).repeat(64).slice(0, 64)}`, tags: [`c0mm1t${n}`] });

/** prod as it runs: images in both repositories, RDS and the ALB protected, the access-log bucket in place. */
function seedProd(): void {
  applyEnv(root, 'prod');
  aws.buckets.set(BUCKET, { owner: ACCOUNT, region: REGION });
  // The ALB's access-log bucket, versioned and empty (a test fills it).
  aws.buckets.set(PROD_LOGS, { owner: ACCOUNT, region: REGION, versioning: 'Enabled', objects: [] });
  aws.ecrImages.set('library/reader', [image(1), image(2), image(3)]);
  aws.ecrImages.set('library/writer', [image(4), image(5)]);
  aws.dbDeletionProtection.set('library-prod-db', true);
  aws.lbDeletionProtection.set(PROD_ALB, true);
}

describe('destroy: dev', () => {
  it('after init: names what goes, destroys it, keeps the state bucket and says so', async () => {
    aws.seedFreshApply();
    const alb = await startAlb();
    expect(await harness().run(['init', '--env', 'dev', '--yes', '--set', `app_url=${alb.url}`])).toBe(ExitCode.Ok);
    await alb.close();
    const h = harness();
    const code = await h.run(['destroy', '--env', 'dev', '--yes']);
    expectWith(code, h.stderr()).toBe(ExitCode.Ok);
    const err = h.stderr();
    expect(err).toMatch(/Destroy env dev: account 123456789012, eu-west-1 \(as arn:aws:sts::123456789012:assumed-role\/deployer\/alice\)/);
    expect(err).toMatch(/ {2}(\d+) resources \(terraform plan -destroy: Plan: 0 to add, 0 to change, \1 to destroy\.\)/);
    // the images init pushed, deleted with their repositories (dev's are force_delete): nothing to clear first
    expect(err).toContain('  ECR library/reader: 1 image(s), deleted with the repository (force_delete)');
    expect(err).toContain('  RDS library-dev-db: no final snapshot (skip_final_snapshot): its data is gone');
    expect(err).toContain(`  kept: the state bucket s3://${BUCKET} and terraform/envs/dev/backend.hcl (deploy never deletes them)`);
    expect(aws.calls.filter((c) => ['BatchDeleteImage', 'ModifyDBInstance', 'ModifyLoadBalancerAttributes'].includes(c.command))).toEqual(
      [],
    );
    expect(tfSubcommands(h)).toEqual(['version', 'init', 'plan', 'show', 'apply']);
    expect(h.terraformCalls()[2]).toContain('-destroy');
    expect(err).toMatch(/\[\d+\/\d+\] module\.stack\.module\.monitoring\.aws_sns_topic\.alerts: Destruction complete/);
    expect(h.stdout()).toMatch(/^DESTROYED — env dev, \d+ resources \(exit 0\)\nkept: the state bucket/);
    expect(aws.buckets.has(BUCKET)).toBe(true);
    expect(
      aws.calls.filter((c) => c.client === 's3' && !/^(Get|Head)/.test(c.command) && c.command !== 'CreateBucket').map((c) => c.command),
    ).not.toContain('DeleteBucket');

    // and again: nothing left
    const again = harness();
    expect(await again.run(['destroy', '--env', 'dev', '--yes'])).toBe(ExitCode.Ok);
    expect(again.stdout()).toContain('NOTHING TO DESTROY — env dev (exit 0)');
  });

  it('without --yes and without a TTY: exit 2 after showing what would go; nothing deleted', async () => {
    applyEnv(root, 'dev');
    const h = harness();
    expect(await h.run(['destroy', '--env', 'dev'])).toBe(ExitCode.Usage);
    expect(h.stderr()).toMatch(/Destroy env dev: account/);
    expect(h.stderr()).toMatch(
      /✖ Destroy dev \(\d+ resources in account 123456789012\)\? — refusing without a TTY\n {2}fix: pass --yes to destroy without a prompt/,
    );
    expect(tfSubcommands(h)).not.toContain('apply');
  });

  it('ECR denying ListImages: one line and the fix, exit 3, nothing destroyed', async () => {
    applyEnv(root, 'dev');
    const { ListImagesCommand, ECRServiceException } = await import('@aws-sdk/client-ecr');
    aws.ecr.on(ListImagesCommand).rejects(
      new ECRServiceException({
        name: 'AccessDeniedException',
        $fault: 'client',
        message: 'User: admin is not authorized to perform: ecr:ListImages',
        $metadata: {},
      }),
    );
    const h = harness();
    expect(await h.run(['destroy', '--env', 'dev', '--yes'])).toBe(ExitCode.Preflight);
    expect(h.stderr()).toMatch(/✖ access denied: User: admin is not authorized to perform: ecr:ListImages\n {2}fix: /);
    expect(h.stderr()).not.toMatch(/\n\s+at /);
    expect(tfSubcommands(h)).not.toContain('apply');
  });

  it('no backend.hcl: nothing to destroy from here, exit 3 with the fix', async () => {
    const h = harness();
    expect(await h.run(['destroy', '--env', 'dev', '--yes'])).toBe(ExitCode.Preflight);
    expect(h.stderr()).toMatch(
      /✖ terraform\/envs\/dev\/backend.hcl does not exist: there is no state of env dev to destroy from here\n {2}fix: /,
    );
  });
});

describe('destroy: production', () => {
  it.each([[['--yes']], [['--destroy-production']], [[]]])(
    'refused without both --destroy-production and --yes (%j): exit 2, nothing read',
    async (flags) => {
      seedProd();
      const h = harness();
      expect(await h.run(['destroy', '--env', 'prod', ...flags])).toBe(ExitCode.Usage);
      expect(h.stderr()).toMatch(
        /✖ refusing to destroy prod: it is production \(terraform\/envs\/prod\/main.tf\)\n {2}fix: if you really mean to delete production, pass --destroy-production --yes/,
      );
      expect(h.terraformCalls()).toEqual([]);
      expect(aws.calls).toEqual([]);
    },
  );

  it('blocked by images, then handled: with the images left in place terraform fails as AWS does; destroy deletes them first', async () => {
    seedProd();
    // 1. Images come back as fast as they are deleted (another pipeline pushing): terraform destroy hits
    //    RepositoryNotEmptyException, exit 10 with Terraform's line; the rest of prod is destroyed.
    aws.ecrKeepsImages = true;
    const blocked = harness();
    expect(await blocked.run(['destroy', '--env', 'prod', '--destroy-production', '--yes'])).toBe(ExitCode.Terraform);
    expect(blocked.stderr()).toMatch(
      /✖ terraform apply failed: Error: ECR Repository \(library\/(reader|writer)\) not empty, consider using force_delete: .*RepositoryNotEmptyException: .*\n {2}fix: what could not be deleted is still in the state; fix the cause above and run `npm run deploy -- destroy --env prod` again \(already done: .*deletion protection off on RDS library-prod-db; deletion protection off on ALB library-prod\)/,
    );
    expect(blocked.stderr()).not.toMatch(/\n\s+at /);

    // 2. The images stay deleted: the repositories go too; what was already cleared is not cleared again.
    aws.ecrKeepsImages = false;
    const before = aws.calls.length;
    const h = harness();
    const code = await h.run(['destroy', '--env', 'prod', '--destroy-production', '--yes']);
    expectWith(code, h.stderr()).toBe(ExitCode.Ok);
    expect(h.stderr()).toContain(
      '  ECR library/reader: 3 image(s) — the repository is not force_delete: its images are deleted first (BatchDeleteImage)',
    );
    const deletes = aws.calls
      .slice(before)
      .filter((c) => c.command === 'BatchDeleteImage')
      .map((c) => [c.input.repositoryName, (c.input.imageIds as unknown[]).length]);
    expect(deletes).toEqual([
      ['library/reader', 3],
      ['library/writer', 2],
    ]);
    expect(aws.repositoryImages('library/reader')).toEqual([]);
    expect(aws.calls.slice(before).filter((c) => c.command === 'ModifyDBInstance')).toEqual([]);
    expect(h.stdout()).toMatch(
      /DESTROYED — env prod, 2 resources \(exit 0\)\nfirst: deleted 3 image\(s\) of library\/reader\nfirst: deleted 2 image\(s\) of library\/writer/,
    );
  });

  it('everything in the way at once: images deleted, RDS and ALB protection turned off, the final snapshot kept and named', async () => {
    seedProd();
    const h = harness();
    const code = await h.run(['destroy', '--env', 'prod', '--destroy-production', '--yes']);
    expectWith(code, h.stderr()).toBe(ExitCode.Ok);
    const err = h.stderr();
    expect(err).toContain('  RDS library-prod-db: deletion protection is turned off first; a final snapshot library-prod-db-final is kept');
    expect(err).toContain('  ALB library-prod: deletion protection is turned off first');
    // the order that lets terraform through: images, then protection, then the destroy plan
    const names = aws.commandNames();
    expect(names.indexOf('BatchDeleteImage')).toBeLessThan(names.indexOf('ModifyDBInstance'));
    expect(aws.calls.find((c) => c.command === 'ModifyDBInstance')!.input).toEqual({
      DBInstanceIdentifier: 'library-prod-db',
      DeletionProtection: false,
      ApplyImmediately: true,
    });
    expect(aws.calls.find((c) => c.command === 'ModifyLoadBalancerAttributes')!.input).toEqual({
      LoadBalancerArn: PROD_ALB,
      Attributes: [{ Key: 'deletion_protection.enabled', Value: 'false' }],
    });
    expect(aws.calls.find((c) => c.command === 'DescribeDBSnapshots')!.input).toEqual({ DBSnapshotIdentifier: 'library-prod-db-final' });
    expect(h.stdout()).toContain('final snapshot kept: library-prod-db-final');
    expect(h.stdout()).toContain('first: deletion protection off on RDS library-prod-db');
  });

  it("the ALB's access-log bucket (not force_destroy in prod) is emptied of every version first, and the user is told", async () => {
    seedProd();
    const logs = PROD_LOGS;
    const objects = Array.from({ length: 1203 }, (_, n) => ({ Key: `library-prod/AWSLogs/${ACCOUNT}/f${n}.log.gz`, VersionId: `v${n}` }));
    aws.buckets.set(logs, {
      owner: ACCOUNT,
      region: REGION,
      versioning: 'Enabled',
      objects: [...objects, { Key: objects[0]!.Key, VersionId: 'dm1', deleteMarker: true }],
      albStillLogs: true,
    });
    const h = harness();
    const code = await h.run(['destroy', '--env', 'prod', '--destroy-production', '--yes']);
    expectWith(code, h.stderr()).toBe(ExitCode.Ok);
    expect(h.stderr()).toMatch(
      new RegExp(
        `  S3 ${logs}: 12\\d\\d object version\\(s\\) \\(ALB access logs\\) — the bucket is not force_destroy: the ALB stops logging and every version is deleted first`,
      ),
    );
    expect(aws.buckets.get(logs)!.objects).toEqual([]);
    // The ALB stopped logging before the bucket was emptied; DeleteObjects took at most 1000 versions a call.
    const cmds = aws.commandNames();
    const stopLogging = aws.calls.findIndex(
      (c) => c.command === 'ModifyLoadBalancerAttributes' && JSON.stringify(c.input.Attributes).includes('access_logs.s3.enabled'),
    );
    expect(stopLogging).toBeGreaterThan(-1);
    expect(stopLogging).toBeLessThan(cmds.lastIndexOf('DeleteObjects'));
    const batches = aws.calls
      .filter((c) => c.command === 'DeleteObjects')
      .map((c) => (c.input.Delete as { Objects: unknown[] }).Objects.length);
    expect(Math.max(...batches)).toBeLessThanOrEqual(1000);
    expect(h.stdout()).toMatch(new RegExp(`first: emptied s3://${logs} \\(12\\d\\d object version\\(s\\) of ALB access logs\\)`));
    expect(h.stdout()).toContain('DESTROYED — env prod');
  });

  it('a final snapshot name already taken: exit 3 before anything is changed, with the fix', async () => {
    seedProd();
    aws.dbSnapshots.add('library-prod-db-final');
    const h = harness();
    expect(await h.run(['destroy', '--env', 'prod', '--destroy-production', '--yes'])).toBe(ExitCode.Preflight);
    expect(h.stderr()).toMatch(
      /✖ RDS keeps a final snapshot library-prod-db-final of library-prod-db when it is deleted, but a snapshot of that name already exists\n {2}fix: keep the old one under another name/,
    );
    expect(aws.calls.filter((c) => ['BatchDeleteImage', 'ModifyDBInstance', 'ModifyLoadBalancerAttributes'].includes(c.command))).toEqual(
      [],
    );
    expect(tfSubcommands(h)).not.toContain('apply');
  });

  it('an image ECR will not delete: one line with the image and the fix; nothing destroyed', async () => {
    seedProd();
    aws.imageDeleteFailures.set(image(2).digest, 'ImageReferencedByManifestList');
    const h = harness();
    expect(await h.run(['destroy', '--env', 'prod', '--destroy-production', '--yes'])).toBe(ExitCode.Preflight);
    expect(h.stderr()).toMatch(
      /✖ 1 image\(s\) of library\/reader could not be deleted \(ImageReferencedByManifestList: .*\)\n {2}fix: delete them by hand \(aws ecr batch-delete-image --repository-name library\/reader --image-ids imageDigest=sha256:2{64}\).*Nothing was destroyed/,
    );
    expect(tfSubcommands(h)).not.toContain('apply');
  });
});
