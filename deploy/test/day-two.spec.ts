import { PassThrough } from 'node:stream';
import { StartDBInstanceCommand } from '@aws-sdk/client-rds';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { expectWith } from '../../test/support/expect-with.js';
import { ExitCode } from '../src/exit-codes.js';
import { FakeAws, MIGRATE_FAMILY, REPO, SERVICE, TG, fakeDigest, tdArn, OLD_DIGEST } from './fake-aws.js';
import { COMMIT, FIXTURE, makeHarness, type Harness } from './harness.js';

let aws: FakeAws;
beforeEach(() => {
  aws = new FakeAws();
});
afterEach(() => aws.restore());

const cli = (h: Harness, ...args: string[]) => h.run([...args, '--targets', FIXTURE]);

describe('status', () => {
  it('shows revision, commit, digest, counts, deployments, targets, alarms, events and the app URL; exit 0 when healthy', async () => {
    aws.targetHealth[TG.reader] = [
      { Target: { Id: '10.0.1.21', Port: 8000 }, TargetHealth: { State: 'healthy' } },
      { Target: { Id: '10.0.1.22', Port: 8000 }, TargetHealth: { State: 'healthy' } },
    ];
    aws.alarms = [{ AlarmName: 'library-dev-reader-5xx', StateValue: 'OK', StateReason: 'Threshold Crossed: no datapoints' }];
    const h = makeHarness({ aws });
    expect(await cli(h, 'status')).toBe(ExitCode.Ok);
    const out = h.stdout();
    expect(out).toContain('env dev · cluster library-dev · http://library-dev-alb-123.eu-west-1.elb.amazonaws.com · HEALTHY');
    expect(out).toMatch(/reader \(library-dev-reader\) — healthy/);
    expect(out).toMatch(
      /revision {3}library-dev-reader:7 {2}commit 0ld0ld0ld0ld {2}digest [0-9a-f]{12} {2}by deployer\/alice at 2026-11-26T09:00:00.000Z/,
    );
    expect(out).toContain('tasks      2 running / 0 pending / 2 desired');
    expect(out).toMatch(/PRIMARY +ecs-svc\/1007 {2}library-dev-reader:7 {2}COMPLETED {2}2\/2/);
    expect(out).toContain('✔ 10.0.1.21:8000  healthy');
    expect(out).toContain('✔ library-dev-reader-5xx  OK');
    expect(out).toContain('has reached a steady state.');
  });

  it('exits non-zero on an unhealthy target, naming the reason', async () => {
    aws.targetHealth[TG.writer] = [
      {
        Target: { Id: '10.0.1.31', Port: 8000 },
        TargetHealth: { State: 'unhealthy', Reason: 'Target.Timeout', Description: 'Request timed out' },
      },
    ];
    const h = makeHarness({ aws });
    expect(await cli(h, 'status')).toBe(ExitCode.Unhealthy);
    expect(h.stdout()).toContain('✖ 10.0.1.31:8000  unhealthy  Target.Timeout — Request timed out');
    expect(h.stdout()).toMatch(/writer \(library-dev-writer\) — UNHEALTHY/);
    expect(h.stdout()).toContain('✖ 1 unhealthy target(s): 10.0.1.31:8000 Target.Timeout');
  });

  it('exits non-zero when an alarm of the service is in ALARM (matched by dimension)', async () => {
    aws.alarms = [
      {
        AlarmName: 'alb-5xx-writer',
        StateValue: 'ALARM',
        StateReason: 'Threshold Crossed: 1 datapoint [12.0] was greater than 5.0',
        Dimensions: [{ Name: 'TargetGroup', Value: 'targetgroup/library-dev-writer/bbb' }],
      } as never,
    ];
    const h = makeHarness({ aws });
    expect(await cli(h, 'status', '--json')).toBe(ExitCode.Unhealthy);
    const doc = JSON.parse(h.stdout());
    expect(doc.healthy).toBe(false);
    expect(doc.services[1].alarms).toEqual([
      { name: 'alb-5xx-writer', state: 'ALARM', reason: expect.stringContaining('Threshold Crossed') },
    ]);
    expect(doc.services[1].problems).toContain('alarm alb-5xx-writer is in ALARM');
    expect(doc.services[0].healthy).toBe(true);
  });

  it('--json carries the same facts', async () => {
    const h = makeHarness({ aws });
    expect(await cli(h, 'status', '--json', '--service', 'writer')).toBe(ExitCode.Ok);
    const doc = JSON.parse(h.stdout());
    expect(doc).toMatchObject({
      command: 'status',
      env: 'dev',
      cluster: 'library-dev',
      healthy: true,
      appUrl: expect.stringContaining('elb.amazonaws.com'),
    });
    expect(doc.services[0]).toMatchObject({
      service: 'writer',
      taskDefinition: tdArn(SERVICE.writer, 12),
      provenance: { commit: '0ld0ld0ld0ld0ld0ld0ld0ld0ld0ld0ld0ld0ld0', digest: OLD_DIGEST.writer },
      running: 2,
      pending: 0,
      desired: 2,
      deployments: [{ status: 'PRIMARY', rolloutState: 'COMPLETED' }],
    });
  });

  it('exits non-zero when fewer tasks run than desired, or a deployment FAILED', async () => {
    aws.service('reader').deployments[0]!.runningCount = 1;
    const h = makeHarness({ aws });
    expect(await cli(h, 'status', '--service', 'reader')).toBe(ExitCode.Unhealthy);
    expect(h.stdout()).toContain('✖ 1/2 tasks running');
  });
});

describe('history', () => {
  it('lists revisions newest first with commit, digest, actor and time from the deploy tags', async () => {
    aws.seedHistory();
    const h = makeHarness({ aws });
    expect(await cli(h, 'history', 'reader')).toBe(ExitCode.Ok);
    const rows = h.stdout().trimEnd().split('\n');
    expect(rows[0]).toMatch(/^\s+revision\s+commit\s+digest\s+actor\s+time$/);
    expect(rows[2]).toMatch(/^▶ {2}library-dev-reader:7 {2}0ld0ld0ld0ld\s+[0-9a-f]{12}\s+deployer\/alice\s+2026-11-26T09:00:00.000Z$/);
    expect(rows[3]).toMatch(/library-dev-reader:6 {2}b2c3d4e5f607\s+[0-9a-f]{12}\s+deployer\/bob\s+2026-11-24T15:30:00.000Z/);
    expect(rows[5]).toMatch(/library-dev-reader:1 {2}— \(not deployed by the CLI\)/);
  });

  it('--json', async () => {
    aws.seedHistory();
    const h = makeHarness({ aws });
    await cli(h, 'history', 'reader', '--json', '--limit', '2');
    const doc = JSON.parse(h.stdout());
    expect(doc.revisions.map((r: { revision: number }) => r.revision)).toEqual([7, 6]);
    expect(doc.revisions[0]).toMatchObject({
      running: true,
      commit: '0ld0ld0ld0ld0ld0ld0ld0ld0ld0ld0ld0ld0ld0',
      actor: expect.stringContaining('alice'),
    });
  });
});

describe('rollback', () => {
  it('goes back to the previous revision without building, following the deployment', async () => {
    aws.seedHistory();
    const h = makeHarness({ aws });
    expect(await cli(h, 'rollback', 'reader')).toBe(ExitCode.Ok);
    expect(h.dockerCalls()).toEqual([]);
    expect(aws.mutatingCalls().map((c) => [c.command, c.input.taskDefinition])).toEqual([['UpdateService', tdArn(SERVICE.reader, 6)]]);
    expect(aws.service('reader').taskDefinition).toBe(tdArn(SERVICE.reader, 6));
    expect(h.stdout()).toMatch(/reader\s+library-dev-reader:7\s+library-dev-reader:6\s+b2c3d4e5f607\s+[0-9a-f]{12}\s+completed/);
  });

  it('never picks a revision Terraform registered (placeholder image, never deployed) as the default target', async () => {
    aws.seedHistory();
    // Terraform registered reader:8 (new settings) after the CLI deployed :7; the CLI then deployed :9
    const tf = aws.terraformRegisters(SERVICE.reader, (td) => (td.memory = '1024'));
    expect(tf).toBe(tdArn(SERVICE.reader, 8));
    const h = makeHarness({ aws });
    expect(
      await h.run([
        'deploy',
        '--service',
        'reader',
        '--no-smoke',
        '--targets',
        FIXTURE,
        '--set',
        `services.reader.task_definition_arn=${tf}`,
      ]),
    ).toBe(ExitCode.Ok);
    expect(aws.service('reader').taskDefinition).toBe(tdArn(SERVICE.reader, 9));
    const r = makeHarness({ aws });
    expect(await cli(r, 'rollback', 'reader')).toBe(ExitCode.Ok);
    expect(aws.service('reader').taskDefinition).toBe(tdArn(SERVICE.reader, 7));
  });

  it('--to <commit> picks the revision carrying that commit', async () => {
    aws.seedHistory();
    const h = makeHarness({ aws });
    expect(await cli(h, 'rollback', 'reader', '--to', 'a1b2c3d')).toBe(ExitCode.Ok);
    expect(aws.service('reader').taskDefinition).toBe(tdArn(SERVICE.reader, 5));
  });

  it('--to <revision> works too', async () => {
    aws.seedHistory();
    const h = makeHarness({ aws });
    expect(await cli(h, 'rollback', 'reader', '--to', '1')).toBe(ExitCode.Ok);
    expect(aws.service('reader').taskDefinition).toBe(tdArn(SERVICE.reader, 1));
  });

  it('a commit that has no revision is a clear error and changes nothing', async () => {
    aws.seedHistory();
    const h = makeHarness({ aws });
    expect(await cli(h, 'rollback', 'reader', '--to', 'deadbeef')).toBe(ExitCode.Preflight);
    expect(h.stderr()).toContain('✖ no revision of library-dev-reader carries commit deadbeef');
    expect(h.stderr()).toMatch(/fix: that commit was never deployed here/);
    expect(aws.mutatingCalls()).toEqual([]);
  });

  it('--all rolls both back; a service without an older revision is an error', async () => {
    const h = makeHarness({ aws });
    expect(await cli(h, 'rollback', '--all')).toBe(ExitCode.Preflight);
    expect(h.stderr()).toMatch(/library-dev-reader has no revision older than library-dev-reader:7/);
  });

  it('--all --to <commit> moves both services to the revisions carrying that commit', async () => {
    aws.seedHistory();
    // give the writer a revision with the same commit
    const w = aws.taskDefs.get(tdArn(SERVICE.writer, 12))!;
    aws.taskDefs.set(tdArn(SERVICE.writer, 11), {
      td: { ...structuredClone(w.td), taskDefinitionArn: tdArn(SERVICE.writer, 11), revision: 11 },
      tags: [{ key: 'deploy:commit', value: 'b2c3d4e5f60718293a4b5c6d7e8f9012345678a1' }],
    });
    const h = makeHarness({ aws });
    expect(await cli(h, 'rollback', '--all', '--to', 'b2c3d4e')).toBe(ExitCode.Ok);
    expect(aws.service('reader').taskDefinition).toBe(tdArn(SERVICE.reader, 6));
    expect(aws.service('writer').taskDefinition).toBe(tdArn(SERVICE.writer, 11));
  });

  it('usage: a service or --all, not both', async () => {
    expect(await cli(makeHarness({ aws }), 'rollback')).toBe(ExitCode.Usage);
    expect(await cli(makeHarness({ aws }), 'rollback', 'reader', '--all')).toBe(ExitCode.Usage);
  });

  it('when the older revision fails too, it restores what ran before and exits non-zero', async () => {
    aws.seedHistory();
    aws.behaviour.reader = 'breaker';
    // make the target revision "new" for the fake: only the original revision behaves ok
    const h = makeHarness({ aws });
    expect(await cli(h, 'rollback', 'reader', '--json')).toBe(ExitCode.RollbackFailed);
    const doc = JSON.parse(h.stdout());
    expect(doc.services[0]).toMatchObject({ outcome: 'failed', restoredBy: 'ecs', to: tdArn(SERVICE.reader, 6) });
    expect(aws.service('reader').taskDefinition).toBe(tdArn(SERVICE.reader, 7));
  });
});

describe('migrate', () => {
  it('runs only the migration task: the migrate family with the writer image deployed now, its logs and exit code', async () => {
    const h = makeHarness({ aws });
    expect(await cli(h, 'migrate')).toBe(ExitCode.Ok);
    expect(aws.mutatingCalls().map((c) => c.command)).toEqual(['RegisterTaskDefinition', 'RunTask']);
    const reg = aws.calls.find((c) => c.command === 'RegisterTaskDefinition')!.input as Record<string, any>;
    expect(reg.family).toBe(MIGRATE_FAMILY);
    expect(reg.containerDefinitions[0]).toMatchObject({
      name: 'migrate',
      command: ['migrate'],
      image: `${REPO.writer}@${OLD_DIGEST.writer}`,
    });
    expect(aws.calls.find((c) => c.command === 'RunTask')!.input).toMatchObject({ taskDefinition: tdArn(MIGRATE_FAMILY, 2) });
    expect(h.stderr()).toContain('│ migrations: 1 applied');
    expect(h.stdout()).toMatch(/migration library-dev-migrate:2: task mig\d+ exit 0/);
  });

  it('a failing migration exits 5 with the reason', async () => {
    aws.migrationExitCode = 1;
    const h = makeHarness({ aws });
    expect(await cli(h, 'migrate', '--json')).toBe(ExitCode.Migration);
    const doc = JSON.parse(h.stdout());
    expect(doc).toMatchObject({ command: 'migrate', ok: false, exitCode: 5, migration: { exitCode: 1, command: ['migrate'] } });
    expect(h.stderr()).toContain('QueryFailedError');
  });
});

describe('logs', () => {
  beforeEach(() => {
    aws.streams.set('ecs/reader/task0001', [
      '{"level":30,"time":1,"msg":"request completed","reqId":"r-1","res":{"statusCode":200}}',
      'plain text line',
    ]);
    aws.streams.set('ecs/reader/task0002', ['{"level":50,"msg":"boom"}']);
    aws.streams.set('ecs/writer/task0003', ['writer line']);
  });

  it('prints recent lines raw when not a TTY', async () => {
    const h = makeHarness({ aws });
    expect(await cli(h, 'logs', 'reader', '--since', '1h')).toBe(ExitCode.Ok);
    expect(h.stdout().trim().split('\n')).toEqual([
      '{"level":30,"time":1,"msg":"request completed","reqId":"r-1","res":{"statusCode":200}}',
      'plain text line',
      '{"level":50,"msg":"boom"}',
    ]);
    expect(aws.calls.find((c) => c.command === 'FilterLogEvents')!.input).toMatchObject({
      logGroupName: '/ecs/library-dev/reader',
      startTime: Date.UTC(2026, 10, 27, 11, 0, 0),
    });
  });

  it('pretty-prints JSON lines with --pretty (the TTY default)', async () => {
    const h = makeHarness({ aws });
    await cli(h, 'logs', 'reader', '--since', '1h', '--pretty');
    expect(h.stdout()).toContain('12:00:00.000 INFO  [task0001] request completed  reqId=r-1 res={"statusCode":200}');
    expect(h.stdout()).toContain('12:00:00.000 ERROR [task0002] boom');
  });

  it('--limit keeps the newest lines of the window', async () => {
    const h = makeHarness({ aws });
    await cli(h, 'logs', 'reader', '--since', '1h', '--limit', '1');
    expect(h.stdout().trim()).toBe('{"level":50,"msg":"boom"}');
  });

  it('--task narrows to that task’s stream', async () => {
    const h = makeHarness({ aws });
    await cli(h, 'logs', 'reader', '--since', '1h', '--task', 'task0002');
    expect(h.stdout().trim()).toBe('{"level":50,"msg":"boom"}');
    expect(aws.calls.find((c) => c.command === 'FilterLogEvents')!.input.logStreamNames).toEqual(['ecs/reader/task0002']);
  });

  it('--follow uses StartLiveTail with the log group ARN', async () => {
    aws.liveTail = { events: [{ logStreamName: 'ecs/reader/task0009', message: 'live line', timestamp: Date.UTC(2026, 10, 27, 12, 5) }] };
    const h = makeHarness({ aws });
    expect(await cli(h, 'logs', 'reader', '--since', '1m', '--follow')).toBe(ExitCode.Ok);
    expect(h.stdout()).toContain('live line');
    expect(aws.calls.find((c) => c.command === 'StartLiveTail')!.input).toEqual({
      logGroupIdentifiers: ['arn:aws:logs:eu-west-1:123456789012:log-group:/ecs/library-dev/reader'],
    });
  });

  it('--follow falls back to polling FilterLogEvents when Live Tail is unavailable', async () => {
    aws.liveTail = { error: 'UnknownOperationException' };
    const h = makeHarness({ aws });
    expect(await cli(h, 'logs', 'writer', '--since', '1h', '--follow', '--follow-for', '5s')).toBe(ExitCode.Ok);
    expect(h.stderr()).toMatch(/Live Tail unavailable \(UnknownOperationException/);
    expect(aws.calls.filter((c) => c.command === 'FilterLogEvents').length).toBeGreaterThan(2);
    expect(h.stdout().trim().split('\n')).toEqual(['writer line']); // no duplicates across polls
  });

  it('a missing log group is one actionable line', async () => {
    aws.missingLogGroups.add('/ecs/library-dev/reader');
    const h = makeHarness({ aws });
    expect(await cli(h, 'logs', 'reader')).toBe(ExitCode.Preflight);
    expect(h.stderr()).toMatch(/✖ log group \/ecs\/library-dev\/reader does not exist\n {2}fix: run `terraform apply`/);
  });

  it('--json prints one JSON object per line', async () => {
    const h = makeHarness({ aws });
    await cli(h, 'logs', 'writer', '--since', '1h', '--json');
    expect(JSON.parse(h.stdout().trim())).toEqual({
      timestamp: '2026-11-27T12:00:00.000Z',
      stream: 'ecs/writer/task0003',
      message: 'writer line',
    });
  });
});

describe('verify', () => {
  it('passes every check on a healthy setup, one line each', async () => {
    const h = makeHarness({ aws });
    expect(await cli(h, 'verify')).toBe(ExitCode.Ok);
    const out = h.stdout();
    expect(out).toContain(
      '✔ credentials and region — arn:aws:sts::123456789012:assumed-role/deployer/alice in 123456789012, region eu-west-1',
    );
    expect(out).toContain('✔ cluster library-dev — ACTIVE');
    expect(out).toContain('✔ service library-dev-writer — ACTIVE, 2/2 running, circuit breaker with rollback on');
    expect(out).toContain('✔ ECR repository library/reader — exists, tags IMMUTABLE');
    expect(out).toContain('✔ log group /ecs/library-dev/writer — exists');
    expect(out).toContain('✔ target group of library-dev-reader → container port — reader:8000, health check /health');
    // the master secret is the migrate task's alone (the services log in with IAM auth)
    expect(out).toContain(
      '✔ migration task definition library-dev-migrate:1 — container migrate runs ["migrate"], logs to /ecs/library-dev/migrate',
    );
    expect(out).toContain('✔ execution role can read the DB secret — library-dev-migrate-execution allowed, task definition references it');
    expect(out).toContain('✔ migration subnets — subnet-0a1, subnet-0b2');
    expect(out).toContain('all checks passed');
  });

  it('exits non-zero with a fix per failure: missing log group, missing repo, denied secret', async () => {
    aws.missingLogGroups.add('/ecs/library-dev/writer');
    aws.missingRepositories.add('library/reader');
    const { SimulatePrincipalPolicyCommand } = await import('@aws-sdk/client-iam');
    aws.iam
      .on(SimulatePrincipalPolicyCommand)
      .resolves({ EvaluationResults: [{ EvalActionName: 'secretsmanager:GetSecretValue', EvalDecision: 'implicitDeny' }] });
    const h = makeHarness({ aws });
    expect(await cli(h, 'verify')).toBe(ExitCode.Preflight);
    const out = h.stdout();
    expect(out).toMatch(/✖ log group \/ecs\/library-dev\/writer — does not exist\n {4}fix: run `terraform apply`/);
    expect(out).toMatch(/✖ ECR repository library\/reader — ECR repository not found/);
    expect(out).toMatch(
      /✖ execution role can read the DB secret — .*library-dev-migrate-execution may not secretsmanager:GetSecretValue on the secret \(implicitDeny\)\n {4}fix: grant/,
    );
    expect(out).toContain('3 of 14 checks failed');
  });

  it('a missing migration subnet is reported with EC2’s error', async () => {
    const { DescribeSubnetsCommand } = await import('@aws-sdk/client-ec2');
    aws.ec2
      .on(DescribeSubnetsCommand)
      .rejects(Object.assign(new Error("The subnet ID 'subnet-0b2' does not exist"), { name: 'InvalidSubnetID.NotFound' }));
    const h = makeHarness({ aws });
    expect(await cli(h, 'verify')).toBe(ExitCode.Preflight);
    expect(h.stdout()).toMatch(/✖ migration subnets — InvalidSubnetID.NotFound: The subnet ID 'subnet-0b2' does not exist/);
  });

  it('flags wrong account, and a target group pointing at the wrong port', async () => {
    const { GetCallerIdentityCommand } = await import('@aws-sdk/client-sts');
    aws.sts.on(GetCallerIdentityCommand).resolves({ Account: '999999999999', Arn: 'arn:aws:iam::999999999999:user/bob' });
    aws.service('reader'); // loadBalancers come from the snapshot: patch the container port
    const td = aws.taskDefs.get(tdArn(SERVICE.reader, 7))!.td;
    td.containerDefinitions![0]!.portMappings = [{ containerPort: 3000 }];
    const h = makeHarness({ aws });
    expect(await cli(h, 'verify', '--json')).toBe(ExitCode.Preflight);
    const doc = JSON.parse(h.stdout());
    const failed = doc.checks.filter((c: { ok: boolean }) => !c.ok).map((c: { name: string; detail: string }) => `${c.name}: ${c.detail}`);
    expect(failed).toEqual([
      'credentials and region: signed in to account 999999999999, but the outputs point at 123456789012',
      'target group of library-dev-reader → container port: service routes to reader:8000, container reader listens on 3000',
    ]);
  });
});

describe('diff', () => {
  it('shows the image change deploy would make, by digest when the commit is in ECR; --exit-code 1 when different', async () => {
    aws.images.set(`library/reader:${COMMIT}`, fakeDigest(`${REPO.reader}:${COMMIT}`));
    const h = makeHarness({ aws });
    expect(await cli(h, 'diff', 'reader', '--exit-code')).toBe(ExitCode.Error);
    expect(h.stdout()).toContain('--- live  library-dev-reader:7 (library-dev-reader)');
    expect(h.stdout()).toContain(`- image = ${REPO.reader}@${OLD_DIGEST.reader}`);
    expect(h.stdout()).toContain(`+ image = ${REPO.reader}@${fakeDigest(`${REPO.reader}:${COMMIT}`)}`);
  });

  it('no difference exits 0 even with --exit-code', async () => {
    aws.images.set(`library/reader:${COMMIT}`, OLD_DIGEST.reader);
    const h = makeHarness({ aws });
    expect(await cli(h, 'diff', 'reader', '--exit-code')).toBe(ExitCode.Ok);
    expect(h.stdout()).toContain('(no difference: deploy would be a no-change)');
  });

  it('shows what Terraform changed that has not shipped, field by field: env, cpu/memory, roles, secrets, image', async () => {
    aws.images.set(`library/writer:${COMMIT}`, OLD_DIGEST.writer); // same image: only Terraform's settings differ
    const arn = aws.terraformRegisters(SERVICE.writer, (td) => {
      const c = td.containerDefinitions![0]!;
      c.environment!.push({ name: 'LOG_LEVEL', value: 'debug' });
      c.environment!.find((e) => e.name === 'DB_SSL')!.value = 'require';
      c.secrets = [{ name: 'API_KEY', valueFrom: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:api-key' }];
      td.memory = '1024';
      td.taskRoleArn = 'arn:aws:iam::123456789012:role/library-dev-writer-v2';
    });
    const h = makeHarness({ aws });
    expect(await cli(h, 'diff', 'writer', '--json', '--exit-code', '--set', `services.writer.task_definition_arn=${arn}`)).toBe(
      ExitCode.Error,
    );
    const doc = JSON.parse(h.stdout());
    expect(doc).toMatchObject({ live: tdArn(SERVICE.writer, 12), base: arn, differs: true });
    expect(doc.changes).toEqual([
      { key: 'environment.DB_SSL', live: 'verify-full', next: 'require' },
      { key: 'environment.LOG_LEVEL', next: 'debug' },
      { key: 'memory', live: '512', next: '1024' },
      { key: 'secrets.API_KEY', next: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:api-key' },
      {
        key: 'taskRoleArn',
        live: 'arn:aws:iam::123456789012:role/library-dev-writer-task',
        next: 'arn:aws:iam::123456789012:role/library-dev-writer-v2',
      },
    ]);
    const text = makeHarness({ aws });
    await cli(text, 'diff', 'writer', '--set', `services.writer.task_definition_arn=${arn}`);
    expect(text.stdout()).toContain(
      "+++ next  what `deploy` would register for commit 3f9c2a1b7d4e: Terraform's library-dev-writer:13 with that image",
    );
    expect(text.stdout()).toContain('- environment.DB_SSL = verify-full\n+ environment.DB_SSL = require\n+ environment.LOG_LEVEL = debug');
  });

  it('starts from exactly the revision Terraform names, not the newest in the family', async () => {
    aws.images.set(`library/writer:${COMMIT}`, OLD_DIGEST.writer);
    // a newer revision someone registered by hand: not Terraform's, so not what deploy would ship
    aws.terraformRegisters(SERVICE.writer, (td) => td.containerDefinitions![0]!.environment!.push({ name: 'HAND_MADE', value: '1' }));
    const h = makeHarness({ aws });
    expect(await cli(h, 'diff', 'writer', '--exit-code')).toBe(ExitCode.Ok);
    expect(h.stdout()).toContain('(no difference: deploy would be a no-change)');
  });
});

describe('pause / resume', () => {
  it('pause scales both services to 0, remembers the counts on the services, stops the DB', async () => {
    const h = makeHarness({ aws });
    expect(await cli(h, 'pause', '--yes')).toBe(ExitCode.Ok);
    expect(aws.service('reader').desired).toBe(0);
    expect(aws.dbStatus).toBe('stopping'); // RDS takes minutes to stop; pause does not wait for it
    const tagged = [...aws.resourceTags.values()].map((t) => t.find((x) => x.key === 'deploy:paused-desired-count')?.value);
    expect(tagged).toEqual(['2', '2']);
    expect(h.stdout()).toContain('paused dev: library-dev-reader 2 → 0, library-dev-writer 2 → 0; database library-dev-db stopping');
  });

  it('resume starts the DB, waits, restores the counts and waits until stable', async () => {
    const h = makeHarness({ aws });
    await cli(h, 'pause', '--yes');
    const r = makeHarness({ aws });
    expect(await cli(r, 'resume')).toBe(ExitCode.Ok);
    expect(aws.dbStatus).toBe('available');
    expect(aws.service('writer').desired).toBe(2);
    const cmds = aws.commandNames();
    expect(cmds.lastIndexOf('StartDBInstance')).toBeLessThan(cmds.lastIndexOf('UpdateService'));
    expect(r.stdout()).toContain(
      'resumed dev: database library-dev-db available; library-dev-reader 2/2 running, library-dev-writer 2/2 running',
    );
    expect([...aws.resourceTags.values()].flat()).toEqual([]);
  });

  const paused = (status: string) => aws.seedPaused(status);
  const rdsCalls = () => aws.calls.filter((c) => c.client === 'rds').map((c) => c.command);

  const OUTAGE_ALARMS = ['library-dev-db-down', 'library-dev-reader-no-healthy-hosts', 'library-dev-writer-no-healthy-hosts'];
  const alarmCalls = () =>
    aws.calls
      .filter((c) => c.client === 'cloudwatch' && /AlarmActions$/.test(c.command))
      .map(({ client, command, input }) => ({ client, command, input }));

  it('pause turns off the actions of the outage alarms it trips, before scaling to 0 and stopping the DB', async () => {
    const h = makeHarness({ aws });
    expect(await cli(h, 'pause', '--yes')).toBe(ExitCode.Ok);
    expect(alarmCalls()).toEqual([{ client: 'cloudwatch', command: 'DisableAlarmActions', input: { AlarmNames: OUTAGE_ALARMS } }]);
    expect(OUTAGE_ALARMS.map((n) => aws.alarmActions.get(n))).toEqual([false, false, false]);
    const cmds = aws.commandNames();
    expect(cmds.indexOf('DisableAlarmActions')).toBeLessThan(cmds.indexOf('UpdateService'));
    expect(cmds.indexOf('DisableAlarmActions')).toBeLessThan(cmds.indexOf('StopDBInstance'));
    expect(h.stdout()).toContain('actions off on 3 outage alarm(s)');
  });

  it("resume turns the outage alarms' actions back on only once the services are stable again", async () => {
    await cli(makeHarness({ aws }), 'pause', '--yes');
    const r = makeHarness({ aws });
    expect(await cli(r, 'resume', '--json')).toBe(ExitCode.Ok);
    expect(OUTAGE_ALARMS.map((n) => aws.alarmActions.get(n))).toEqual([true, true, true]);
    const cmds = aws.commandNames();
    expect(cmds.lastIndexOf('EnableAlarmActions')).toBeGreaterThan(cmds.lastIndexOf('UntagResource'));
    expect(JSON.parse(r.stdout()).alarmActionsEnabled).toEqual(OUTAGE_ALARMS);
  });

  it('a resume that fails (database cannot start) leaves the alarms silent: nothing is healthy yet', async () => {
    aws.seedPaused('stopped');
    aws.alarmActions.set('library-dev-db-down', false);
    const h = makeHarness({ aws });
    aws.dbDeletionProtection.clear(); // the instance is gone: StartDBInstance cannot find it
    expect(await cli(h, 'resume')).not.toBe(ExitCode.Ok);
    expect(alarmCalls().filter((c) => c.command === 'EnableAlarmActions')).toEqual([]);
    expect(aws.alarmActions.get('library-dev-db-down')).toBe(false);
  });

  it('resume right after pause: waits while RDS is still stopping, then starts it', async () => {
    paused('stopping');
    aws.dbNext = { status: 'stopped', afterDescribes: 3 };
    const h = makeHarness({ aws });
    expectWith(await cli(h, 'resume'), h.stderr()).toBe(ExitCode.Ok);
    const calls = rdsCalls();
    // StartDBInstance only once the instance reported stopped (RDS refuses it while stopping)
    expect(calls.slice(0, 4)).toEqual(['DescribeDBInstances', 'DescribeDBInstances', 'DescribeDBInstances', 'DescribeDBInstances']);
    expect(calls.filter((c) => c === 'StartDBInstance')).toHaveLength(1);
    expect(aws.dbStatus).toBe('available');
    expect(h.stderr()).toMatch(
      /library-dev-db is stopping[\s\S]*library-dev-db is stopped[\s\S]*StartDBInstance[\s\S]*library-dev-db is starting/,
    );
    expect(aws.service('reader').desired).toBe(2);
  });

  it.each([
    ['stopped', 1],
    ['starting', 0],
    ['available', 0],
    ['backing-up', 0],
    ['modifying', 0],
  ])('resume from %s: %i StartDBInstance, then available and the services restored', async (status, starts) => {
    paused(status);
    if (status !== 'stopped' && status !== 'available') aws.dbNext = { status: 'available', afterDescribes: 2 };
    const h = makeHarness({ aws });
    expectWith(await cli(h, 'resume'), h.stderr()).toBe(ExitCode.Ok);
    expect(rdsCalls().filter((c) => c === 'StartDBInstance')).toHaveLength(starts);
    expect(aws.dbStatus).toBe('available');
    expect(aws.service('writer').desired).toBe(2);
  });

  it.each([
    ['failed', /restore it to the latest restorable time/],
    ['storage-full', /raise allocated storage/],
    ['incompatible-parameters', /revert the parameter change/],
    ['inaccessible-encryption-credentials', /KMS key/],
    ['deleting', /being deleted/],
    ['insufficient-capacity', /no capacity/],
    ['some-future-state', /RDS console/],
  ])('resume with the database %s: one line with a fix, exit 3, the services stay at 0', async (status, fix) => {
    paused(status);
    const h = makeHarness({ aws });
    expect(await cli(h, 'resume')).toBe(ExitCode.Preflight);
    expect(h.stderr()).toContain(`✖ database library-dev-db is ${status}; \`resume\` cannot bring it back by starting or waiting\n  fix: `);
    expect(h.stderr()).toMatch(fix);
    expect(rdsCalls()).not.toContain('StartDBInstance');
    expect(aws.service('reader').desired).toBe(0);
  });

  it('a database that stays stopping past --timeout exits 7 with what to do, not a waiter error', async () => {
    paused('stopping');
    aws.dbNext = { status: 'stopped', afterDescribes: Infinity };
    const h = makeHarness({ aws });
    expect(await cli(h, 'resume', '--timeout', '3m')).toBe(ExitCode.Timeout);
    expect(h.stderr()).toMatch(
      /✖ database library-dev-db is still stopping after 180s\n {2}fix: the database is still stopping; run `deploy resume` again in a few minutes or check the RDS console\n/,
    );
    expect(h.stderr()).not.toMatch(/^\s+at /m);
    expect(h.clock.now - Date.UTC(2026, 10, 27, 12)).toBeGreaterThanOrEqual(180_000);
    expect(aws.service('reader').desired).toBe(0);
  });

  it('a start RDS does not carry out (still stopped after StartDBInstance) is an error with a fix', async () => {
    paused('stopped');
    aws.rds.on(StartDBInstanceCommand).resolves({ DBInstance: { DBInstanceStatus: 'starting' } }); // accepted, but nothing happens
    const h = makeHarness({ aws });
    expect(await cli(h, 'resume')).toBe(ExitCode.Preflight);
    expect(h.stderr()).toMatch(/✖ RDS did not start library-dev-db: it is still stopped after StartDBInstance\n {2}fix: see Logs & events/);
  });

  it('pause of a database RDS cannot stop now (not available) says so after scaling to 0', async () => {
    aws.dbStatus = 'backing-up';
    const h = makeHarness({ aws });
    expect(await cli(h, 'pause', '--yes')).toBe(ExitCode.Preflight);
    expect(h.stderr()).toMatch(
      /✖ database library-dev-db is backing-up: RDS stops only an available instance .*\n {2}fix: run `deploy pause` again/,
    );
    expect(rdsCalls()).not.toContain('StopDBInstance');
  });

  it('on a TTY, pause asks on deps.stdin and goes ahead on "y"', async () => {
    const stdin = Object.assign(new PassThrough(), { isTTY: true });
    const h = makeHarness({ aws, interactive: true, stdin });
    const done = cli(h, 'pause', '--plain');
    stdin.write('y\n');
    expectWith(await done, h.stderr()).toBe(ExitCode.Ok);
    expect(h.stderr()).toContain("Scale dev's services to 0 and stop database library-dev-db? [y/N]");
    expect(aws.dbStatus).toBe('stopping');
  });

  it('on a TTY, any other answer cancels with exit 2 and changes nothing', async () => {
    const stdin = Object.assign(new PassThrough(), { isTTY: true });
    const h = makeHarness({ aws, interactive: true, stdin });
    const done = cli(h, 'pause', '--plain');
    stdin.write('n\n');
    expect(await done).toBe(ExitCode.Usage);
    expect(h.stderr()).toMatch(/✖ cancelled\n {2}fix: nothing was changed/);
    expect(aws.mutatingCalls()).toEqual([]);
  });

  it('without a TTY, pause needs --yes', async () => {
    const h = makeHarness({ aws });
    expect(await cli(h, 'pause')).toBe(ExitCode.Usage);
    expect(h.stderr()).toMatch(/refusing without a TTY\n {2}fix: pass --yes/);
    expect(aws.mutatingCalls()).toEqual([]);
  });

  it('is refused for an env marked production unless --force', async () => {
    const h = makeHarness({ aws });
    expect(await cli(h, 'pause', '--yes', '--set', 'environment=prod')).toBe(ExitCode.Usage);
    expect(h.stderr()).toContain('✖ refusing to pause prod: it is marked production');
    expect(aws.mutatingCalls()).toEqual([]);
    expect(await cli(makeHarness({ aws }), 'pause', '--yes', '--force', '--set', 'environment=prod')).toBe(ExitCode.Ok);
  });
});
