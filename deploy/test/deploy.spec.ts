import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ExitCode } from '../src/exit-codes.js';
import { ACTOR, CLUSTER, FakeAws, fakeDigest, OLD_DIGEST, REPO, SERVICE, tdArn } from './fake-aws.js';
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
    expect(code, h.stderr()).toBe(ExitCode.Ok);

    // docker: daemon check, one login per registry, parallel builds, pushes, digests
    const docker = h.dockerCalls();
    expect(docker[0]).toEqual(['info', '--format', '{{.ServerVersion}}']);
    expect(docker[1]).toEqual(['login', '--username', 'AWS', '--password-stdin', '123456789012.dkr.ecr.eu-west-1.amazonaws.com']);
    const builds = docker.filter((a) => a[0] === 'buildx');
    expect(builds).toHaveLength(2);
    expect(builds.map((b) => b[b.indexOf('--build-arg') + 1]).sort()).toEqual(['APP=reader', 'APP=writer']);
    expect(builds[0]).toEqual(expect.arrayContaining(['--platform', 'linux/amd64', '--tag']));
    expect(docker.filter((a) => a[0] === 'push').map((a) => a[1]).sort()).toEqual([`${REPO.reader}:${COMMIT}`, `${REPO.writer}:${COMMIT}`]);

    // AWS order (W-5): preflight → migrate → register → update → follow
    const names = aws.commandNames();
    const first = (n: string) => names.indexOf(n);
    expect(first('GetCallerIdentity')).toBeLessThan(first('DescribeServices'));
    expect(first('GetAuthorizationToken')).toBeGreaterThan(first('DescribeImages'));
    expect(first('RunTask')).toBeGreaterThan(first('RegisterTaskDefinition'));
    expect(first('UpdateService')).toBeGreaterThan(first('RunTask'));
    const mutating = aws.mutatingCalls().map((c) => `${c.command} ${String(c.input.family ?? c.input.service ?? c.input.taskDefinition)}`);
    expect(mutating).toEqual([
      'RegisterTaskDefinition library-dev-writer',
      `RunTask ${tdArn('library-dev-writer', 13)}`,
      'RegisterTaskDefinition library-dev-reader',
      'UpdateService library-dev-writer',
      'UpdateService library-dev-reader',
    ]);

    // RunTask: the new writer revision, command ["migrate"], network from the outputs
    const run = aws.calls.find((c) => c.command === 'RunTask')!.input;
    expect(run).toMatchObject({
      cluster: CLUSTER,
      launchType: 'FARGATE',
      networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-0a1', 'subnet-0b2'], securityGroups: ['sg-0writer'], assignPublicIp: 'DISABLED' } },
      overrides: { containerOverrides: [{ name: 'writer', command: ['migrate'] }] },
    });

    // Register: copy of the live revision, only the image changed, pinned by digest, with tags
    const reg = aws.calls.filter((c) => c.command === 'RegisterTaskDefinition').map((c) => c.input as Record<string, any>);
    const writerReg = reg.find((r) => r.family === SERVICE.writer)!;
    expect(writerReg.containerDefinitions[0].image).toBe(`${REPO.writer}@${newDigest('writer')}`);
    expect(writerReg.containerDefinitions[0].environment).toEqual(aws.taskDefs.get(tdArn(SERVICE.writer, 12))!.td.containerDefinitions![0]!.environment);
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
    expect(updates[0]).toEqual({ cluster: CLUSTER, service: SERVICE.writer, taskDefinition: tdArn(SERVICE.writer, 13), forceNewDeployment: true });

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
