import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { expectWith } from '../../test/support/expect-with.js';
import { ExitCode } from '../src/exit-codes.js';
import { ACTOR, CLUSTER, FakeAws, fakeDigest, MIGRATE_FAMILY, OLD_DIGEST, REPO, SERVICE, tdArn, TF_REVISION } from './fake-aws.js';
import { COMMIT, FIXTURE, makeHarness, startAlb, type Harness } from './harness.js';

let aws: FakeAws;
let alb: Awaited<ReturnType<typeof startAlb>>;

beforeEach(async () => {
  aws = new FakeAws();
  alb = await startAlb();
});
afterEach(async () => {
  aws.restore();
  await alb.close();
});

const deploy = (h: Harness, ...args: string[]) => h.run(['deploy', '--targets', FIXTURE, '--set', `app_url=${alb.url}`, ...args]);
const newDigest = (k: 'reader' | 'writer') => fakeDigest(`${REPO[k]}:${COMMIT}`);

describe('deploy: happy path', () => {
  it('builds, pushes, migrates, registers, updates and follows both services, in that order', async () => {
    const h = makeHarness({ aws });
    const code = await deploy(h);
    expect(h.stderr()).not.toContain('✖');
    expectWith(code, h.stderr()).toBe(ExitCode.Ok);

    // docker: daemon check, one login per registry, parallel builds, pushes, digests
    const docker = h.dockerCalls();
    expect(docker[0]).toEqual(['info', '--format', '{{.ServerVersion}}']);
    expect(docker[1]).toEqual(['login', '--username', 'AWS', '--password-stdin', '123456789012.dkr.ecr.eu-west-1.amazonaws.com']);
    const builds = docker.filter((a) => a[0] === 'buildx');
    expect(builds).toHaveLength(2);
    expect(builds.map((b) => b[b.indexOf('--build-arg') + 1]).sort()).toEqual(['APP=reader', 'APP=writer']);
    expect(builds[0]).toEqual(expect.arrayContaining(['--platform', 'linux/amd64', '--tag']));
    expect(
      docker
        .filter((a) => a[0] === 'push')
        .map((a) => a[1])
        .sort(),
    ).toEqual([`${REPO.reader}:${COMMIT}`, `${REPO.writer}:${COMMIT}`]);

    // AWS order (W-5): preflight → migrate → register → update → follow
    const names = aws.commandNames();
    const first = (n: string) => names.indexOf(n);
    expect(first('GetCallerIdentity')).toBeLessThan(first('DescribeServices'));
    expect(first('GetAuthorizationToken')).toBeGreaterThan(first('DescribeImages'));
    expect(first('RunTask')).toBeGreaterThan(first('RegisterTaskDefinition'));
    expect(first('UpdateService')).toBeGreaterThan(first('RunTask'));
    const mutating = aws.mutatingCalls().map((c) => `${c.command} ${String(c.input.family ?? c.input.service ?? c.input.taskDefinition)}`);
    expect(mutating).toEqual([
      `RegisterTaskDefinition ${MIGRATE_FAMILY}`,
      `RunTask ${tdArn(MIGRATE_FAMILY, 2)}`,
      'RegisterTaskDefinition library-dev-writer',
      'RegisterTaskDefinition library-dev-reader',
      'UpdateService library-dev-writer',
      'UpdateService library-dev-reader',
    ]);

    // RunTask: the new migrate revision (its command is Terraform's ["migrate"]), network from the outputs
    const run = aws.calls.find((c) => c.command === 'RunTask')!.input;
    expect(run).toMatchObject({
      cluster: CLUSTER,
      launchType: 'FARGATE',
      networkConfiguration: {
        awsvpcConfiguration: { subnets: ['subnet-0a1', 'subnet-0b2'], securityGroups: ['sg-0writer'], assignPublicIp: 'DISABLED' },
      },
    });
    expect(run).not.toHaveProperty('overrides');

    // Register: Terraform's revision (task_definition_arn), only the image changed, pinned by digest, with tags
    const reg = aws.calls.filter((c) => c.command === 'RegisterTaskDefinition').map((c) => c.input as Record<string, any>);
    const migrateReg = reg.find((r) => r.family === MIGRATE_FAMILY)!;
    expect(migrateReg.containerDefinitions[0]).toMatchObject({
      name: 'migrate',
      command: ['migrate'],
      image: `${REPO.writer}@${newDigest('writer')}`,
    });
    expect(migrateReg.containerDefinitions[0].secrets).toEqual(aws.taskDefs.get(TF_REVISION.migrate)!.td.containerDefinitions![0]!.secrets);
    const writerReg = reg.find((r) => r.family === SERVICE.writer)!;
    expect(writerReg.containerDefinitions[0].image).toBe(`${REPO.writer}@${newDigest('writer')}`);
    expect(writerReg.containerDefinitions[0].environment).toEqual(
      aws.taskDefs.get(TF_REVISION.writer)!.td.containerDefinitions![0]!.environment,
    );
    expect(writerReg).not.toHaveProperty('revision');
    expect(writerReg).not.toHaveProperty('taskDefinitionArn');
    expect(writerReg.tags).toEqual(
      expect.arrayContaining([
        { key: 'deploy:commit', value: COMMIT },
        { key: 'deploy:digest', value: newDigest('writer') },
        { key: 'deploy:actor', value: ACTOR },
        { key: 'deploy:time', value: '2026-11-27T12:00:00.000Z' },
      ]),
    );
    const updates = aws.calls.filter((c) => c.command === 'UpdateService').map((c) => c.input);
    expect(updates[0]).toEqual({
      cluster: CLUSTER,
      service: SERVICE.writer,
      taskDefinition: tdArn(SERVICE.writer, 13),
      forceNewDeployment: true,
    });

    // The smoke check went through the "ALB": GET → reader route, POST → writer route
    expect(alb.hits.sort()).toEqual(['GET /health/ready', 'POST /health/ready']);

    // summary table on stdout
    expect(h.stdout()).toMatch(/DEPLOYED — env dev, commit 3f9c2a1b7d4e/);
    expect(h.stdout()).toMatch(/reader\s+library-dev-reader:8\s+3f9c2a1b7d4e@[0-9a-f]{12}\s+2\/2\s+deployed/);
    expect(h.stdout()).toMatch(/writer\s+library-dev-writer:13/);
    // migration logs streamed on stderr
    expect(h.stderr()).toContain('migrations: 1 applied');
  });
});

describe('deploy: images (W-4)', () => {
  it('skips build and push when the commit tag is already in ECR, and pins its digest', async () => {
    aws.images.set(`library/reader:${COMMIT}`, 'sha256:' + 'a'.repeat(64));
    aws.images.set(`library/writer:${COMMIT}`, 'sha256:' + 'b'.repeat(64));
    const h = makeHarness({ aws });
    expect(await deploy(h)).toBe(ExitCode.Ok);
    expect(h.dockerCalls()).toEqual([]); // not even `docker info`: nothing to build
    expect(aws.commandNames()).not.toContain('GetAuthorizationToken');
    const reg = aws.calls
      .filter((c) => c.command === 'RegisterTaskDefinition' && c.input.family !== MIGRATE_FAMILY)
      .map((c) => (c.input as any).containerDefinitions[0].image);
    expect(reg.sort()).toEqual([`${REPO.reader}@sha256:${'a'.repeat(64)}`, `${REPO.writer}@sha256:${'b'.repeat(64)}`]);
  });

  it('a push ECR does not list afterwards is a build failure (exit 4) with a fix', async () => {
    const h = makeHarness({ aws });
    // ECR never lists the tag, before or after the push
    aws.ecr.on((await import('@aws-sdk/client-ecr')).DescribeImagesCommand).rejects(
      Object.assign(new Error("The image with imageId {imageTag:'x'} does not exist within the repository"), {
        name: 'ImageNotFoundException',
      }),
    );
    expect(await deploy(h, '--service', 'reader')).toBe(ExitCode.Build);
    expect(h.stderr()).toMatch(
      /✖ pushed .*library\/reader:3f9c2a1b7d4e5f60718293a4b5c6d7e8f9012345 but ECR does not list the tag\n {2}fix: check that services.reader.ecr_repository_url names the registry docker pushed to/,
    );
    expect(aws.mutatingCalls()).toEqual([]);
  });

  it('refuses when ECR holds a different digest under the same tag than the one just pushed', async () => {
    const h = makeHarness({ aws });
    let calls = 0;
    // first DescribeImages (preflight): not there; after the push ECR answers with another digest
    aws.ecr.on((await import('@aws-sdk/client-ecr')).DescribeImagesCommand).callsFake(async () => {
      calls++;
      if (calls <= 2) throw Object.assign(new Error('not found'), { name: 'ImageNotFoundException' });
      return { imageDetails: [{ imageDigest: 'sha256:' + 'f'.repeat(64) }] };
    });
    expect(await deploy(h)).toBe(ExitCode.Build);
    expect(h.stderr()).toMatch(/ECR has .* with digest sha256:f+, but the pushed image is sha256:/);
    expect(aws.mutatingCalls()).toEqual([]);
  });
});

describe("deploy: Terraform's settings reach the tasks (R-3)", () => {
  const setTf = (key: 'reader' | 'writer', arn: string) => ['--set', `services.${key}.task_definition_arn=${arn}`];

  it("registers from Terraform's latest revision: a changed environment value ships with the next deploy", async () => {
    const arn = aws.terraformRegisters(SERVICE.writer, (td) => {
      td.containerDefinitions![0]!.environment!.find((e) => e.name === 'DB_SSL')!.value = 'require';
      td.cpu = '512';
    });
    const h = makeHarness({ aws });
    expectWith(await deploy(h, ...setTf('writer', arn)), h.stderr()).toBe(ExitCode.Ok);
    const described = aws.calls.filter((c) => c.command === 'DescribeTaskDefinition').map((c) => c.input.taskDefinition);
    expect(described).toContain(arn);
    const writerReg = aws.calls.find((c) => c.command === 'RegisterTaskDefinition' && c.input.family === SERVICE.writer)!.input as Record<
      string,
      any
    >;
    expect(writerReg.cpu).toBe('512');
    expect(writerReg.containerDefinitions[0].environment).toContainEqual({ name: 'DB_SSL', value: 'require' });
    expect(writerReg.containerDefinitions[0].image).toBe(`${REPO.writer}@${newDigest('writer')}`);
    // the revision the service now runs carries it
    const running = aws.taskDefs.get(aws.service('writer').taskDefinition)!.td;
    expect(running.containerDefinitions![0]!.environment).toContainEqual({ name: 'DB_SSL', value: 'require' });
    expect(h.stdout()).toMatch(/writer: Terraform's library-dev-writer:13 changed cpu, environment.DB_SSL/);
  });

  it('the same digest with a changed setting is a change to roll out, not "no change"', async () => {
    aws.images.set(`library/reader:${COMMIT}`, OLD_DIGEST.reader);
    aws.images.set(`library/writer:${COMMIT}`, OLD_DIGEST.writer);
    const arn = aws.terraformRegisters(SERVICE.reader, (td) =>
      td.containerDefinitions![0]!.environment!.push({ name: 'LOG_LEVEL', value: 'debug' }),
    );
    const h = makeHarness({ aws });
    expectWith(await deploy(h, ...setTf('reader', arn)), h.stderr()).toBe(ExitCode.Ok);
    expect(h.dockerCalls()).toEqual([]); // the image is in ECR: nothing to build
    expect(aws.mutatingCalls().map((c) => `${c.command} ${String(c.input.family ?? c.input.service)}`)).toEqual([
      'RegisterTaskDefinition library-dev-reader',
      'UpdateService library-dev-reader',
    ]);
    const reg = aws.calls.find((c) => c.command === 'RegisterTaskDefinition')!.input as Record<string, any>;
    expect(reg.containerDefinitions[0].environment).toContainEqual({ name: 'LOG_LEVEL', value: 'debug' });
    expect(reg.containerDefinitions[0].image).toBe(`${REPO.reader}@${OLD_DIGEST.reader}`);
    expect(h.stdout()).toMatch(/writer\s+library-dev-writer:12\s+.*unchanged/);
  });

  it('a writer whose only change is a setting rolls out without running the migration', async () => {
    aws.images.set(`library/writer:${COMMIT}`, OLD_DIGEST.writer);
    const arn = aws.terraformRegisters(SERVICE.writer, (td) => (td.memory = '1024'));
    const h = makeHarness({ aws });
    expectWith(await deploy(h, '--service', 'writer', ...setTf('writer', arn)), h.stderr()).toBe(ExitCode.Ok);
    expect(aws.commandNames()).not.toContain('RunTask');
    expect(h.stderr()).toContain(
      "migration skipped: the writer image a3cd5b19595e already runs (only Terraform's settings change)".replace(
        'a3cd5b19595e',
        OLD_DIGEST.writer.slice(7, 19),
      ),
    );
    expect(aws.service('writer').taskDefinition).toBe(tdArn(SERVICE.writer, 14));
  });

  it("keeps Terraform's own tags on the new revision, replacing only the deploy: ones", async () => {
    aws.taskDefs.get(TF_REVISION.reader)!.tags = [
      { key: 'Project', value: 'library' },
      { key: 'deploy:commit', value: 'stale' },
    ];
    const h = makeHarness({ aws });
    expect(await deploy(h, '--service', 'reader')).toBe(ExitCode.Ok);
    const tags = aws.calls.find((c) => c.command === 'RegisterTaskDefinition')!.input.tags as { key: string; value: string }[];
    expect(tags).toContainEqual({ key: 'Project', value: 'library' });
    expect(tags.filter((t) => t.key === 'deploy:commit')).toEqual([{ key: 'deploy:commit', value: COMMIT }]);
  });

  it('a task_definition_arn that names no registered revision stops the deploy with what to run', async () => {
    const h = makeHarness({ aws });
    const code = await deploy(h, ...setTf('reader', tdArn(SERVICE.reader, 99)));
    expectWith(code, h.stderr()).toBe(ExitCode.Preflight);
    expect(h.stderr()).toMatch(
      /✖ Terraform's revision .*library-dev-reader:99 \(output services.reader.task_definition_arn\) does not exist: Unable to describe task definition\.\n {2}fix: run `terraform apply`/,
    );
    expect(aws.mutatingCalls()).toEqual([]);
  });

  it('an output naming a revision of another family is refused before any AWS call', async () => {
    const h = makeHarness({ aws });
    expect(await deploy(h, ...setTf('reader', TF_REVISION.writer))).toBe(ExitCode.Preflight);
    expect(h.stderr()).toMatch(/output "services.reader.task_definition_arn" is malformed .*another family than task_family/);
    expect(aws.calls).toEqual([]);
  });
});

describe('deploy: no change (W-5)', () => {
  it('exits 0 and changes nothing when both digests already run', async () => {
    aws.images.set(`library/reader:${COMMIT}`, OLD_DIGEST.reader);
    aws.images.set(`library/writer:${COMMIT}`, OLD_DIGEST.writer);
    const h = makeHarness({ aws });
    expect(await deploy(h)).toBe(ExitCode.Ok);
    expect(aws.mutatingCalls()).toEqual([]);
    expect(h.stderr()).toMatch(/no change: reader already runs [0-9a-f]{12}, writer already runs/);
    expect(h.stdout()).toMatch(/NO-CHANGE/);
  });

  it('deploys only the service whose digest changed (the writer is unchanged: no migration)', async () => {
    aws.images.set(`library/writer:${COMMIT}`, OLD_DIGEST.writer);
    const h = makeHarness({ aws });
    expect(await deploy(h)).toBe(ExitCode.Ok);
    expect(aws.mutatingCalls().map((c) => c.command)).toEqual(['RegisterTaskDefinition', 'UpdateService']);
    expect(aws.calls.find((c) => c.command === 'UpdateService')!.input.service).toBe(SERVICE.reader);
    expect(h.stdout()).toMatch(/writer\s+library-dev-writer:12\s+.*unchanged/);
  });

  it('--force redeploys an unchanged digest', async () => {
    aws.images.set(`library/reader:${COMMIT}`, OLD_DIGEST.reader);
    aws.images.set(`library/writer:${COMMIT}`, OLD_DIGEST.writer);
    const h = makeHarness({ aws });
    expect(await deploy(h, '--force')).toBe(ExitCode.Ok);
    expect(aws.mutatingCalls().filter((c) => c.command === 'UpdateService')).toHaveLength(2);
  });
});

describe('deploy: migration gate (W-6)', () => {
  it("accepts the older migration output (family, container, network): the family's latest revision, run as `migrate`", async () => {
    // Older outputs (docs/deploy-contract.md#terraform-outputs) name no task_definition_arn or log_group_name for the migration, and lets it be the
    // writer's own family, whose container has no command (the image's default is `serve`).
    const fixture = JSON.parse(readFileSync(FIXTURE, 'utf8'));
    const writer = fixture.services.value.writer;
    fixture.migration.value = {
      task_family: writer.task_family,
      container_name: writer.container_name,
      subnet_ids: fixture.migration.value.subnet_ids,
      security_group_ids: fixture.migration.value.security_group_ids,
      assign_public_ip: false,
    };
    const targets = join(mkdtempSync(join(tmpdir(), 'design-targets-')), 'outputs.json');
    writeFileSync(targets, JSON.stringify(fixture));
    const h = makeHarness({ aws });
    const code = await h.run(['deploy', '--targets', targets, '--set', `app_url=${alb.url}`]);
    expectWith(code, h.stderr()).toBe(ExitCode.Ok);
    const run = aws.calls.find((c) => c.command === 'RunTask')!.input as Record<string, any>;
    expect(run.taskDefinition).toMatch(new RegExp(`task-definition/${SERVICE.writer}:\\d+$`));
    expect(run.overrides).toEqual({ containerOverrides: [{ name: writer.container_name, command: ['migrate'] }] });
    const logReads = aws.calls.filter((c) => c.command === 'GetLogEvents').map((c) => c.input.logGroupName);
    expect(new Set(logReads)).toEqual(new Set(['/ecs/library-dev/writer'])); // the container's awslogs-group
    expect(h.stderr()).toMatch(/Migrate: run \["migrate"\]/);
  });

  it("runs Terraform's migrate revision with its own command, no override", async () => {
    const h = makeHarness({ aws });
    expectWith(await deploy(h), h.stderr()).toBe(ExitCode.Ok);
    const run = aws.calls.find((c) => c.command === 'RunTask')!.input as Record<string, any>;
    expect(run.taskDefinition).toBe(tdArn(MIGRATE_FAMILY, 2));
    expect(run.overrides).toBeUndefined();
  });

  it('a failed migration stops the deploy before either service changes', async () => {
    aws.migrationExitCode = 3;
    const h = makeHarness({ aws });
    expect(await deploy(h)).toBe(ExitCode.Migration);
    expect(aws.commandNames()).not.toContain('UpdateService');
    // only the writer revision the migration ran from was registered
    expect(aws.mutatingCalls().map((c) => c.command)).toEqual(['RegisterTaskDefinition', 'RunTask']);
    expect(h.stderr()).toContain('QueryFailedError: column "isbn" contains null values');
    expect(h.stderr()).toMatch(/✖ migration failed: task mig\d+ exited 3/);
    expect(h.stderr()).toMatch(/fix: no service was changed/);
  });

  it('a migration task that cannot pull its image is explained', async () => {
    aws.migrationPullError = true;
    const h = makeHarness({ aws });
    expect(await deploy(h)).toBe(ExitCode.Migration);
    expect(h.stderr()).toMatch(
      /✖ migration failed: task mig\d+ never ran: TaskFailedToStart CannotPullContainerError: pull image manifest/,
    );
    expect(h.stderr()).toMatch(/fix: the task could not pull the image: check the execution role ECR permissions/);
    expect(aws.commandNames()).not.toContain('UpdateService');
  });

  it('--json after a failed migration prints the report with the migration and the error', async () => {
    aws.migrationExitCode = 2;
    const h = makeHarness({ aws });
    expect(await deploy(h, '--json')).toBe(ExitCode.Migration);
    const doc = JSON.parse(h.stdout());
    expect(doc).toMatchObject({
      result: 'migration-failed',
      exitCode: 5,
      migration: { exitCode: 2, command: ['migrate'], taskDefinition: 'library-dev-migrate:2' },
      error: { message: expect.stringMatching(/^migration failed: task mig\d+ exited 2$/) },
    });
    expect(doc.services.map((s: { outcome: string }) => s.outcome)).toEqual(['not-started', 'not-started']);
  });

  it('with --service reader there is no writer revision, so no migration', async () => {
    const h = makeHarness({ aws });
    expect(await deploy(h, '--service', 'reader')).toBe(ExitCode.Ok);
    expect(aws.commandNames()).not.toContain('RunTask');
    expect(h.dockerCalls().filter((a) => a[0] === 'buildx')).toHaveLength(1);
  });
});

describe('deploy: verdict on our deployment (W-2)', () => {
  it('reports a circuit-breaker rollback as a failure with each failed task explained inline', async () => {
    aws.behaviour.writer = 'breaker';
    const h = makeHarness({ aws });
    expect(await deploy(h)).toBe(ExitCode.RolledBack);
    const err = h.stderr();
    // stop code, stopped reason, container exit code, target health reason, last log lines
    expect(err).toMatch(/task writer\d+f \(library-dev-writer:13\) stopped: EssentialContainerExited — Essential container in task exited/);
    expect(err).toMatch(/container writer: exit code 1/);
    expect(err).toContain('log │ {"level":50,"msg":"Config validation error: DB_SSL must be one of off, require, verify-full"}');
    expect(err).toMatch(/stopped: ServiceSchedulerInitiated — Task failed ELB health checks/);
    expect(err).toMatch(/target health: unhealthy — Target.ResponseCodeMismatch — Health checks failed with these codes: \[500\]/);
    expect(err).toMatch(/ECS marked deployment ecs-svc\/\d+ FAILED: ECS deployment circuit breaker/);
    // ECS already rolled back: we follow its rollback deployment instead of issuing another UpdateService
    expect(aws.calls.filter((c) => c.command === 'UpdateService').map((c) => c.input.service)).toEqual([SERVICE.writer, SERVICE.reader]);
    expect(err).toMatch(/circuit breaker already started it/);
    expect(h.stdout()).toMatch(/ROLLED-BACK/);
    expect(h.stdout()).toMatch(/writer\s+library-dev-writer:12\s+.*rolled-back/);
    // without --atomic the reader keeps its new revision
    expect(h.stdout()).toMatch(/reader\s+library-dev-reader:8\s+.*deployed/);
  });

  it('--max-failed-tasks rolls back before the circuit breaker would', async () => {
    aws.behaviour.reader = 'failing';
    const h = makeHarness({ aws });
    expect(await deploy(h, '--max-failed-tasks', '2', '--service', 'reader')).toBe(ExitCode.RolledBack);
    expect(h.stderr()).toMatch(/2 task\(s\) of the new revision failed \(--max-failed-tasks 2\); not waiting for the circuit breaker/);
    const updates = aws.calls.filter((c) => c.command === 'UpdateService').map((c) => c.input.taskDefinition);
    expect(updates).toEqual([tdArn(SERVICE.reader, 8), tdArn(SERVICE.reader, 7)]);
    expect(aws.service('reader').taskDefinition).toBe(tdArn(SERVICE.reader, 7));
  });

  it('a task that cannot pull its image is explained with a hint', async () => {
    aws.behaviour.reader = 'pull';
    const h = makeHarness({ aws });
    expect(await deploy(h, '--max-failed-tasks', '1', '--service', 'reader')).toBe(ExitCode.RolledBack);
    expect(h.stderr()).toMatch(/TaskFailedToStart — CannotPullContainerError/);
    expect(h.stderr()).toMatch(/hint: the task could not pull its image/);
  });

  it('times out, rolls back and exits with the timeout code', async () => {
    aws.behaviour.reader = 'hang';
    const h = makeHarness({ aws });
    expect(await deploy(h, '--service', 'reader', '--timeout', '2m')).toBe(ExitCode.Timeout);
    expect(h.stderr()).toMatch(/timed out: not COMPLETED before the deadline \(0\/2 running\)/);
    expect(aws.calls.filter((c) => c.command === 'UpdateService').map((c) => c.input.taskDefinition)).toEqual([
      tdArn(SERVICE.reader, 8),
      tdArn(SERVICE.reader, 7),
    ]);
    expect(h.stdout()).toMatch(/TIMEOUT/);
    expect(h.clock.now - Date.UTC(2026, 10, 27, 12)).toBeGreaterThanOrEqual(120_000);
  });

  it('Ctrl-C while following stops watching, rolls nothing back and exits 130', async () => {
    aws.behaviour.reader = 'hang';
    const h = makeHarness({ aws, interruptOnSleep: 3 });
    expect(await deploy(h, '--service', 'reader')).toBe(ExitCode.Interrupted);
    expect(aws.calls.filter((c) => c.command === 'UpdateService')).toHaveLength(1);
    expect(h.stderr()).toContain('interrupted: watch with `deploy status`, go back with `deploy rollback <service>`');
    expect(h.stdout()).toMatch(/reader: interrupted: ECS carries on with deployment ecs-svc\/\d+; nothing was rolled back/);
  });

  it('a rollback that does not settle either exits with the rollback-failed code', async () => {
    aws.behaviour.reader = 'failing';
    aws.rollbackBehaviour = 'hang';
    const h = makeHarness({ aws });
    expect(await deploy(h, '--service', 'reader', '--max-failed-tasks', '1', '--timeout', '1m')).toBe(ExitCode.RollbackFailed);
    expect(h.stdout()).toMatch(/ROLLBACK-FAILED/);
    expect(h.stdout()).toMatch(/reader\s+library-dev-reader:7\s+previous@[0-9a-f]{12}\s+0\/2\s+rollback-failed/);
  });

  it('--atomic rolls both services back when one fails', async () => {
    aws.behaviour.writer = 'breaker';
    const h = makeHarness({ aws });
    expect(await deploy(h, '--atomic')).toBe(ExitCode.RolledBack);
    expect(aws.service('reader').taskDefinition).toBe(tdArn(SERVICE.reader, 7));
    expect(aws.service('writer').taskDefinition).toBe(tdArn(SERVICE.writer, 12));
    expect(h.stdout()).toMatch(/reader\s+library-dev-reader:7\s+.*rolled-back/);
    expect(h.stdout()).toMatch(
      /reader: (rolled back with the other service \(--atomic\)|stopped following: another service failed \(--atomic\))/,
    );
  });

  it('a failed smoke check rolls the service back', async () => {
    await alb.close();
    alb = await startAlb({ reader: [503, '{"status":"error","error":{"database":{"status":"down"}}}'] });
    const h = makeHarness({ aws });
    expect(await deploy(h, '--service', 'reader')).toBe(ExitCode.RolledBack);
    expect(h.stderr()).toMatch(/✖ reader: GET http:\/\/127.0.0.1:\d+\/health\/ready → 503/);
    expect(aws.service('reader').taskDefinition).toBe(tdArn(SERVICE.reader, 7));
  });

  it('a service scaled to 0 (paused env) is deployed without a smoke check', async () => {
    await alb.close();
    alb = await startAlb({ reader: [503, '{"message":"Service Unavailable"}'] });
    const svc = aws.service('reader');
    svc.desired = 0;
    Object.assign(svc.deployments[0]!, { desiredCount: 0, runningCount: 0 });
    const h = makeHarness({ aws });
    expect(await deploy(h, '--service', 'reader')).toBe(ExitCode.Ok);
    expect(h.stderr()).toContain('smoke check skipped for library-dev-reader: desired count is 0 (paused?)');
    expect(alb.hits).toEqual([]);
  });

  it('a 502 from the ALB on the writer route fails the writer smoke check', async () => {
    await alb.close();
    alb = await startAlb({ writer: [502, '<html><body>502 Bad Gateway</body></html>'] });
    const h = makeHarness({ aws });
    expect(await deploy(h)).toBe(ExitCode.RolledBack);
    expect(aws.service('writer').taskDefinition).toBe(tdArn(SERVICE.writer, 12));
    expect(aws.service('reader').taskDefinition).toBe(tdArn(SERVICE.reader, 8));
  });
});

describe('deploy: guards and errors (W-7)', () => {
  it('if UpdateService is denied for the second service, the first one is judged and rolled back with --atomic', async () => {
    const { UpdateServiceCommand } = await import('@aws-sdk/client-ecs');
    const h = makeHarness({ aws });
    let n = 0;
    // the fake keeps serving the writer; the reader's UpdateService is denied
    aws.ecs.on(UpdateServiceCommand, { service: SERVICE.reader }).callsFake(async () => {
      n++;
      throw Object.assign(new Error('User: deployer is not authorized to perform: ecs:UpdateService on library-dev-reader'), {
        name: 'AccessDeniedException',
      });
    });
    const code = await deploy(h, '--atomic');
    expectWith(code, h.stderr() + h.stdout()).toBe(ExitCode.RolledBack);
    expect(n).toBe(1);
    expect(aws.service('writer').taskDefinition).toBe(tdArn(SERVICE.writer, 12));
    expect(h.stderr()).toMatch(/library-dev-reader: UpdateService failed: access denied: .*ecs:UpdateService/);
    expect(h.stdout()).toMatch(/reader: UpdateService failed/);
  });

  it('refuses while a deployment of the service is in progress, unless --force', async () => {
    aws.startForeignDeployment('reader');
    const h = makeHarness({ aws });
    expect(await deploy(h)).toBe(ExitCode.Preflight);
    expect(h.stderr()).toMatch(
      /✖ a deployment of library-dev-reader is still in progress \(ecs-svc\/999, IN_PROGRESS, library-dev-reader:7\)/,
    );
    expect(h.stderr()).toMatch(/fix: wait for it .*--force/);
    expect(aws.mutatingCalls()).toEqual([]);
    expect(h.dockerCalls()).toEqual([]);
  });

  it("replaces Terraform's never-started bootstrap revision without --force on the first deploy", async () => {
    aws.seedBootstrap('reader');
    aws.seedBootstrap('writer');
    const h = makeHarness({ aws });
    const code = await deploy(h);
    expectWith(code, h.stderr() + h.stdout()).toBe(ExitCode.Ok);
    expect(h.stderr()).not.toMatch(/still in progress/);
    expect(aws.service('reader').taskDefinition).not.toBe(tdArn(SERVICE.reader, 1));
    expect(aws.service('writer').taskDefinition).not.toBe(tdArn(SERVICE.writer, 1));
  });

  it('still refuses when the in-progress revision is one the CLI deployed and tasks are running', async () => {
    aws.startForeignDeployment('writer');
    const h = makeHarness({ aws });
    expect(await deploy(h)).toBe(ExitCode.Preflight);
  });

  it('maps expired credentials to one actionable line', async () => {
    aws.expiredCredentials = true;
    const h = makeHarness({ aws });
    expect(await deploy(h)).toBe(ExitCode.Preflight);
    expect(h.stderr()).toMatch(/✖ AWS credentials have expired \(ExpiredTokenException\)\n {2}fix: refresh them \(e\.g\. `aws sso login/);
  });

  it('a missing ECR repository is a preflight failure that says what to run', async () => {
    aws.missingRepositories.add('library/writer');
    const h = makeHarness({ aws });
    expect(await deploy(h)).toBe(ExitCode.Preflight);
    expect(h.stderr()).toMatch(/✖ ECR repository not found: The repository with name 'library\/writer' does not exist/);
    expect(h.stderr()).toMatch(/terraform apply/);
  });

  it('a service missing from the cluster is named', async () => {
    const h = makeHarness({ aws });
    expect(await h.run(['deploy', '--targets', FIXTURE, '--set', 'services.reader.service_name=nope'])).toBe(ExitCode.Preflight);
    expect(h.stderr()).toMatch(/✖ ECS service not found in cluster library-dev: nope \(MISSING\)/);
  });

  it('docker not running is a preflight failure', async () => {
    const h = makeHarness({ aws, dockerFail: 'info' });
    expect(await deploy(h)).toBe(ExitCode.Preflight);
    expect(h.stderr()).toMatch(/✖ docker is not running or not reachable: .*Cannot connect to the Docker daemon/);
    expect(h.stderr()).toMatch(/fix: start Docker Desktop/);
  });

  it('a docker build failure stops before any AWS change', async () => {
    const h = makeHarness({ aws, dockerFail: 'build' });
    expect(await deploy(h)).toBe(ExitCode.Build);
    expect(h.stderr()).toMatch(
      /✖ docker build failed: .*failed to solve: process "\/bin\/sh -c npm run build" did not complete successfully/,
    );
    expect(aws.mutatingCalls()).toEqual([]);
  });

  it('builds for the CPU architecture of Terraform’s revision unless --platform says otherwise', async () => {
    aws.taskDefs.get(TF_REVISION.reader)!.td.runtimePlatform = { cpuArchitecture: 'ARM64', operatingSystemFamily: 'LINUX' };
    const h = makeHarness({ aws });
    expect(await deploy(h)).toBe(ExitCode.Ok);
    const platforms = Object.fromEntries(
      h
        .dockerCalls()
        .filter((a) => a[0] === 'buildx')
        .map((a) => [a[a.indexOf('--build-arg') + 1], a[a.indexOf('--platform') + 1]]),
    );
    expect(platforms).toEqual({ 'APP=reader': 'linux/arm64', 'APP=writer': 'linux/amd64' });
  });

  it('--platform overrides, with a warning when it differs from Terraform’s revision', async () => {
    aws.taskDefs.get(TF_REVISION.reader)!.td.runtimePlatform = { cpuArchitecture: 'ARM64', operatingSystemFamily: 'LINUX' };
    const h = makeHarness({ aws });
    expect(await deploy(h, '--service', 'reader', '--platform', 'linux/amd64')).toBe(ExitCode.Ok);
    expect(h.stderr()).toContain("warning: --platform linux/amd64, but library-dev-reader:1 (Terraform's) runs on linux/arm64");
    const build = h.dockerCalls().find((a) => a[0] === 'buildx')!;
    expect(build[build.indexOf('--platform') + 1]).toBe('linux/amd64');
  });

  it('refuses a dirty tree, and --allow-dirty tags <commit>-dirty-<time>', async () => {
    const dirty = makeHarness({ aws, git: { isDirty: async () => true } });
    expect(await deploy(dirty)).toBe(ExitCode.Preflight);
    expect(dirty.stderr()).toMatch(/uncommitted changes/);
    const allowed = makeHarness({ aws, git: { isDirty: async () => true } });
    expect(await deploy(allowed, '--allow-dirty', '--service', 'reader')).toBe(ExitCode.Ok);
    expect(allowed.dockerCalls().find((a) => a[0] === 'push')![1]).toBe(`${REPO.reader}:${COMMIT}-dirty-20261127T120000Z`);
  });

  it('rejects bad flags as a usage error', async () => {
    const h = makeHarness({ aws });
    expect(await deploy(h, '--max-failed-tasks', 'zero')).toBe(ExitCode.Usage);
    expect(h.stderr()).toMatch(/invalid maxFailedTasks/);
    expect(await deploy(makeHarness({ aws }), '--service', 'db')).toBe(ExitCode.Usage);
    expect(await deploy(makeHarness({ aws }), '--bogus')).toBe(ExitCode.Usage);
  });
});

describe('deploy: plan and output', () => {
  it('--dry-run prints the exact plan and makes no mutating call', async () => {
    aws.images.set(`library/writer:${COMMIT}`, 'sha256:' + 'b'.repeat(64));
    const h = makeHarness({ aws });
    expect(await deploy(h, '--dry-run')).toBe(ExitCode.Ok);
    expect(aws.mutatingCalls()).toEqual([]);
    expect(h.dockerCalls()).toEqual([]);
    const out = h.stdout();
    expect(out).toContain(`Plan for env dev (cluster library-dev, eu-west-1) — commit ${COMMIT}`);
    expect(out).toContain(`${REPO.writer}:${COMMIT}`);
    expect(out).toContain(`digest sha256:${'b'.repeat(64)} (already in ECR: skip build and push)`);
    expect(out).toContain('not in ECR: docker buildx build --platform linux/amd64 --build-arg APP=reader');
    expect(out).toContain('container migrate command ["migrate"]');
    expect(out).toContain('subnets subnet-0a1, subnet-0b2; security groups sg-0writer; public IP no');
    expect(out).toContain(
      'library-dev-reader:7 → library-dev-reader:8, image 123456789012.dkr.ecr.eu-west-1.amazonaws.com/library/reader@<digest after push>',
    );
    expect(out).toContain("RunTask FARGATE from library-dev-migrate:2 (Terraform's library-dev-migrate:1, image");
    expect(out).toContain('Dry run: nothing was built, pushed, registered or updated.');
  });

  it('--dry-run --json lists the planned revisions and changes nothing', async () => {
    const h = makeHarness({ aws });
    expect(await deploy(h, '--dry-run', '--json')).toBe(ExitCode.Ok);
    const doc = JSON.parse(h.stdout());
    expect(doc.result).toBe('dry-run');
    expect(doc.services.map((s: { outcome: string; taskDefinition: string }) => [s.outcome, s.taskDefinition])).toEqual([
      ['planned', 'library-dev-reader:8'],
      ['planned', 'library-dev-writer:13'],
    ]);
    expect(doc.images.every((i: { built: boolean }) => !i.built)).toBe(true);
    expect(aws.mutatingCalls()).toEqual([]);
  });

  it('--json prints one result document on stdout and progress on stderr', async () => {
    const h = makeHarness({ aws });
    expect(await deploy(h, '--json')).toBe(ExitCode.Ok);
    const doc = JSON.parse(h.stdout());
    expect(doc).toMatchObject({
      command: 'deploy',
      result: 'deployed',
      exitCode: 0,
      env: 'dev',
      cluster: 'library-dev',
      commit: COMMIT,
      imageTag: COMMIT,
      actor: ACTOR,
      migration: { command: ['migrate'], exitCode: 0, taskDefinition: 'library-dev-migrate:2' },
      smoke: [
        expect.objectContaining({ service: 'writer', ok: true }),
        expect.objectContaining({ service: 'reader', ok: true, status: 200 }),
      ],
    });
    expect(doc.services).toHaveLength(2);
    expect(doc.services[0]).toMatchObject({
      service: 'reader',
      serviceName: SERVICE.reader,
      previousTaskDefinition: tdArn(SERVICE.reader, 7),
      taskDefinition: tdArn(SERVICE.reader, 8),
      image: `${REPO.reader}@${newDigest('reader')}`,
      digest: newDigest('reader'),
      deploymentId: expect.stringMatching(/^ecs-svc\//),
      outcome: 'deployed',
      running: 2,
      desired: 2,
      failedTasks: [],
      rollback: null,
    });
    expect(h.stderr()).toMatch(/▶ Preflight/);
  });

  it('--json on a failure still prints a JSON document', async () => {
    aws.expiredCredentials = true;
    const h = makeHarness({ aws });
    expect(await deploy(h, '--json')).toBe(ExitCode.Preflight);
    expect(JSON.parse(h.stdout())).toEqual({
      ok: false,
      exitCode: 3,
      error: { message: 'AWS credentials have expired (ExpiredTokenException)', hint: expect.stringContaining('aws sso login') },
    });
  });

  it('--json for a failed rollout lists the failed tasks and the rollback', async () => {
    aws.behaviour.writer = 'breaker';
    const h = makeHarness({ aws });
    expect(await deploy(h, '--json', '--service', 'writer')).toBe(ExitCode.RolledBack);
    const doc = JSON.parse(h.stdout());
    expect(doc.result).toBe('rolled-back');
    expect(doc.services[0].failedTasks[0]).toMatchObject({
      stopCode: 'EssentialContainerExited',
      exitCode: 1,
      lastLogLines: expect.arrayContaining([expect.stringContaining('DB_SSL')]),
    });
    expect(doc.services[0].rollback).toMatchObject({ by: 'ecs', outcome: 'completed', taskDefinition: tdArn(SERVICE.writer, 12) });
  });

  it('non-TTY output is plain timestamped lines, one event per line', async () => {
    const h = makeHarness({ aws, interactive: false });
    await deploy(h);
    const lines = h.stderr().trim().split('\n');
    expect(lines.every((l) => /^2026-11-27T\d\d:\d\d:\d\dZ /.test(l))).toBe(true);
    expect(h.stderr()).toMatch(/✔ Roll out library-dev-writer library-dev-writer:13 \(\d+\.\ds\)/);
    expect(h.stderr()).not.toMatch(/\u001b\[/); // no ANSI escapes
  });

  it('--env dev reads `terraform -chdir=terraform/envs/dev output -json` once (fake terraform on PATH)', async () => {
    const h = makeHarness({ aws });
    expect(await h.run(['deploy', '--env', 'dev', '--set', `app_url=${alb.url}`])).toBe(ExitCode.Ok);
    expect(h.terraformCalls()).toEqual([
      [`-chdir=${COMMIT && (await import('./harness.js')).REPO_ROOT}/terraform/envs/dev`, 'output', '-no-color', '-json'],
    ]);
  });

  it('a terraform failure names the env and its first error line (fake terraform on PATH)', async () => {
    const h = makeHarness({ aws, terraformFail: true });
    expect(await h.run(['deploy', '--env', 'dev'])).toBe(ExitCode.Preflight);
    expect(h.stderr()).toMatch(
      /✖ terraform output failed for env "dev" \(.*terraform\/envs\/dev\): Error: Backend initialization required, please run "terraform init"\n {2}fix: run `terraform -chdir=/,
    );
    expect(aws.calls).toEqual([]);
  });

  it('a default command: `deploy --env dev` without the subcommand name', async () => {
    const h = makeHarness({ aws });
    expect(await h.run(['--env', 'dev', '--set', `app_url=${alb.url}`, '--dry-run'])).toBe(ExitCode.Ok);
    expect(h.stdout()).toContain('Plan for env dev');
  });
});

describe('deploy: the tracing collector in this account (issue 23)', () => {
  const COLLECTOR_REPO = `${REPO.reader.split('/')[0]}/library-dev/otel-collector`;
  const SOURCE = 'public.ecr.aws/aws-observability/aws-otel-collector:v0.49.0';
  const withCollector = () => {
    const fixture = JSON.parse(readFileSync(FIXTURE, 'utf8'));
    fixture.otel_collector.value = { source_image: SOURCE, repository_url: COLLECTOR_REPO, tag: 'v0.49.0' };
    const targets = join(mkdtempSync(join(tmpdir(), 'collector-targets-')), 'outputs.json');
    writeFileSync(targets, JSON.stringify(fixture));
    return targets;
  };
  const run = (h: Harness, targets: string) => h.run(['deploy', '--targets', targets, '--set', `app_url=${alb.url}`]);

  it('mirrors the pinned upstream image into its repository when ECR lacks the tag, before anything rolls out', async () => {
    const targets = withCollector();
    const h = makeHarness({ aws });
    expectWith(await run(h, targets), h.stderr()).toBe(ExitCode.Ok);
    const docker = h.dockerCalls();
    const pull = docker.findIndex((a) => a[0] === 'pull');
    expect(docker[pull]).toEqual(['pull', '--platform', 'linux/amd64', SOURCE]);
    expect(docker[pull + 1]).toEqual(['tag', SOURCE, `${COLLECTOR_REPO}:v0.49.0`]);
    expect(docker[pull + 2]).toEqual(['push', `${COLLECTOR_REPO}:v0.49.0`]);
    // DescribeImages said the tag was missing, then lists it after the push; the first RunTask comes after.
    const names = aws.commandNames();
    const collectorLookups = aws.calls.filter(
      (c) => c.command === 'DescribeImages' && c.input.repositoryName === 'library-dev/otel-collector',
    );
    expect(collectorLookups).toHaveLength(2);
    expect(aws.calls.indexOf(collectorLookups[1]!)).toBeLessThan(names.indexOf('RunTask'));
    expect(h.stderr()).toContain(`tracing collector mirrored: ${SOURCE} → ${COLLECTOR_REPO}:v0.49.0`);

    // The next deploy finds the tag and pulls nothing.
    const again = makeHarness({ aws });
    aws.images.set(`library/reader:${COMMIT}`, fakeDigest('x'));
    await again.run(['deploy', '--targets', targets, '--set', `app_url=${alb.url}`, '--force']);
    expect(again.dockerCalls().filter((a) => a[0] === 'pull')).toEqual([]);
  });

  it('a pull that fails (no route to public.ecr.aws) stops the deploy before any rollout, with what to do', async () => {
    const targets = withCollector();
    const h = makeHarness({ aws, dockerFail: 'pull' });
    expect(await run(h, targets)).toBe(ExitCode.Build);
    expect(h.stderr()).toMatch(
      /✖ mirroring the tracing collector failed: docker pull failed .*\n {2}fix: this machine must reach public\.ecr\.aws once/,
    );
    expect(aws.mutatingCalls()).toEqual([]);
  });

  it('without tracing (otel_collector null) nothing is mirrored', async () => {
    const h = makeHarness({ aws });
    expectWith(await deploy(h), h.stderr()).toBe(ExitCode.Ok);
    expect(h.dockerCalls().filter((a) => ['pull', 'tag'].includes(a[0]!))).toEqual([]);
  });
});

describe('deploy: outage alarms after the first healthy rollout (issue 23)', () => {
  it('turns the outage alarms on once both services rolled out healthy', async () => {
    const h = makeHarness({ aws });
    expectWith(await deploy(h), h.stderr()).toBe(ExitCode.Ok);
    const names = ['library-dev-db-down', 'library-dev-reader-no-healthy-hosts', 'library-dev-writer-no-healthy-hosts'];
    expect(names.map((n) => aws.alarmActions.get(n))).toEqual([true, true, true]);
    const cmds = aws.commandNames();
    expect(cmds.indexOf('EnableAlarmActions')).toBeGreaterThan(cmds.lastIndexOf('UpdateService'));
  });

  it('a failed rollout leaves them as they were', async () => {
    aws.behaviour = { reader: 'breaker' };
    const h = makeHarness({ aws });
    expect(await deploy(h)).not.toBe(ExitCode.Ok);
    expect(aws.commandNames()).not.toContain('EnableAlarmActions');
  });
});
