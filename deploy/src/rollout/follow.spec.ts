import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { DescribeServicesCommand, ECSClient, ListTasksCommand, type Deployment } from '@aws-sdk/client-ecs';
import { DescribeTargetHealthCommand, ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { followDeployment } from './follow.js';

const NEW = 'arn:aws:ecs:eu-west-1:1:task-definition/reader:8';
const OLD = 'arn:aws:ecs:eu-west-1:1:task-definition/reader:7';
const ecsMock = mockClient(ECSClient);
const elbMock = mockClient(ElasticLoadBalancingV2Client);
const logsMock = mockClient(CloudWatchLogsClient);

beforeEach(() => {
  ecsMock.reset();
  elbMock.reset();
  logsMock.reset();
  ecsMock.on(ListTasksCommand).resolves({ taskArns: [] });
  elbMock.on(DescribeTargetHealthCommand).resolves({ TargetHealthDescriptions: [] });
});
afterEach(() => undefined);

function states(...deployments: Deployment[][]) {
  const chain = ecsMock.on(DescribeServicesCommand);
  let c = chain;
  for (const d of deployments)
    c = c.resolvesOnce({ services: [{ serviceName: 'reader', status: 'ACTIVE', desiredCount: 2, deployments: d }] });
  c.resolves({ services: [{ serviceName: 'reader', status: 'ACTIVE', desiredCount: 2, deployments: deployments.at(-1) }] });
}

const base = {
  cluster: 'c',
  serviceName: 'reader',
  deploymentId: 'ecs-svc/new',
  taskDefinitionArn: NEW,
  containerName: 'reader',
  logGroup: '/ecs/reader',
  intervalMs: 10,
  maxIntervalMs: 10,
};
function input(extra: Partial<Parameters<typeof followDeployment>[0]> = {}) {
  let now = 0;
  return {
    ecs: new ECSClient({ region: 'eu-west-1' }),
    elbv2: new ElasticLoadBalancingV2Client({ region: 'eu-west-1' }),
    logs: new CloudWatchLogsClient({ region: 'eu-west-1' }),
    ...base,
    deadline: 1_000,
    now: () => now,
    sleep: async (ms: number) => {
      now += ms;
    },
    ...extra,
  };
}
const step = { update: () => {}, log: () => {}, skip: () => {} };
const ours = (d: Partial<Deployment>): Deployment => ({
  id: 'ecs-svc/new',
  status: 'PRIMARY',
  taskDefinition: NEW,
  desiredCount: 2,
  runningCount: 0,
  rolloutState: 'IN_PROGRESS',
  ...d,
});
const old = (d: Partial<Deployment> = {}): Deployment => ({
  id: 'ecs-svc/old',
  status: 'ACTIVE',
  taskDefinition: OLD,
  desiredCount: 2,
  runningCount: 2,
  rolloutState: 'COMPLETED',
  ...d,
});

describe('followDeployment: stable is not deployed (W-2)', () => {
  it('succeeds only when OUR deployment is COMPLETED and PRIMARY runs our task definition', async () => {
    states([ours({}), old()], [ours({ runningCount: 2, rolloutState: 'COMPLETED' })]);
    const v = await followDeployment(input(), step);
    expect(v).toMatchObject({ outcome: 'completed', running: 2, desired: 2 });
  });

  it('fails when PRIMARY is back on the old revision, even though the service is stable', async () => {
    // our deployment vanished and the old revision is PRIMARY with running == desired: "services-stable" would say success
    states([ours({}), old()], [old({ id: 'ecs-svc/rollback', status: 'PRIMARY' })]);
    const v = await followDeployment(input(), step);
    expect(v).toMatchObject({ outcome: 'failed', rolledBackByEcs: true });
    expect((v as { reason: string }).reason).toMatch(/circuit breaker rolled back: PRIMARY runs reader:7 again, not reader:8/);
  });

  it('fails at once when ECS marks our deployment FAILED', async () => {
    states([
      ours({ rolloutState: 'FAILED', rolloutStateReason: 'ECS deployment circuit breaker: tasks failed to start.', status: 'ACTIVE' }),
      old({ id: 'ecs-svc/rb', status: 'PRIMARY', rolloutState: 'IN_PROGRESS' }),
    ]);
    const v = await followDeployment(input(), step);
    expect(v).toMatchObject({ outcome: 'failed', rolledBackByEcs: true });
    expect(ecsMock.commandCalls(DescribeServicesCommand)).toHaveLength(1);
  });

  it('ignores another deployment completing: it follows its own id', async () => {
    states(
      [ours({}), { id: 'ecs-svc/other', status: 'ACTIVE', taskDefinition: NEW, rolloutState: 'COMPLETED', runningCount: 2 }],
      [ours({ runningCount: 1 })],
      [ours({ runningCount: 2, rolloutState: 'COMPLETED' })],
    );
    const v = await followDeployment(input(), step);
    expect(v.outcome).toBe('completed');
    expect(ecsMock.commandCalls(DescribeServicesCommand)).toHaveLength(3);
  });

  it('tolerates an eventually consistent DescribeServices that still shows the old PRIMARY right after UpdateService', async () => {
    states([old({ status: 'PRIMARY' })], [ours({}), old()], [ours({ runningCount: 2, rolloutState: 'COMPLETED' })]);
    const v = await followDeployment(input(), step);
    expect(v.outcome).toBe('completed');
  });

  it('but not forever: our deployment never showing up is a failure after a few polls', async () => {
    states([old({ status: 'PRIMARY' })]);
    const v = await followDeployment(input({ deadline: 100_000 }), step);
    expect(v).toMatchObject({ outcome: 'failed' });
    expect(ecsMock.commandCalls(DescribeServicesCommand)).toHaveLength(4);
  });

  it('returns timeout at the deadline', async () => {
    states([ours({}), old()]);
    const v = await followDeployment(input({ deadline: 100 }), step);
    expect(v).toMatchObject({ outcome: 'timeout' });
  });

  it('keeps following through throttled DescribeServices calls', async () => {
    const updates: string[] = [];
    ecsMock
      .on(DescribeServicesCommand)
      .rejectsOnce(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }))
      .resolves({
        services: [{ serviceName: 'reader', status: 'ACTIVE', deployments: [ours({ runningCount: 2, rolloutState: 'COMPLETED' })] }],
      });
    const v = await followDeployment(input(), { ...step, update: (l) => updates.push(l) });
    expect(v.outcome).toBe('completed');
    expect(updates[0]).toBe('AWS said ThrottlingException; retrying with backoff');
  });
});
