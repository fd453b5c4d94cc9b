/**
 * A small, stateful stand-in for the AWS account behind one env, installed with aws-sdk-client-mock.
 * Each DescribeServices call is one step of simulated time for that service's unfinished deployments,
 * following the behaviour chosen per service:
 *   ok       → 1/2 running, then COMPLETED (older deployments drained)
 *   breaker  → two tasks fail (exit code 1; ELB health checks), then ECS marks it FAILED and the circuit
 *              breaker starts a rollback deployment on the previous revision, which completes
 *   failing  → one more failed task per step, never trips the breaker (threshold 10)
 *   pull     → tasks never start: CannotPullContainerError
 *   hang     → 0 running forever (for --timeout)
 * Deployments back to a service's original revision always behave `ok` (that is what a rollback runs).
 *
 * Terraform's side: each family has the revision Terraform registered (`TF_REVISION`, the fixture's
 * `task_definition_arn`): the provider's default tags (`TERRAFORM_TAGS`) and no deploy tags, a placeholder image,
 * and the roles modules/service names (<family>-execution, <family>-task). `library-dev-migrate` is its own family whose
 * container runs `["migrate"]` with the master DB secret; the services log in with IAM auth and carry no secret.
 * RDS moves through its documented states over DescribeDBInstances calls: StopDBInstance → stopping → stopped,
 * StartDBInstance → starting → available, and both refuse any other state with InvalidDBInstanceStateFault.
 */
import { CloudWatchClient, DescribeAlarmsCommand, DisableAlarmActionsCommand, EnableAlarmActionsCommand } from '@aws-sdk/client-cloudwatch';
import {
  CloudWatchLogsClient,
  DescribeLogGroupsCommand,
  FilterLogEventsCommand,
  GetLogEventsCommand,
  StartLiveTailCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { DescribeSecurityGroupsCommand, DescribeSubnetsCommand, EC2Client } from '@aws-sdk/client-ec2';
import {
  DescribeImagesCommand,
  ECRClient,
  GetAuthorizationTokenCommand,
  ImageNotFoundException,
  RepositoryNotFoundException,
  DescribeRepositoriesCommand,
} from '@aws-sdk/client-ecr';
import {
  ClientException,
  DescribeClustersCommand,
  ListTagsForResourceCommand,
  TagResourceCommand,
  UntagResourceCommand,
  DescribeServiceDeploymentsCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  ListServiceDeploymentsCommand,
  StopServiceDeploymentCommand,
  DescribeTasksCommand,
  ECSClient,
  ListTaskDefinitionsCommand,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  UpdateServiceCommand,
  type Deployment,
  type Service,
  type Tag,
  type Task,
  type TaskDefinition,
} from '@aws-sdk/client-ecs';
import {
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
  type TargetHealthDescription,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { IAMClient, SimulatePrincipalPolicyCommand } from '@aws-sdk/client-iam';
import {
  DBInstanceNotFoundFault,
  DescribeDBInstancesCommand,
  InvalidDBInstanceStateFault,
  RDSClient,
  StartDBInstanceCommand,
  StopDBInstanceCommand,
} from '@aws-sdk/client-rds';
import { ExpiredTokenException, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { Delivery } from '../src/targets/schema.js';
import { terraformDefaultTags } from './default-tags.js';
import { FIXTURES } from './harness.js';
import { installAdmin, type FakeBucket } from './fake-admin.js';
import { FakeServiceDeployments, validateStrategy, type NativeService } from './fake-service-deployments.js';

export type Behaviour = 'ok' | 'breaker' | 'failing' | 'pull' | 'hang' | 'native';
export type Key = 'reader' | 'writer';

export const ACCOUNT = '123456789012';
export const REGION = 'eu-west-1';
const REGISTRY = `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com`;
export const ACTOR = `arn:aws:sts::${ACCOUNT}:assumed-role/deployer/alice`;

/** The digest the fake docker reports for repo:tag (sha256 of the reference). */
export function fakeDigest(ref: string): string {
  return `sha256:${createHash('sha256').update(ref).digest('hex')}`;
}

export function tdArn(family: string, rev: number): string {
  return `arn:aws:ecs:${REGION}:${ACCOUNT}:task-definition/${family}:${rev}`;
}

export type EnvName = keyof typeof FIXTURES;
export { FIXTURES };

/** The names of one env's account, read from its fixture (what `terraform output -json` prints for it). */
export function worldOf(env: EnvName) {
  const out = JSON.parse(readFileSync(FIXTURES[env], 'utf8')) as Record<string, { value: any }>;
  const services = out.services!.value as Record<Key, { service_name: string; ecr_repository_url: string; delivery?: Delivery }>;
  const both = <T>(f: (k: Key) => T) => ({ reader: f('reader'), writer: f('writer') }) as const;
  const repo = both((k) => services[k].ecr_repository_url);
  const service = both((k) => services[k].service_name);
  const migrateFamily = out.migration!.value.task_family as string;
  return {
    env,
    cluster: out.ecs_cluster_name!.value as string,
    repo,
    service,
    delivery: both((k) => services[k].delivery),
    /** The target group each service routes production to; the blue/green family swaps it with the alternate. */
    tg: both(
      (k) =>
        services[k].delivery?.load_balancer?.target_group_arn ??
        `arn:aws:elasticloadbalancing:${REGION}:${ACCOUNT}:targetgroup/${service[k]}/${k === 'reader' ? 'aaa' : 'bbb'}`,
    ),
    oldDigest: both((k) => fakeDigest(`${repo[k]}:0ld0ld`)),
    migrateFamily,
    tfRevision: { ...both((k) => tdArn(service[k], 1)), migrate: tdArn(migrateFamily, 1) },
    db: out.database!.value.instance_identifier as string,
    logGroup: (container: string) => `/ecs/${out.ecs_cluster_name!.value}/${container}`,
    /**
     * The tags Terraform puts on every resource (the env root's provider default_tags); DescribeTaskDefinition with
     * include=["TAGS"] returns them with each revision (ECS API Reference, DescribeTaskDefinition).
     */
    terraformTags: terraformDefaultTags(env) as readonly Tag[],
  };
}
export type World = ReturnType<typeof worldOf>;

/**
 * A CANARY `delivery` for one of this env's services, named as Terraform names them (`<name>-<svc>-alt`,
 * `<name>-ecs-infrastructure`, `<name>-smoke-hook`, `<name>-smoke-hook-invoke`), around the service's target group.
 */
export function canaryDelivery(w: World, key: Key): Delivery {
  const name = w.cluster;
  const lb = (id: string) =>
    `arn:aws:elasticloadbalancing:${REGION}:${ACCOUNT}:listener-rule/app/${name}/0123456789abcdef/fedcba9876543210/${id}`;
  return {
    strategy: 'CANARY',
    bake_time_minutes: 10,
    canary: { percent: 10, bake_time_minutes: 5 },
    linear: null,
    load_balancer: {
      target_group_arn: w.tg[key],
      alternate_target_group_arn: `arn:aws:elasticloadbalancing:${REGION}:${ACCOUNT}:targetgroup/${w.service[key]}-alt/0abc`,
      production_listener_rule_arn: lb('1111111111111111'),
      test_listener_rule_arn: lb('2222222222222222'),
      role_arn: `arn:aws:iam::${ACCOUNT}:role/${name}-ecs-infrastructure`,
    },
    hook: {
      function_arn: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${name}-smoke-hook`,
      role_arn: `arn:aws:iam::${ACCOUNT}:role/${name}-smoke-hook-invoke`,
      lifecycle_stages: ['POST_TEST_TRAFFIC_SHIFT'],
    },
    rollback_alarm_names: [`${w.service[key]}-5xx-rate`, `${w.service[key]}-p99`, `${w.service[key]}-healthy-hosts`],
    test_traffic_header: { name: 'x-deploy-test', value: w.env },
  };
}

/** Dev's names, which most tests use. */
const DEV = worldOf('dev');
export const CLUSTER = DEV.cluster;
export const REPO = DEV.repo;
export const SERVICE = DEV.service;
export const TG = DEV.tg;
export const OLD_DIGEST = DEV.oldDigest;
export const MIGRATE_FAMILY = DEV.migrateFamily;
/** The revisions Terraform registered last: `task_definition_arn` in the fixture. */
export const TF_REVISION = DEV.tfRevision;
export const TERRAFORM_TAGS = DEV.terraformTags;
const MASTER_SECRET = `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:rds!db-1234-AbCdEf`;

/**
 * Fields DescribeTaskDefinition returns that RegisterTaskDefinition does not take (ECS API reference, TaskDefinition
 * vs RegisterTaskDefinition request syntax; the list aws-actions/amazon-ecs-deploy-task-definition drops).
 */
const READ_ONLY_TASK_DEFINITION_FIELDS = [
  'taskDefinitionArn',
  'revision',
  'status',
  'requiresAttributes',
  'compatibilities',
  'registeredAt',
  'registeredBy',
  'deregisteredAt',
  'deleteRequestedAt',
];

interface Dep extends Deployment {
  behaviour: Behaviour;
  step: number;
  /** desiredCount changed by UpdateService: the next step brings runningCount to it */
  scaling?: boolean;
}

interface Svc extends NativeService {
  key: Key;
  original: string;
  deployments: Dep[];
  events: { id: string; createdAt: Date; message: string }[];
}

/** Installs one fake command on a client stub; the handler may ask for the client (its region). */
export type FakeOn = <I extends object, O extends object>(
  stub: { on: (c: never) => { callsFake: (fn: (input: I) => unknown) => unknown } },
  client: string,
  command: { new (input: I): unknown; name: string },
  fn: (input: I, getClient: () => { config: { region: () => Promise<string> } }) => O | Promise<O>,
) => void;

export interface AwsCall {
  client: string;
  command: string;
  input: Record<string, unknown>;
  /** What the fake answered (absent when it threw). */
  output?: Record<string, unknown>;
}

const MUTATING = new Set([
  'RegisterTaskDefinition',
  'UpdateService',
  'RunTask',
  'StopTask',
  'StopDBInstance',
  'StartDBInstance',
  'DeregisterTaskDefinition',
  'StopServiceDeployment',
]);

export class FakeAws {
  readonly ecs = mockClient(ECSClient);
  readonly ecr = mockClient(ECRClient);
  readonly sts = mockClient(STSClient);
  readonly logs = mockClient(CloudWatchLogsClient);
  readonly elbv2 = mockClient(ElasticLoadBalancingV2Client);
  readonly cloudwatch = mockClient(CloudWatchClient);
  readonly rds = mockClient(RDSClient);
  readonly iam = mockClient(IAMClient);
  readonly ec2 = mockClient(EC2Client);
  readonly s3 = mockClient(S3Client);

  readonly calls: AwsCall[] = [];
  behaviour: Partial<Record<Key, Behaviour>> = {};
  /** How a deployment back to the original revision behaves (a rollback); `ok` unless a test says otherwise. */
  rollbackBehaviour: Behaviour = 'ok';
  migrationExitCode = 0;
  /** The migration task never starts: its image cannot be pulled. */
  migrationPullError = false;
  migrationLogs = [
    'query: SELECT * FROM "migrations"',
    'Migration AddIsbnIndex1732700000000 has been executed successfully.',
    'migrations: 1 applied',
  ];
  expiredCredentials = false;
  missingRepositories = new Set<string>();
  readonly images = new Map<string, string>(); // "library/reader:<tag>" → digest
  readonly taskDefs = new Map<string, { td: TaskDefinition; tags: Tag[] }>();
  readonly latest = new Map<string, number>();
  readonly services = new Map<string, Svc>();
  readonly tasks = new Map<string, Task>();
  readonly streams = new Map<string, string[]>();
  targetHealth: Record<string, TargetHealthDescription[]> = { [TG.reader]: [], [TG.writer]: [] };
  alarms: { AlarmName: string; StateValue: 'OK' | 'ALARM' | 'INSUFFICIENT_DATA'; StateReason: string }[] = [];
  /** Alarm actions on (true) or off (false) by alarm name, as Enable/DisableAlarmActions left them; unset: untouched. */
  readonly alarmActions = new Map<string, boolean>();
  dbStatus = 'available';
  /** The state RDS moves to by itself after `afterDescribes` more DescribeDBInstances calls (Infinity: never). */
  dbNext?: { status: string; afterDescribes: number };
  /** How many DescribeDBInstances calls stopping and starting take. */
  dbStopDescribes = 2;
  dbStartDescribes = 2;
  /** The migration task never stops (its container serves instead of migrating). */
  migrationHangs = false;
  readonly resourceTags = new Map<string, Tag[]>();
  missingLogGroups = new Set<string>();
  /** StartLiveTail: the events to stream, or an error name to throw (e.g. an endpoint without Live Tail). */
  liveTail: { events?: { logStreamName: string; message: string; timestamp: number }[]; error?: string } = { events: [] };
  /** The fake docker's call logs (one per harness): an image pushed there is "in ECR" from then on. */
  private readonly dockerLogs: string[] = [];
  set dockerLog(path: string | undefined) {
    if (path) this.dockerLogs.push(path);
  }
  get dockerLog(): string | undefined {
    return this.dockerLogs.at(-1);
  }

  // What `init` and `destroy` touch (fake-admin.ts); the account owns no state bucket until init creates it.
  /** S3 buckets by name, ours and other accounts'. */
  readonly buckets = new Map<string, FakeBucket>();
  /** ECR images beyond the commit tags in `images` and the pushed ones: repository → images. */
  readonly ecrImages = new Map<string, { digest: string; tags: string[] }[]>();
  /** Digests BatchDeleteImage removed. */
  readonly deletedDigests = new Set<string>();
  /** Images come back as fast as BatchDeleteImage deletes them (another pipeline pushing): a repository stays non-empty. */
  ecrKeepsImages = false;
  /** BatchDeleteImage answers a failure (its failureCode) for these digests. */
  readonly imageDeleteFailures = new Map<string, string>();
  /** RDS instances the account has besides the env's own, and each one's deletion protection. */
  readonly dbDeletionProtection = new Map<string, boolean>();
  readonly dbSnapshots = new Set<string>();
  readonly lbDeletionProtection = new Map<string, boolean>();
  /** Where the fake terraform reads what AWS holds when it destroys (images, protection, snapshots). */
  worldFile?: string;
  private seq = 0;

  /** The env whose account this is: its names come from its fixture. */
  readonly w: World;
  /** The test's simulated clock (the harness links it): service deployments move on it. */
  clock: () => number = () => Date.now();
  /** ECS's blue/green family: service deployments, their hooks and alarms. */
  readonly serviceDeployments: FakeServiceDeployments;

  constructor(env: EnvName = 'dev') {
    this.w = worldOf(env);
    this.serviceDeployments = new FakeServiceDeployments(
      () => this.clock(),
      (name, state) => {
        let alarm = this.alarms.find((a) => a.AlarmName === name);
        if (state && !alarm) this.alarms.push((alarm = { AlarmName: name, StateValue: state, StateReason: 'Threshold Crossed' }));
        if (state) alarm!.StateValue = state;
        return alarm?.StateValue;
      },
      (svc, outcome, taskDefinition) => this.settleNative(svc as Svc, outcome, taskDefinition),
    );
    this.targetHealth = { [this.w.tg.reader]: [], [this.w.tg.writer]: [] };
    this.dbDeletionProtection.set(this.w.db, false);
    this.seedTerraformRevisions();
    this.seedService('reader', 7);
    this.seedService('writer', 12);
    this.install();
  }

  /** What `terraform apply` registered: one revision per family with a placeholder image and only Terraform's tags. */
  seedTerraformRevisions(): void {
    for (const key of ['reader', 'writer'] as const) {
      const arn = this.w.tfRevision[key];
      this.putTaskDef(this.w.service[key], 1, this.containerTd(key, this.w.service[key], arn, 1, `${this.w.repo[key]}:bootstrap`), [
        ...TERRAFORM_TAGS,
      ]);
    }
    this.putTaskDef(this.w.migrateFamily, 1, this.migrateTd(this.w.tfRevision.migrate, 1, `${this.w.repo.writer}:bootstrap`), [
      ...TERRAFORM_TAGS,
    ]);
  }

  /**
   * Terraform changes a setting: it registers a new revision in the family (from its latest one) and its
   * output's task_definition_arn names it. Returns that ARN (pass it with --set).
   */
  terraformRegisters(family: string, change: (td: TaskDefinition) => void, from?: string): string {
    const base =
      from ??
      (family === this.w.migrateFamily
        ? this.w.tfRevision.migrate
        : this.w.tfRevision[family === this.w.service.reader ? 'reader' : 'writer']);
    const rev = (this.latest.get(family) ?? 0) + 1;
    const td = structuredClone(this.taskDefs.get(base)!.td);
    Object.assign(td, { taskDefinitionArn: tdArn(family, rev), revision: rev });
    change(td);
    this.putTaskDef(family, rev, td, [...TERRAFORM_TAGS]);
    return tdArn(family, rev);
  }

  restore(): void {
    for (const m of [this.ecs, this.ecr, this.sts, this.logs, this.elbv2, this.cloudwatch, this.rds, this.iam, this.ec2, this.s3])
      m.restore();
  }

  /** Every image of a repository: seeded ones, commit tags set in `images`, and what the fake docker pushed. */
  repositoryImages(repositoryName: string): { digest: string; tags: string[] }[] {
    const all = new Map<string, string[]>();
    const add = (digest: string, tags: string[]) => all.set(digest, [...new Set([...(all.get(digest) ?? []), ...tags])]);
    for (const i of this.ecrImages.get(repositoryName) ?? []) add(i.digest, i.tags);
    for (const [key, digest] of this.images) if (key.startsWith(`${repositoryName}:`)) add(digest, [key.slice(repositoryName.length + 1)]);
    for (const ref of this.pushedRefs())
      if (ref.startsWith(`${REGISTRY}/${repositoryName}:`)) add(fakeDigest(ref), [ref.split(':').pop()!]);
    return [...all].filter(([d]) => !this.deletedDigests.has(d)).map(([digest, tags]) => ({ digest, tags }));
  }

  /** What the fake terraform needs to refuse a destroy as AWS would (see test/bin/terraform). */
  writeWorld(): void {
    if (!this.worldFile) return;
    const repos = new Set([...this.ecrImages.keys(), 'library/reader', 'library/writer']);
    writeFileSync(
      this.worldFile,
      JSON.stringify({
        ecrImages: Object.fromEntries([...repos].map((r) => [r, this.repositoryImages(r).length])),
        dbDeletionProtection: Object.fromEntries(this.dbDeletionProtection),
        lbDeletionProtection: Object.fromEntries(this.lbDeletionProtection),
        snapshots: [...this.dbSnapshots],
        bucketObjects: Object.fromEntries([...this.buckets].map(([n, b]) => [n, b.objects?.length ?? 0])),
      }),
    );
  }

  /** Every `docker push` the fake docker recorded, in any run against this account. */
  private pushedRefs(): string[] {
    return this.dockerLogs
      .filter((f) => existsSync(f))
      .flatMap((f) => readFileSync(f, 'utf8').split('\n').filter(Boolean))
      .map((l) => (JSON.parse(l) as { args: string[] }).args)
      .filter((args) => args[0] === 'push')
      .map((args) => args[1]!);
  }

  private pushedDigest(repositoryName: string, tag: string): string | undefined {
    const ref = `${REGISTRY}/${repositoryName}:${tag}`;
    return this.pushedRefs().includes(ref) && !this.deletedDigests.has(fakeDigest(ref)) ? fakeDigest(ref) : undefined;
  }

  /** Every call of every client fails with `error` (no fake behind it any more). */
  failEverything(error: () => Error): void {
    type Stub = { reset(): void; onAnyCommand(): { rejects(e: unknown): unknown } };
    const stubs = [
      this.ecs,
      this.ecr,
      this.sts,
      this.logs,
      this.elbv2,
      this.cloudwatch,
      this.rds,
      this.iam,
      this.ec2,
      this.s3,
    ] as unknown as Stub[];
    for (const m of stubs) {
      m.reset();
      m.onAnyCommand().rejects(error());
    }
  }

  /** Calls that change something in AWS. */
  mutatingCalls(): AwsCall[] {
    return this.calls.filter((c) => MUTATING.has(c.command));
  }

  commandNames(): string[] {
    return this.calls.map((c) => c.command);
  }

  record(client: string, command: string, input: unknown): AwsCall {
    const call: AwsCall = { client, command, input: (input ?? {}) as Record<string, unknown> };
    this.calls.push(call);
    return call;
  }

  seedService(key: Key, rev: number, extra: { image?: string; tags?: Tag[] } = {}): void {
    const family = this.w.service[key];
    const arn = tdArn(family, rev);
    const image = extra.image ?? `${this.w.repo[key]}@${this.w.oldDigest[key]}`;
    this.putTaskDef(
      family,
      rev,
      this.containerTd(key, family, arn, rev, image),
      extra.tags ?? [
        ...TERRAFORM_TAGS,
        { key: 'deploy:commit', value: '0ld0ld0ld0ld0ld0ld0ld0ld0ld0ld0ld0ld0ld0' },
        { key: 'deploy:digest', value: this.w.oldDigest[key] },
        { key: 'deploy:actor', value: ACTOR },
        { key: 'deploy:time', value: '2026-11-26T09:00:00.000Z' },
      ],
    );
    this.services.set(family, {
      key,
      name: family,
      arn: `arn:aws:ecs:${REGION}:${ACCOUNT}:service/${this.w.cluster}/${family}`,
      clusterArn: `arn:aws:ecs:${REGION}:${ACCOUNT}:cluster/${this.w.cluster}`,
      taskDefinition: arn,
      original: arn,
      desired: 2,
      // What Terraform creates: a rolling service (provider 5.100 cannot set a strategy) on the primary target group.
      loadBalancers: [{ targetGroupArn: this.w.tg[key], containerName: key, containerPort: 8000 }],
      deploymentConfiguration: {
        deploymentCircuitBreaker: { enable: true, rollback: true },
        maximumPercent: 200,
        minimumHealthyPercent: 100,
      },
      deployments: [
        {
          id: `ecs-svc/100${rev}`,
          status: 'PRIMARY',
          taskDefinition: arn,
          desiredCount: 2,
          runningCount: 2,
          pendingCount: 0,
          failedTasks: 0,
          rolloutState: 'COMPLETED',
          rolloutStateReason: 'ECS deployment ecs-svc/100 completed.',
          createdAt: new Date('2026-11-26T09:00:00Z'),
          updatedAt: new Date('2026-11-26T09:03:00Z'),
          behaviour: 'ok',
          step: 99,
        },
      ],
      events: [{ id: 'e0', createdAt: new Date('2026-11-26T09:03:00Z'), message: `(service ${family}) has reached a steady state.` }],
    });
  }

  containerTd(key: Key, family: string, arn: string, rev: number, image: string): TaskDefinition {
    return {
      taskDefinitionArn: arn,
      family,
      revision: rev,
      status: 'ACTIVE',
      networkMode: 'awsvpc',
      requiresCompatibilities: ['FARGATE'],
      compatibilities: ['EC2', 'FARGATE'],
      cpu: '256',
      memory: '512',
      executionRoleArn: `arn:aws:iam::${ACCOUNT}:role/${family}-execution`,
      taskRoleArn: `arn:aws:iam::${ACCOUNT}:role/${family}-task`,
      requiresAttributes: [{ name: 'com.amazonaws.ecs.capability.logging-driver.awslogs' }],
      registeredAt: new Date('2026-11-26T09:00:00Z'),
      registeredBy: ACTOR,
      containerDefinitions: [
        {
          name: key,
          image,
          essential: true,
          portMappings: [{ containerPort: 8000, protocol: 'tcp' }],
          environment: [
            { name: 'PORT', value: '8000' },
            { name: 'DB_HOST', value: `${this.w.db}.abc.eu-west-1.rds.amazonaws.com` },
            { name: 'DB_AUTH', value: 'iam' },
            { name: 'DB_USER', value: `library_${key}` },
            { name: 'DB_SSL', value: 'verify-full' },
          ],
          logConfiguration: {
            logDriver: 'awslogs',
            options: { 'awslogs-group': this.w.logGroup(key), 'awslogs-region': REGION, 'awslogs-stream-prefix': 'ecs' },
          },
        },
      ],
    };
  }

  /** Terraform's migrate family: the writer image, command ["migrate"], the master secret, its own log group. */
  migrateTd(arn: string, rev: number, image: string): TaskDefinition {
    const td = this.containerTd('writer', this.w.migrateFamily, arn, rev, image);
    const c = td.containerDefinitions![0]!;
    c.name = 'migrate';
    c.command = ['migrate'];
    delete c.portMappings;
    c.environment = [
      { name: 'DB_HOST', value: `${this.w.db}.abc.eu-west-1.rds.amazonaws.com` },
      { name: 'DB_AUTH', value: 'password' },
      { name: 'DB_SSL', value: 'verify-full' },
    ];
    c.secrets = [
      { name: 'DB_USER', valueFrom: `${MASTER_SECRET}:username::` },
      { name: 'DB_PASSWORD', valueFrom: `${MASTER_SECRET}:password::` },
    ];
    c.logConfiguration!.options!['awslogs-group'] = this.w.logGroup('migrate');
    return td;
  }

  putTaskDef(family: string, rev: number, td: TaskDefinition, tags: Tag[]): void {
    this.taskDefs.set(tdArn(family, rev), { td, tags });
    this.latest.set(family, Math.max(rev, this.latest.get(family) ?? 0));
  }

  service(key: Key): Svc {
    return this.services.get(this.w.service[key])!;
  }

  /** Older revisions of the reader family, as earlier deploys (and Terraform's first apply) left them. */
  seedHistory(): void {
    const fam = this.w.service.reader;
    const mk = (rev: number, commit: string | null, time: string) => {
      const ref = `${this.w.repo.reader}:${commit ?? 'bootstrap'}`;
      const td = this.containerTd('reader', fam, tdArn(fam, rev), rev, commit ? `${this.w.repo.reader}@${fakeDigest(ref)}` : ref);
      const tags: Tag[] = commit
        ? [
            ...TERRAFORM_TAGS,
            { key: 'deploy:commit', value: commit },
            { key: 'deploy:digest', value: fakeDigest(ref) },
            { key: 'deploy:actor', value: `arn:aws:sts::${ACCOUNT}:assumed-role/deployer/bob` },
            { key: 'deploy:time', value: time },
          ]
        : [...TERRAFORM_TAGS];
      this.taskDefs.set(tdArn(fam, rev), { td, tags });
    };
    mk(1, null, '2026-11-01T08:00:00.000Z');
    mk(5, 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678', '2026-11-20T10:00:00.000Z');
    mk(6, 'b2c3d4e5f60718293a4b5c6d7e8f9012345678a1', '2026-11-24T15:30:00.000Z');
  }

  /** The account right after the first `terraform apply`: Terraform's revisions only, the services on them, no task ever ran. */
  seedFreshApply(): void {
    this.taskDefs.clear();
    this.latest.clear();
    this.services.clear();
    this.seedTerraformRevisions();
    this.seedBootstrap('reader');
    this.seedBootstrap('writer');
  }

  /** Terraform's first revision: a tag no image has, no CLI provenance tags, ECS still retrying it. */
  seedBootstrap(key: Key): void {
    this.seedService(key, 1, { image: `${this.w.repo[key]}:bootstrap`, tags: [...TERRAFORM_TAGS] });
    Object.assign(this.service(key).deployments[0]!, { runningCount: 0, pendingCount: 0, failedTasks: 3, rolloutState: 'IN_PROGRESS' });
  }

  /** What `deploy pause` leaves behind: both services at 0 with their counts saved as a tag, the database in `dbStatus`. */
  seedPaused(dbStatus: string): void {
    for (const key of ['reader', 'writer'] as const) {
      const svc = this.service(key);
      svc.desired = 0;
      Object.assign(svc.deployments[0]!, { desiredCount: 0, runningCount: 0 });
      this.resourceTags.set(`arn:aws:ecs:${REGION}:${ACCOUNT}:service/${this.w.cluster}/${svc.name}`, [
        { key: 'deploy:paused-desired-count', value: '2' },
      ]);
    }
    this.dbStatus = dbStatus;
  }

  /** A canary of the service's next revision that ECS is in the middle of (as a CLI killed mid-deploy leaves it). */
  startCanary(key: Key): void {
    const s = this.service(key);
    s.deploymentConfiguration = {
      ...s.deploymentConfiguration,
      strategy: 'CANARY',
      canaryConfiguration: { canaryPercent: 10, canaryBakeTimeInMinutes: 5 },
      bakeTimeInMinutes: 10,
    };
    const next = tdArn(s.name, Number(s.taskDefinition.split(':').pop()) + 1);
    this.putTaskDef(s.name, Number(next.split(':').pop()), this.containerTd(key, s.name, next, 0, `${this.w.repo[key]}:next`), []);
    this.serviceDeployments.start(s, next);
  }

  startForeignDeployment(key: Key): void {
    const s = this.service(key);
    s.deployments[0]!.status = 'ACTIVE';
    s.deployments.unshift({
      id: 'ecs-svc/999',
      status: 'PRIMARY',
      taskDefinition: s.taskDefinition,
      desiredCount: 2,
      runningCount: 1,
      pendingCount: 1,
      failedTasks: 0,
      rolloutState: 'IN_PROGRESS',
      behaviour: 'hang',
      step: 0,
      createdAt: new Date(),
    });
  }

  private snapshot(s: Svc): Service {
    const primary = s.deployments.find((d) => d.status === 'PRIMARY');
    return {
      serviceName: s.name,
      serviceArn: s.arn,
      clusterArn: s.clusterArn,
      status: 'ACTIVE',
      taskDefinition: primary?.taskDefinition ?? s.taskDefinition,
      desiredCount: s.desired,
      runningCount: s.deployments.reduce((n, d) => n + (d.runningCount ?? 0), 0),
      pendingCount: s.deployments.reduce((n, d) => n + (d.pendingCount ?? 0), 0),
      launchType: 'FARGATE',
      loadBalancers: structuredClone(s.loadBalancers),
      deploymentConfiguration: structuredClone(s.deploymentConfiguration),
      deployments: s.deployments.map(({ behaviour: _b, step: _s, scaling: _c, ...d }) => ({ ...d })),
      events: [...s.events].reverse().slice(0, 10),
    };
  }

  /** A service deployment of the blue/green family settled: the service's deployments as DescribeServices shows them. */
  private settleNative(s: Svc, outcome: 'SUCCESSFUL' | 'ROLLED_BACK', taskDefinition: string): void {
    s.taskDefinition = taskDefinition;
    const keep = s.deployments.find(
      (d) => d.taskDefinition === taskDefinition && (outcome === 'SUCCESSFUL') === (d.behaviour === 'native'),
    );
    if (!keep) return;
    Object.assign(keep, { status: 'PRIMARY', rolloutState: 'COMPLETED', runningCount: s.desired, pendingCount: 0 });
    keep.rolloutStateReason = `ECS deployment ${keep.id} completed.`;
    s.deployments = [keep];
    this.event(s, outcome === 'SUCCESSFUL' ? 'has reached a steady state.' : `rolled back to ${taskDefinition.split('/').pop()}.`);
  }

  private event(s: Svc, message: string): void {
    this.seq++;
    s.events.push({
      id: `e${this.seq}`,
      createdAt: new Date(Date.UTC(2026, 10, 27, 12, 0, this.seq)),
      message: `(service ${s.name}) ${message}`,
    });
  }

  private failTask(s: Svc, d: Dep, kind: 'exit' | 'elb' | 'pull'): void {
    this.seq++;
    const id = `${s.key}${String(this.seq).padStart(4, '0')}f`;
    const arn = `arn:aws:ecs:${REGION}:${ACCOUNT}:task/${this.w.cluster}/${id}`;
    const ip = `10.0.1.${10 + this.seq}`;
    const task: Task = {
      taskArn: arn,
      taskDefinitionArn: d.taskDefinition,
      lastStatus: 'STOPPED',
      desiredStatus: 'STOPPED',
      startedBy: d.id,
      group: `service:${s.name}`,
      attachments: [{ type: 'ElasticNetworkInterface', details: [{ name: 'privateIPv4Address', value: ip }] }],
      ...(kind === 'exit'
        ? {
            stopCode: 'EssentialContainerExited',
            stoppedReason: 'Essential container in task exited',
            containers: [{ name: s.key, exitCode: 1, lastStatus: 'STOPPED' }],
          }
        : kind === 'elb'
          ? {
              stopCode: 'ServiceSchedulerInitiated',
              stoppedReason: `Task failed ELB health checks in (target-group ${this.w.tg[s.key]})`,
              containers: [{ name: s.key, exitCode: 137, lastStatus: 'STOPPED' }],
            }
          : {
              stopCode: 'TaskFailedToStart',
              stoppedReason: `CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref ${this.w.repo[s.key]}@sha256:…: not found`,
              containers: [{ name: s.key, lastStatus: 'STOPPED', reason: 'CannotPullContainerError: ref not found' }],
            }),
    };
    this.tasks.set(arn, task);
    if (kind === 'exit') {
      this.streams.set(`ecs/${s.key}/${id}`, [
        '{"level":30,"msg":"Starting Nest application..."}',
        '{"level":50,"msg":"Config validation error: DB_SSL must be one of off, require, verify-full"}',
        'Error: process exited with code 1',
      ]);
    }
    if (kind === 'elb') {
      this.targetHealth[this.w.tg[s.key]] = [
        {
          Target: { Id: ip, Port: 8000 },
          TargetHealth: {
            State: 'unhealthy',
            Reason: 'Target.ResponseCodeMismatch',
            Description: 'Health checks failed with these codes: [500]',
          },
        },
      ];
      this.streams.set(`ecs/${s.key}/${id}`, [
        '{"level":50,"req":{"url":"/health"},"msg":"TypeError: Cannot read properties of undefined (reading \'ping\')"}',
      ]);
    }
    d.failedTasks = (d.failedTasks ?? 0) + 1;
    this.event(s, `has stopped 1 running tasks: (task ${id}).`);
  }

  /** One step of simulated time for a service. */
  private advance(s: Svc): void {
    for (const d of [...s.deployments]) {
      // a scale-in/out of a settled deployment takes one step
      if (d.scaling) {
        d.runningCount = d.desiredCount;
        d.scaling = false;
      }
      if (d.rolloutState !== 'IN_PROGRESS') continue;
      // An older deployment that is no longer PRIMARY only drains; ECS does not complete it.
      if (d.status !== 'PRIMARY') {
        d.runningCount = Math.max(0, (d.runningCount ?? 0) - 1);
        continue;
      }
      d.step++;
      const desired = d.desiredCount ?? 2;
      switch (d.behaviour) {
        case 'ok':
          if (d.step === 1) {
            d.runningCount = 1;
            d.pendingCount = desired - 1;
            this.event(s, `has started ${desired} tasks: (task ${s.key}-new).`);
          } else {
            d.runningCount = desired;
            d.pendingCount = 0;
            d.rolloutState = 'COMPLETED';
            d.rolloutStateReason = `ECS deployment ${d.id} completed.`;
            s.deployments = s.deployments.filter((x) => x === d || x.rolloutState === 'IN_PROGRESS');
            s.taskDefinition = d.taskDefinition!;
            this.event(s, 'has reached a steady state.');
          }
          break;
        case 'breaker':
          if (d.step === 1) this.failTask(s, d, 'exit');
          else if (d.step === 2) this.failTask(s, d, 'elb');
          else {
            d.rolloutState = 'FAILED';
            d.rolloutStateReason = 'ECS deployment circuit breaker: tasks failed to start.';
            d.status = 'ACTIVE';
            const prev = s.deployments.find((x) => x !== d && x.taskDefinition === s.original);
            s.deployments = s.deployments.filter((x) => x === d);
            this.seq++;
            s.deployments.unshift({
              id: `ecs-svc/rb${this.seq}`,
              status: 'PRIMARY',
              taskDefinition: prev?.taskDefinition ?? s.original,
              desiredCount: desired,
              runningCount: 0,
              pendingCount: 0,
              failedTasks: 0,
              rolloutState: 'IN_PROGRESS',
              createdAt: new Date(),
              behaviour: 'ok',
              step: 0,
            });
            this.event(s, `deployment ${d.id} deployment failed: tasks failed to start. Rolling back to the last COMPLETED deployment.`);
          }
          break;
        case 'failing':
          this.failTask(s, d, 'exit');
          break;
        case 'pull':
          this.failTask(s, d, 'pull');
          break;
        case 'hang':
          d.pendingCount = desired;
          break;
      }
    }
  }

  /** DescribeServices: one step of simulated time per call; a name not in the cluster is a MISSING failure. */
  describeServices(names: string[]): { services: Service[]; failures: { arn: string; reason: string }[] } {
    const out: Service[] = [];
    const failures: { arn: string; reason: string }[] = [];
    for (const name of names) {
      const s = this.services.get(name);
      if (!s) {
        failures.push({ arn: `arn:aws:ecs:${REGION}:${ACCOUNT}:service/${this.w.cluster}/${name}`, reason: 'MISSING' });
        continue;
      }
      this.advance(s);
      out.push(this.snapshot(s));
    }
    return { services: out, failures };
  }

  private install(): void {
    const on: FakeOn = (stub, client, command, fn) => {
      const fake = async (input: never, getClient: () => { config: { region: () => Promise<string> } }) => {
        const call = this.record(client, command.name.replace(/Command$/, ''), input);
        try {
          const output = await fn(input, getClient);
          call.output = output as Record<string, unknown>;
          return output;
        } finally {
          this.writeWorld();
        }
      };
      stub.on(command as never).callsFake(fake as never);
    };
    installAdmin(this, on);

    // STS
    on(this.sts, 'sts', GetCallerIdentityCommand, () => {
      if (this.expiredCredentials)
        throw new ExpiredTokenException({ message: 'The security token included in the request is expired', $metadata: {} });
      return { Account: ACCOUNT, Arn: ACTOR, UserId: 'AROA:alice' };
    });

    // ECR
    on(this.ecr, 'ecr', DescribeImagesCommand, (input) => {
      if (this.missingRepositories.has(input.repositoryName!)) {
        throw new RepositoryNotFoundException({
          message: `The repository with name '${input.repositoryName}' does not exist in the registry with id '${ACCOUNT}'`,
          $metadata: {},
        });
      }
      const tag = input.imageIds?.[0]?.imageTag;
      const digest = this.images.get(`${input.repositoryName}:${tag}`) ?? this.pushedDigest(input.repositoryName!, tag!);
      if (!digest)
        throw new ImageNotFoundException({
          message: `The image with imageId {imageTag:'${tag}'} does not exist within the repository`,
          $metadata: {},
        });
      return {
        imageDetails: [{ repositoryName: input.repositoryName, imageDigest: digest, imageTags: [tag!], imagePushedAt: new Date() }],
      };
    });
    on(this.ecr, 'ecr', GetAuthorizationTokenCommand, () => ({
      authorizationData: [
        {
          authorizationToken: Buffer.from('AWS:ecr-password').toString('base64'),
          proxyEndpoint: `https://${REGISTRY}`,
          expiresAt: new Date(),
        },
      ],
    }));
    on(this.ecr, 'ecr', DescribeRepositoriesCommand, (input) => {
      const missing = (input.repositoryNames ?? []).find((n: string) => this.missingRepositories.has(n));
      if (missing)
        throw new RepositoryNotFoundException({ message: `The repository with name '${missing}' does not exist`, $metadata: {} });
      return {
        repositories: (input.repositoryNames ?? []).map((n: string) => ({ repositoryName: n, imageTagMutability: 'IMMUTABLE' as const })),
      };
    });

    // ECS
    on(this.ecs, 'ecs', DescribeClustersCommand, (input) => ({
      clusters: (input.clusters ?? [])
        .filter((c: string) => c === this.w.cluster)
        .map((c: string) => ({ clusterName: c, status: 'ACTIVE' })),
      failures: (input.clusters ?? []).filter((c: string) => c !== this.w.cluster).map((c: string) => ({ arn: c, reason: 'MISSING' })),
    }));
    on(this.ecs, 'ecs', DescribeServicesCommand, (input) => this.describeServices(input.services ?? []));
    on(this.ecs, 'ecs', DescribeTaskDefinitionCommand, (input) => {
      let ref = input.taskDefinition!;
      if (!ref.startsWith('arn:'))
        ref = ref.includes(':') ? tdArn(ref.split(':')[0]!, Number(ref.split(':')[1])) : tdArn(ref, this.latest.get(ref) ?? 0);
      const found = this.taskDefs.get(ref);
      // What ECS answers for a revision or family that does not exist.
      if (!found) throw new ClientException({ message: 'Unable to describe task definition.', $metadata: {} });
      return { taskDefinition: structuredClone(found.td), tags: input.include?.includes('TAGS') ? structuredClone(found.tags) : undefined };
    });
    on(this.ecs, 'ecs', RegisterTaskDefinitionCommand, (input) => {
      const bad = READ_ONLY_TASK_DEFINITION_FIELDS.filter((k) => k in input);
      if (bad.length) throw new ClientException({ message: `Unexpected key(s) ${bad.join(', ')}`, $metadata: {} });
      // ECS tagging rules (ECS Developer Guide, "Tagging your Amazon ECS resources"): at most 50 tags, and the
      // aws: prefix is reserved.
      if ((input.tags?.length ?? 0) > 50 || input.tags?.some((t) => /^aws:/i.test(t.key ?? ''))) {
        throw Object.assign(new Error('Invalid tags: at most 50, and the aws: prefix is reserved'), { name: 'InvalidParameterException' });
      }
      const rev = (this.latest.get(input.family!) ?? 0) + 1;
      const arn = tdArn(input.family!, rev);
      const { tags, ...rest } = input;
      const td: TaskDefinition = {
        ...structuredClone(rest),
        taskDefinitionArn: arn,
        revision: rev,
        status: 'ACTIVE',
        registeredAt: new Date(),
        registeredBy: ACTOR,
      } as TaskDefinition;
      this.putTaskDef(input.family!, rev, td, tags ?? []);
      return { taskDefinition: structuredClone(td), tags };
    });
    on(this.ecs, 'ecs', ListTaskDefinitionsCommand, (input) => {
      const fam = input.familyPrefix!;
      const arns = [...this.taskDefs.keys()].filter((a) => a.includes(`/${fam}:`));
      arns.sort((a, b) => Number(a.split(':').pop()) - Number(b.split(':').pop()));
      if (input.sort === 'DESC') arns.reverse();
      return { taskDefinitionArns: arns };
    });
    on(this.ecs, 'ecs', UpdateServiceCommand, (input) => {
      const s = this.services.get(input.service!);
      if (!s) throw Object.assign(new Error('Service not found.'), { name: 'ServiceNotFoundException' });
      if (input.desiredCount !== undefined) {
        s.desired = input.desiredCount;
        for (const d of s.deployments) {
          if (d.status !== 'PRIMARY') continue;
          d.desiredCount = input.desiredCount;
          d.scaling = true;
        }
      }
      validateStrategy(input);
      if (input.deploymentConfiguration) s.deploymentConfiguration = structuredClone(input.deploymentConfiguration);
      if (input.loadBalancers) s.loadBalancers = structuredClone(input.loadBalancers);
      const native = (s.deploymentConfiguration.strategy ?? 'ROLLING') !== 'ROLLING';
      if (input.taskDefinition) {
        for (const d of s.deployments) if (d.status === 'PRIMARY') d.status = 'ACTIVE';
        this.seq++;
        const back = input.taskDefinition === s.original;
        s.deployments.unshift({
          id: `ecs-svc/${String(2000 + this.seq)}`,
          status: 'PRIMARY',
          taskDefinition: input.taskDefinition,
          desiredCount: s.desired,
          // Blue/green family: the green tasks start at once and run beside the blue ones until the bake ends.
          runningCount: native ? s.desired : 0,
          pendingCount: 0,
          failedTasks: 0,
          rolloutState: 'IN_PROGRESS',
          rolloutStateReason: 'ECS deployment in progress.',
          createdAt: new Date(this.clock()),
          behaviour: native ? 'native' : back ? this.rollbackBehaviour : (this.behaviour[s.key] ?? 'ok'),
          step: 0,
        });
        if (native) this.serviceDeployments.start(s, input.taskDefinition);
      }
      return { service: this.snapshot(s) };
    });
    on(this.ecs, 'ecs', ListServiceDeploymentsCommand, (input) => {
      const s = this.services.get(input.service!.split('/').pop()!);
      if (!s) throw Object.assign(new Error('Service not found.'), { name: 'ServiceNotFoundException' });
      return { serviceDeployments: this.serviceDeployments.list(s.arn, input.status, input.createdAt) };
    });
    on(this.ecs, 'ecs', DescribeServiceDeploymentsCommand, (input) => this.serviceDeployments.describe(input.serviceDeploymentArns ?? []));
    on(this.ecs, 'ecs', StopServiceDeploymentCommand, (input) => {
      this.serviceDeployments.stop(input.serviceDeploymentArn!, input.stopType);
      return { serviceDeploymentArn: input.serviceDeploymentArn };
    });
    on(this.ecs, 'ecs', TagResourceCommand, (input) => {
      const cur = (this.resourceTags.get(input.resourceArn!) ?? []).filter((t) => !(input.tags ?? []).some((n) => n.key === t.key));
      this.resourceTags.set(input.resourceArn!, [...cur, ...(input.tags ?? [])]);
      return {};
    });
    on(this.ecs, 'ecs', UntagResourceCommand, (input) => {
      this.resourceTags.set(
        input.resourceArn!,
        (this.resourceTags.get(input.resourceArn!) ?? []).filter((t) => !(input.tagKeys ?? []).includes(t.key!)),
      );
      return {};
    });
    on(this.ecs, 'ecs', ListTagsForResourceCommand, (input) => ({ tags: this.resourceTags.get(input.resourceArn!) ?? [] }));
    on(this.ecs, 'ecs', ListTasksCommand, (input) => ({
      taskArns: [...this.tasks.values()]
        .filter(
          (t) =>
            (!input.startedBy || t.startedBy === input.startedBy) &&
            (!input.desiredStatus || t.desiredStatus === input.desiredStatus) &&
            (!input.serviceName || t.group === `service:${input.serviceName}`),
        )
        .map((t) => t.taskArn!),
    }));
    on(this.ecs, 'ecs', DescribeTasksCommand, (input) => ({
      tasks: (input.tasks ?? []).map((a) => this.tasks.get(a)).filter(Boolean) as Task[],
    }));
    on(this.ecs, 'ecs', RunTaskCommand, (input) => {
      this.seq++;
      const id = `mig${String(this.seq).padStart(4, '0')}`;
      const arn = `arn:aws:ecs:${REGION}:${ACCOUNT}:task/${this.w.cluster}/${id}`;
      const td = this.taskDefs.get(input.taskDefinition!)?.td;
      if (!td) throw new ClientException({ message: 'TaskDefinition not found.', $metadata: {} });
      const essential = (td.containerDefinitions ?? []).find((c) => c.essential !== false)!;
      const container = essential.name!;
      // The image's command (docs/deploy-contract.md#container-contract): `migrate` exits; anything else, the default
      // `serve` included, starts the server, which runs until stopped. RunTask overrides replace the command.
      const command = input.overrides?.containerOverrides?.find((o) => o.name === container)?.command ?? essential.command ?? ['serve'];
      const runsForever = this.migrationHangs || !command.includes('migrate');
      this.tasks.set(arn, {
        taskArn: arn,
        taskDefinitionArn: input.taskDefinition,
        lastStatus: runsForever ? 'RUNNING' : 'STOPPED',
        desiredStatus: runsForever ? 'RUNNING' : 'STOPPED',
        startedBy: input.startedBy,
        ...(runsForever
          ? { containers: [{ name: container, lastStatus: 'RUNNING' }] }
          : this.migrationPullError
            ? {
                stopCode: 'TaskFailedToStart',
                stoppedReason: 'CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref: not found',
                containers: [{ name: container, lastStatus: 'STOPPED', reason: 'CannotPullContainerError' }],
              }
            : {
                stopCode: 'EssentialContainerExited',
                stoppedReason: 'Essential container in task exited',
                containers: [{ name: container, exitCode: this.migrationExitCode, lastStatus: 'STOPPED' }],
              }),
      });
      this.streams.set(
        `ecs/${container}/${id}`,
        this.migrationExitCode === 0
          ? this.migrationLogs
          : [
              ...this.migrationLogs.slice(0, 1),
              'QueryFailedError: column "isbn" contains null values',
              'migrations: failed, rolled back the transaction',
            ],
      );
      return { tasks: [{ taskArn: arn, lastStatus: 'PROVISIONING', taskDefinitionArn: input.taskDefinition }], failures: [] };
    });

    // CloudWatch Logs
    on(this.logs, 'logs', GetLogEventsCommand, (input) => {
      const lines = this.streams.get(input.logStreamName!);
      if (!lines) throw Object.assign(new Error('The specified log stream does not exist.'), { name: 'ResourceNotFoundException' });
      const all = lines.map((message, i) => ({ message, timestamp: Date.UTC(2026, 10, 27, 12, 0, i) }));
      if (input.startFromHead) {
        if (input.nextToken === 'f/end') return { events: [], nextForwardToken: 'f/end' };
        return { events: all, nextForwardToken: 'f/end' };
      }
      return { events: all.slice(-(input.limit ?? 10)), nextForwardToken: 'f/end' };
    });
    on(this.logs, 'logs', DescribeLogGroupsCommand, (input) => ({
      logGroups: ['reader', 'writer', 'migrate']
        .map((c) => this.w.logGroup(c))
        .filter((g) => g.startsWith(input.logGroupNamePrefix ?? '') && !this.missingLogGroups.has(g))
        .map((g) => ({
          logGroupName: g,
          arn: `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:${g}:*`,
          logGroupArn: `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:${g}`,
        })),
    }));
    on(this.logs, 'logs', FilterLogEventsCommand, (input) => {
      if (this.missingLogGroups.has(input.logGroupName!))
        throw Object.assign(new Error('The specified log group does not exist.'), { name: 'ResourceNotFoundException' });
      const container = input.logGroupName!.split('/').pop()!;
      return {
        events: [...this.streams.entries()]
          .filter(([k]) => k.split('/')[1] === container && (!input.logStreamNames || input.logStreamNames.includes(k)))
          .flatMap(([k, lines]) =>
            lines.map((message, i) => ({ eventId: `${k}#${i}`, logStreamName: k, message, timestamp: Date.UTC(2026, 10, 27, 12, 0, i) })),
          )
          .filter((e) => e.timestamp >= (input.startTime ?? 0)),
      };
    });
    on(this.logs, 'logs', StartLiveTailCommand, (input) => {
      if (this.liveTail.error) throw Object.assign(new Error('live tail is not supported here'), { name: this.liveTail.error });
      const events = this.liveTail.events ?? [];
      const group = input.logGroupIdentifiers?.[0];
      async function* stream() {
        yield { sessionStart: { sessionId: 's-1', logGroupIdentifiers: [group!] } };
        yield {
          sessionUpdate: { sessionMetadata: { sampled: false }, sessionResults: events.map((e) => ({ ...e, logGroupIdentifier: group })) },
        };
        yield { SessionTimeoutException: { message: 'session ended (3h limit)' } };
      }
      return { responseStream: stream() } as never;
    });

    // ELBv2
    on(this.elbv2, 'elbv2', DescribeTargetHealthCommand, (input) => ({
      TargetHealthDescriptions: this.targetHealth[input.TargetGroupArn!] ?? [],
    }));
    on(this.elbv2, 'elbv2', DescribeTargetGroupsCommand, (input) => ({
      TargetGroups: (input.TargetGroupArns ?? []).map((a: string) => ({
        TargetGroupArn: a,
        Port: 8000,
        HealthCheckPath: '/health',
        TargetType: 'ip' as const,
      })),
    }));

    // CloudWatch alarms
    on(this.cloudwatch, 'cloudwatch', DescribeAlarmsCommand, (input) => ({
      MetricAlarms: this.alarms.filter((a) => a.AlarmName.startsWith(input.AlarmNamePrefix ?? '')),
    }));

    // CloudWatch alarm actions (API reference: EnableAlarmActions / DisableAlarmActions, up to 100 names; an unknown
    // name is ignored, not an error): which outage alarms may notify, by name.
    on(this.cloudwatch, 'cloudwatch', DisableAlarmActionsCommand, (input) => {
      for (const n of input.AlarmNames ?? []) this.alarmActions.set(n, false);
      return {};
    });
    on(this.cloudwatch, 'cloudwatch', EnableAlarmActionsCommand, (input) => {
      for (const n of input.AlarmNames ?? []) this.alarmActions.set(n, true);
      return {};
    });

    // RDS
    // RDS (API reference: DescribeDBInstances, StopDBInstance, StartDBInstance; User Guide "Viewing Amazon RDS
    // DB instance status" and "Stopping/Starting an Amazon RDS DB instance"): stopping and starting take minutes.
    const instance = (id: string | undefined): string => {
      if (id === undefined || !this.dbDeletionProtection.has(id))
        throw new DBInstanceNotFoundFault({ message: `DBInstance ${id} not found.`, $metadata: {} });
      return id;
    };
    on(this.rds, 'rds', DescribeDBInstancesCommand, (input) => {
      const id = instance(input.DBInstanceIdentifier);
      const status = this.dbStatus;
      if (this.dbNext && --this.dbNext.afterDescribes <= 0) {
        this.dbStatus = this.dbNext.status;
        this.dbNext = undefined;
      }
      return {
        DBInstances: [{ DBInstanceIdentifier: id, DBInstanceStatus: status, DeletionProtection: this.dbDeletionProtection.get(id) }],
      };
    });
    on(this.rds, 'rds', StopDBInstanceCommand, (input) => {
      const id = instance(input.DBInstanceIdentifier);
      if (this.dbStatus !== 'available') {
        throw new InvalidDBInstanceStateFault({ message: `Instance ${id} is not in available state.`, $metadata: {} });
      }
      this.dbStatus = 'stopping';
      this.dbNext = { status: 'stopped', afterDescribes: this.dbStopDescribes };
      return { DBInstance: { DBInstanceIdentifier: id, DBInstanceStatus: 'stopping' } };
    });
    on(this.rds, 'rds', StartDBInstanceCommand, (input) => {
      const id = instance(input.DBInstanceIdentifier);
      if (this.dbStatus !== 'stopped') {
        throw new InvalidDBInstanceStateFault({
          message: `Instance ${id} cannot be started as it is not in one of the following statuses: 'stopped'.`,
          $metadata: {},
        });
      }
      this.dbStatus = 'starting';
      this.dbNext = { status: 'available', afterDescribes: this.dbStartDescribes };
      return { DBInstance: { DBInstanceIdentifier: id, DBInstanceStatus: 'starting' } };
    });

    // IAM, EC2 (verify)
    on(this.iam, 'iam', SimulatePrincipalPolicyCommand, (input) => ({
      EvaluationResults: (input.ActionNames ?? []).map((a) => ({ EvalActionName: a, EvalDecision: 'allowed' as const })),
    }));
    on(this.ec2, 'ec2', DescribeSubnetsCommand, (input) => ({ Subnets: (input.SubnetIds ?? []).map((id: string) => ({ SubnetId: id })) }));
    on(this.ec2, 'ec2', DescribeSecurityGroupsCommand, (input) => ({
      SecurityGroups: (input.GroupIds ?? []).map((id: string) => ({ GroupId: id })),
    }));
  }
}
