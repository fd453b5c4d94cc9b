/**
 * Issue 27: prod deploys with ECS's canary strategy. Through the real CLI entry against FakeAws('prod'), whose
 * service deployments follow the ECS API Reference (fake-service-deployments.ts) on the simulated clock.
 */
import { ECSClient, UpdateServiceCommand, type ServiceDeployment, type UpdateServiceCommandInput } from '@aws-sdk/client-ecs';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { expectWith } from '../../test/support/expect-with.js';
import type { DeployReport } from '../src/deploy/report.js';
import { ExitCode } from '../src/exit-codes.js';
import { FakeAws, FIXTURES, tdArn } from './fake-aws.js';
import { makeHarness, startAlb, type Harness, type HarnessOptions } from './harness.js';

let aws: FakeAws;
let alb: Awaited<ReturnType<typeof startAlb>>;

beforeEach(async () => {
  aws = new FakeAws('prod');
  alb = await startAlb();
});
afterEach(async () => {
  aws.restore();
  await alb.close();
});

const prod = (opts: HarnessOptions = {}) => makeHarness({ aws, env: { FAKE_TERRAFORM_OUTPUT: FIXTURES.prod }, ...opts });
/** The next CLI run, `ms` after the run `h` ended (ECS's clock moved on meanwhile). */
const after = (h: Harness, ms = 0) => {
  const next = prod();
  next.clock.now = h.clock.now + ms;
  return next;
};
const run = (h: Harness, ...args: string[]) => h.run([...args, '--env', 'prod', '--set', `app_url=${alb.url}`]);
const READER = 'library-prod-reader';
const WRITER = 'library-prod-writer';
const updates = (service: string) =>
  aws.calls
    .filter((c) => c.command === 'UpdateService' && c.input.service === service)
    .map((c) => c.input as unknown as UpdateServiceCommandInput);
/** Every answer DescribeServiceDeployments gave for a service: what the CLI saw. */
const seen = (service: string) =>
  aws.calls
    .filter((c) => c.command === 'DescribeServiceDeployments')
    .flatMap((c) => (c.output?.serviceDeployments as ServiceDeployment[] | undefined) ?? [])
    .filter((sd) => sd.serviceArn?.endsWith(`/${service}`));
const stage = (service: string, s: string) => () => aws.serviceDeployments.of(service).at(-1)?.lifecycleStage === s;

describe('deploy --env prod: ECS canary', () => {
  it('a healthy canary: test traffic, the hook, 10 % for 5 minutes, 100 %, the bake, then SUCCESSFUL (exit 0)', async () => {
    const h = prod();
    const code = await run(h, 'deploy', '--json');
    expectWith(code, h.stderr()).toBe(ExitCode.Ok);

    // UpdateService sets the strategy from `delivery`, keeps Terraform's settings, and names the alternate target group.
    const delivery = aws.w.delivery.reader!;
    const [update] = updates(READER);
    expect(update!.deploymentConfiguration).toEqual({
      maximumPercent: 200,
      minimumHealthyPercent: 100,
      deploymentCircuitBreaker: { enable: true, rollback: true },
      strategy: 'CANARY',
      bakeTimeInMinutes: 10,
      canaryConfiguration: { canaryPercent: 10, canaryBakeTimeInMinutes: 5 },
      lifecycleHooks: [
        {
          targetType: 'AWS_LAMBDA',
          hookTargetArn: delivery.hook!.function_arn,
          roleArn: delivery.hook!.role_arn,
          lifecycleStages: ['POST_TEST_TRAFFIC_SHIFT'],
        },
      ],
      alarms: { alarmNames: delivery.rollback_alarm_names, enable: true, rollback: true },
    });
    expect(update!.loadBalancers).toEqual([
      {
        targetGroupArn: delivery.load_balancer!.target_group_arn,
        containerName: 'reader',
        containerPort: 8000,
        advancedConfiguration: {
          alternateTargetGroupArn: delivery.load_balancer!.alternate_target_group_arn,
          productionListenerRule: delivery.load_balancer!.production_listener_rule_arn,
          testListenerRule: delivery.load_balancer!.test_listener_rule_arn,
          roleArn: delivery.load_balancer!.role_arn,
        },
      },
    ]);

    // The stages and the split, live on stderr and in the report.
    const err = h.stderr();
    expect(err).toContain('IN_PROGRESS TEST_TRAFFIC_SHIFT: production 0% new / 100% old, test 100% new');
    expect(err).toContain('IN_PROGRESS PRODUCTION_TRAFFIC_SHIFT: production 10% new / 90% old, test 100% new');
    expect(err).toContain('IN_PROGRESS BAKE_TIME: production 100% new / 0% old');
    const report = JSON.parse(h.stdout()) as DeployReport;
    expect(report.result).toBe('deployed');
    const reader = report.services.find((s) => s.service === 'reader')!;
    expect(reader.serviceDeployment!.status).toBe('SUCCESSFUL');
    const weights = reader.serviceDeployment!.timeline.map((t) => t.production);
    expect(weights).toEqual([...weights].sort((a, b) => a - b)); // only ever up
    expect(weights).toEqual(expect.arrayContaining([0, 10, 100]));
    // The canary bake and the bake ran their length on ECS's clock before SUCCESSFUL.
    const [sd] = aws.serviceDeployments.of(READER);
    expect(sd!.finishedAt!.getTime() - sd!.startedAt!.getTime()).toBeGreaterThanOrEqual(15 * 60_000);

    // The hook checked test traffic before any production traffic; the CLI does not smoke-check again.
    expect(aws.serviceDeployments.hookInvocations).toEqual(
      expect.arrayContaining([{ service: READER, stage: 'POST_TEST_TRAFFIC_SHIFT', production: 0 }]),
    );
    expect(alb.hits).toEqual([]);
    expect(err).toContain('done by the lifecycle hook on test traffic');
  });

  it('--dry-run names the strategy, the target group that takes the new revision, the hook and the alarms', async () => {
    const h = prod();
    expectWith(await run(h, 'deploy', '--dry-run'), h.stderr()).toBe(ExitCode.Ok);
    const lb = aws.w.delivery.reader!.load_balancer!;
    expect(h.stdout()).toContain(
      `CANARY 10% for 5m, bake 10m: new revision on ${lb.alternate_target_group_arn}, production stays on ${lb.target_group_arn} until the shift`,
    );
    expect(h.stdout()).toContain(
      `hook arn:aws:lambda:eu-west-1:123456789012:function:library-prod-smoke-hook at POST_TEST_TRAFFIC_SHIFT; roll back on ${READER}-5xx-rate, ${READER}-p99, ${READER}-healthy-hosts`,
    );
    expect(aws.mutatingCalls()).toEqual([]);
  });

  it.each([
    [
      'LINEAR 25 % every 2 minutes',
      { strategy: 'LINEAR', canary: null, linear: { step_percent: 25, step_bake_time_minutes: 2 } },
      [0, 25, 50, 75, 100],
    ],
    ['BLUE_GREEN', { strategy: 'BLUE_GREEN', canary: null, linear: null }, [0, 100]],
  ])('%s: the production weights the CLI reports step as ECS shifts them', async (_name, change, weights) => {
    const delivery = JSON.stringify({ ...aws.w.delivery.reader, ...change });
    const h = prod();
    const code = await run(h, 'deploy', '--service', 'reader', '--json', '--set', `services.reader.delivery=${delivery}`);
    expectWith(code, h.stderr()).toBe(ExitCode.Ok);
    expect(updates(READER)[0]!.deploymentConfiguration!.strategy).toBe(change.strategy);
    const report = JSON.parse(h.stdout()) as DeployReport;
    const timeline = report.services.find((x) => x.service === 'reader')!.serviceDeployment!.timeline;
    expect([...new Set(timeline.map((t) => t.production))]).toEqual(weights);
  });

  it('the next deploy names the target groups the other way round: ECS swapped them when the canary succeeded', async () => {
    const lb = aws.w.delivery.reader!.load_balancer!;
    expectWith(await run(prod(), 'deploy', '--service', 'reader'), '').toBe(ExitCode.Ok);
    const h = prod();
    expectWith(await run(h, 'deploy', '--service', 'reader', '--force'), h.stderr()).toBe(ExitCode.Ok);
    const [first, second] = updates(READER);
    expect(first!.loadBalancers![0]).toMatchObject({
      targetGroupArn: lb.target_group_arn,
      advancedConfiguration: { alternateTargetGroupArn: lb.alternate_target_group_arn },
    });
    expect(second!.loadBalancers![0]).toMatchObject({
      targetGroupArn: lb.alternate_target_group_arn,
      advancedConfiguration: { alternateTargetGroupArn: lb.target_group_arn },
    });
  });

  it('an alarm during the bake: ECS rolls back to the running revision, no new deployment (exit 6, with its reason)', async () => {
    aws.serviceDeployments.tripAlarm.push({ service: WRITER, stage: 'BAKE_TIME', alarm: `${WRITER}-5xx-rate` });
    const h = prod();
    const code = await run(h, 'deploy');
    expectWith(code, h.stderr()).toBe(ExitCode.RolledBack);
    expect(h.stdout()).toContain(`writer: ECS rolled back: CloudWatch alarm(s) ${WRITER}-5xx-rate in ALARM state.`);
    expect(h.stderr()).toContain('ROLLBACK_IN_PROGRESS BAKE_TIME: production 0% new / 100% old');
    // One UpdateService per service: the rollback was ECS's, on the revision still running.
    expect(updates(WRITER)).toHaveLength(1);
    expect(aws.service('writer').taskDefinition).toBe(tdArn(WRITER, 12));
    expect(aws.serviceDeployments.of(WRITER)[0]!.status).toBe('ROLLBACK_SUCCESSFUL');
    // The reader's canary was healthy and stays.
    expect(aws.service('reader').taskDefinition).toBe(tdArn(READER, 8));
  });

  it('a failing hook stops the deployment before any production traffic reaches the new revision (exit 6)', async () => {
    aws.serviceDeployments.hookResults.set(READER, 'FAILED');
    const h = prod();
    const code = await run(h, 'deploy', '--service', 'reader');
    expectWith(code, h.stderr()).toBe(ExitCode.RolledBack);
    expect(h.stdout()).toContain(
      'reader: ECS rolled back: Lifecycle hook arn:aws:lambda:eu-west-1:123456789012:function:library-prod-smoke-hook',
    );
    const answers = seen(READER);
    expect(answers.length).toBeGreaterThan(1);
    expect(Math.max(...answers.map((sd) => sd.targetServiceRevision?.requestedProductionTrafficWeight ?? 0))).toBe(0);
    expect(answers.at(-1)!.status).toBe('ROLLBACK_SUCCESSFUL');
    expect(aws.service('reader').taskDefinition).toBe(tdArn(READER, 7));
  });

  it('--atomic: the writer fails its hook, so the reader still in flight is stopped with ROLLBACK too (exit 6)', async () => {
    aws.serviceDeployments.hookResults.set(WRITER, 'FAILED');
    const h = prod();
    const code = await run(h, 'deploy', '--atomic');
    expectWith(code, h.stderr()).toBe(ExitCode.RolledBack);
    expect(aws.calls.filter((c) => c.command === 'StopServiceDeployment').map((c) => String(c.input.serviceDeploymentArn))).toEqual([
      aws.serviceDeployments.of(READER)[0]!.serviceDeploymentArn,
    ]);
    expect(updates(READER)).toHaveLength(1);
    expect(aws.service('reader').taskDefinition).toBe(tdArn(READER, 7));
    expect(aws.service('writer').taskDefinition).toBe(tdArn(WRITER, 12));
  });

  it('new tasks that keep failing: the circuit breaker rolls back (exit 6); --max-failed-tasks stops it sooner with ROLLBACK', async () => {
    aws.serviceDeployments.failingTasks.add(READER);
    const h = prod();
    expectWith(await run(h, 'deploy', '--service', 'reader'), h.stderr()).toBe(ExitCode.RolledBack);
    expect(h.stdout()).toContain('reader: ECS rolled back: ECS deployment circuit breaker: tasks failed to start.');
    expect(aws.calls.filter((c) => c.command === 'StopServiceDeployment')).toEqual([]);

    const again = after(h, 60 * 60_000);
    expectWith(await run(again, 'deploy', '--service', 'reader', '--force', '--max-failed-tasks', '1'), again.stderr()).toBe(
      ExitCode.RolledBack,
    );
    expect(again.stdout()).toContain('reader: 1 task(s) of the new revision failed (--max-failed-tasks 1); ECS rolled back');
    expect(aws.calls.filter((c) => c.command === 'StopServiceDeployment')).toHaveLength(1);
    expect(aws.service('reader').taskDefinition).toBe(tdArn(READER, 7));
  });

  it('ListServiceDeployments lagging behind UpdateService (eventual consistency) only delays following', async () => {
    aws.serviceDeployments.listLag = 3;
    const h = prod();
    expectWith(await run(h, 'deploy', '--service', 'reader'), h.stderr()).toBe(ExitCode.Ok);
    expect(aws.calls.filter((c) => c.command === 'ListServiceDeployments').length).toBeGreaterThanOrEqual(4);
  });

  it('--timeout: the CLI stops the deployment with ROLLBACK and waits for it (exit 7)', async () => {
    const h = prod();
    const code = await run(h, 'deploy', '--service', 'reader', '--timeout', '1m');
    expectWith(code, h.stderr()).toBe(ExitCode.Timeout);
    expect(aws.calls.filter((c) => c.command === 'StopServiceDeployment').map((c) => c.input.stopType)).toEqual(['ROLLBACK']);
    expect(aws.serviceDeployments.of(READER)[0]!.status).toBe('ROLLBACK_SUCCESSFUL');
    expect(aws.service('reader').taskDefinition).toBe(tdArn(READER, 7));
  });

  it('the CLI killed mid-canary: ECS carries on; `status` shows the stage and split, then what ECS did', async () => {
    const h = prod({ interruptWhen: stage(READER, 'PRODUCTION_TRAFFIC_SHIFT') });
    expectWith(await run(h, 'deploy', '--service', 'reader'), h.stderr()).toBe(ExitCode.Interrupted);
    expect(aws.calls.filter((c) => c.command === 'StopServiceDeployment')).toEqual([]);

    const during = after(h);
    expectWith(await run(during, 'status', '--service', 'reader'), during.stderr()).toBe(ExitCode.Ok);
    expect(during.stdout()).toMatch(/in flight sd\d+ \(CANARY 10% for 5m, bake 10m\), running for \dm\d\ds/);
    expect(during.stdout()).toContain('IN_PROGRESS PRODUCTION_TRAFFIC_SHIFT: production 10% new / 90% old, test 100% new');

    const later = after(h, 30 * 60_000);
    expectWith(await run(later, 'status', '--service', 'reader', '--json'), later.stderr()).toBe(ExitCode.Ok);
    const status = JSON.parse(later.stdout()) as { services: { taskDefinition: string; serviceDeployment: Record<string, unknown> }[] };
    expect(status.services[0]!.taskDefinition).toBe(tdArn(READER, 8));
    expect(status.services[0]!.serviceDeployment).toMatchObject({ inFlight: false, status: 'SUCCESSFUL', production: 100 });
  });

  it('`rollback` during the bake stops the deployment (StopServiceDeployment ROLLBACK); the old revision serves again', async () => {
    const h = prod({ interruptWhen: stage(READER, 'BAKE_TIME') });
    expectWith(await run(h, 'deploy', '--service', 'reader'), h.stderr()).toBe(ExitCode.Interrupted);
    const before = aws.calls.length;

    const rb = after(h);
    const code = await run(rb, 'rollback', 'reader', '--json');
    expectWith(code, rb.stderr()).toBe(ExitCode.Ok);
    const calls = aws.calls.slice(before);
    expect(calls.filter((c) => c.command === 'UpdateService')).toEqual([]);
    expect(calls.filter((c) => c.command === 'StopServiceDeployment').map((c) => c.input)).toEqual([
      { serviceDeploymentArn: aws.serviceDeployments.of(READER)[0]!.serviceDeploymentArn, stopType: 'ROLLBACK' },
    ]);
    expect(aws.serviceDeployments.of(READER)[0]!.status).toBe('ROLLBACK_SUCCESSFUL');
    expect(aws.service('reader').taskDefinition).toBe(tdArn(READER, 7));
    expect(JSON.parse(rb.stdout())).toMatchObject({ services: [{ outcome: 'completed', to: tdArn(READER, 7), restoredBy: 'ecs' }] });
  });

  it('`rollback` while ECS already rolls back (an alarm fired): no second stop, it waits for ROLLBACK_SUCCESSFUL', async () => {
    aws.serviceDeployments.tripAlarm.push({ service: READER, stage: 'BAKE_TIME', alarm: `${READER}-p99` });
    const rollingBack = () => aws.serviceDeployments.of(READER).at(-1)?.status === 'ROLLBACK_IN_PROGRESS';
    const h = prod({ interruptWhen: rollingBack });
    expectWith(await run(h, 'deploy', '--service', 'reader'), h.stderr()).toBe(ExitCode.Interrupted);
    expect(rollingBack()).toBe(true);

    const rb = after(h);
    expectWith(await run(rb, 'rollback', 'reader'), rb.stderr()).toBe(ExitCode.Ok);
    expect(aws.calls.filter((c) => c.command === 'StopServiceDeployment')).toEqual([]);
    expect(aws.serviceDeployments.of(READER)[0]!.status).toBe('ROLLBACK_SUCCESSFUL');
    expect(aws.service('reader').taskDefinition).toBe(tdArn(READER, 7));
  });
});

describe('bad settings change nothing', () => {
  it('a `delivery` the contract refuses (a canary percent that is not a multiple of 0.1) is exit 3 before the migration', async () => {
    const bad = JSON.stringify({ ...aws.w.delivery.reader, canary: { percent: 10.05, bake_time_minutes: 5 } });
    const h = prod();
    const code = await run(h, 'deploy', '--set', `services.reader.delivery=${bad}`);
    expectWith(code, h.stderr()).toBe(ExitCode.Preflight);
    expect(h.stderr()).toContain('services.reader.delivery.canary.percent');
    expect(aws.mutatingCalls()).toEqual([]);
  });

  it('a service routing to neither target group of its pair is exit 3 before the migration', async () => {
    aws.service('writer').loadBalancers[0]!.targetGroupArn = 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/by-hand/0f0f';
    const h = prod();
    const code = await run(h, 'deploy');
    expectWith(code, h.stderr()).toBe(ExitCode.Preflight);
    expect(h.stderr()).toContain(`${WRITER} routes to arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/by-hand/0f0f`);
    expect(aws.mutatingCalls()).toEqual([]);
  });

  it.each([
    ['canaryConfiguration with LINEAR', { strategy: 'LINEAR', canaryConfiguration: { canaryPercent: 10 } }],
    ['a step of 2 %', { strategy: 'LINEAR', linearConfiguration: { stepPercent: 2 } }],
    ['BLUE_GREEN without bakeTimeInMinutes', { strategy: 'BLUE_GREEN' }],
    [
      'a hook on BAKE_TIME',
      { strategy: 'CANARY', lifecycleHooks: [{ hookTargetArn: 'arn:f', roleArn: 'arn:r', lifecycleStages: ['BAKE_TIME'] }] },
    ],
    ['CANARY without the load balancer pair', { strategy: 'CANARY' }],
  ])('the fake ECS refuses %s with InvalidParameterException, as UpdateService does', async (_name, deploymentConfiguration) => {
    const ecs = new ECSClient({ region: 'eu-west-1' });
    const input = { cluster: 'library-prod', service: READER, deploymentConfiguration } as UpdateServiceCommandInput;
    await expect(ecs.send(new UpdateServiceCommand(input))).rejects.toMatchObject({ name: 'InvalidParameterException' });
    expect(aws.service('reader').deploymentConfiguration.strategy).toBeUndefined();
  });
});
