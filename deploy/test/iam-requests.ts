/**
 * From what the deploy CLI's test scenarios record (SDK calls, docker and terraform runs) and what a running task
 * does, to IAM requests: the action, the resource ARN in the form the Service Authorization Reference gives for
 * that action ("Actions, resources, and condition keys for <service>"), the condition keys AWS sets on the request,
 * and the policies that decide it. iam-simulate evaluates them (iam-evaluation.spec.ts).
 */
import type { Tag, TaskDefinition, UpdateServiceCommandInput } from '@aws-sdk/client-ecs';
import type { AwsCall } from './fake-aws.js';
import type { PolicyDocument, RenderedIam, RenderedRole, RenderedTaskDefinition } from './iam-render.js';

export type Context = Record<string, string | string[]>;

export interface IamRequest {
  /** The calling role (its identity policies decide) or, for a role's trust policy, the AWS service or IdP. */
  principal: { role: RenderedRole } | { service: string } | { federated: string };
  action: string;
  resource: string;
  context: Context;
  /** A resource-based policy that also decides: a trust policy, a KMS key policy. */
  resourcePolicy?: PolicyDocument;
  /** What sends it, for messages: "deploy: ecs RegisterTaskDefinition". */
  by: string;
}

export class UnmappedCall extends Error {}

/** What docker sends with the ECR token for `docker push` (ECR User Guide, "Pushing a Docker image", required IAM permissions). */
export const DOCKER_PUSH = [
  'ecr:BatchCheckLayerAvailability',
  'ecr:InitiateLayerUpload',
  'ecr:UploadLayerPart',
  'ecr:CompleteLayerUpload',
  'ecr:PutImage',
  'ecr:BatchGetImage',
];
/** What the ECS agent sends to pull an image from ECR (ECS Developer Guide, "Amazon ECS task execution IAM role"). */
export const IMAGE_PULL = ['ecr:BatchCheckLayerAvailability', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchGetImage'];
/** Service principal ECS hands task and execution roles to (ECS Developer Guide, "Amazon ECS task IAM role"). */
export const ECS_TASKS = 'ecs-tasks.amazonaws.com';
/**
 * Service principal that takes the infrastructure role for load balancers and the hook's invoke role (ECS Developer
 * Guide, "Amazon ECS infrastructure IAM role for load balancers" and "Permissions required for Lambda functions in
 * Amazon ECS blue/green deployments": trust ecs.amazonaws.com).
 */
export const ECS_SERVICE = 'ecs.amazonaws.com';

/** aws:TagKeys and aws:RequestTag/<key> of a request carrying tags (IAM User Guide, "Controlling access during AWS requests"). */
export function tagContext(tags: Pick<Tag, 'key' | 'value'>[]): Context {
  const context: Context = { 'aws:TagKeys': tags.map((t) => t.key!) };
  for (const t of tags) context[`aws:RequestTag/${t.key}`] = t.value ?? '';
  return context;
}

export class Arns {
  constructor(
    readonly region: string,
    readonly account: string,
  ) {}
  private ecs = (rest: string) => `arn:aws:ecs:${this.region}:${this.account}:${rest}`;
  cluster = (c = 'default') => (c.startsWith('arn:') ? c : this.ecs(`cluster/${c}`));
  clusterName = (c = 'default') => c.split('/').pop()!;
  service = (cluster: string | undefined, s: string) => (s.startsWith('arn:') ? s : this.ecs(`service/${this.clusterName(cluster)}/${s}`));
  /** service-deployment/<cluster>/<service>/<id> → its cluster and service ARNs (the condition keys ecs:cluster, ecs:service). */
  ofServiceDeployment = (arn: string) => {
    const [, cluster, service] = arn.slice(arn.indexOf(':service-deployment/') + 1).split('/');
    return { 'ecs:cluster': this.cluster(cluster), 'ecs:service': this.service(cluster, service!) };
  };
  task = (cluster: string | undefined, t: string) => (t.startsWith('arn:') ? t : this.ecs(`task/${this.clusterName(cluster)}/${t}`));
  /** task-definition/<family>:<revision> from an ARN or family:revision. */
  taskDefinition = (ref: string) => (ref.startsWith('arn:') ? ref : this.ecs(`task-definition/${ref}`));
  repository = (name: string) => `arn:aws:ecr:${this.region}:${this.account}:repository/${name}`;
  /** log-group:<name>, without the :* DescribeLogGroups appends. */
  logGroup = (nameOrArn: string) =>
    nameOrArn.startsWith('arn:') ? nameOrArn.replace(/:\*$/, '') : `arn:aws:logs:${this.region}:${this.account}:log-group:${nameOrArn}`;
  logStream = (group: string, stream: string) => `${this.logGroup(group)}:log-stream:${stream}`;
  db = (id: string) => `arn:aws:rds:${this.region}:${this.account}:db:${id}`;
  alarm = (name: string) => `arn:aws:cloudwatch:${this.region}:${this.account}:alarm:${name}`;
  dbUser = (resourceId: string, user: string) => `arn:aws:rds-db:${this.region}:${this.account}:dbuser:${resourceId}/${user}`;
  /** <account>.dkr.ecr.<region>.amazonaws.com/<repository>[:tag|@digest] → the repository, when it is this account's. */
  repositoryOfImage = (image: string): string | undefined => {
    const prefix = `${this.account}.dkr.ecr.${this.region}.amazonaws.com/`;
    return image.startsWith(prefix) ? image.slice(prefix.length).replace(/[@:].*$/, '') : undefined;
  };
}

const strings = (v: unknown): string[] => (Array.isArray(v) ? (v as string[]) : typeof v === 'string' ? [v] : []);

/**
 * The requests behind one recorded SDK call of the deployer. `taskDefinition` looks up a revision the fake holds
 * (RunTask passes the roles of the revision it runs).
 */
export function requestsOfCall(
  call: AwsCall,
  deployer: RenderedRole,
  arns: Arns,
  by: string,
  taskDefinition: (arn: string) => TaskDefinition | undefined,
): IamRequest[] {
  const input = call.input as Record<string, unknown>;
  const output = (call.output ?? {}) as Record<string, unknown>;
  const req = (action: string, resource: string, context: Context = {}): IamRequest => ({
    principal: { role: deployer },
    action,
    resource,
    context,
    by: `${by}: ${call.client} ${call.command}`,
  });
  const action = `${{ elbv2: 'elasticloadbalancing' }[call.client] ?? call.client}:${call.command}`;
  const cluster = input.cluster as string | undefined;
  const onCluster = { 'ecs:cluster': arns.cluster(cluster) };
  const passRoles = (roles: (string | undefined)[], to = ECS_TASKS) =>
    roles.filter((r): r is string => !!r).map((r) => req('iam:PassRole', r, { 'iam:PassedToService': to }));

  switch (action) {
    // No resource-level permissions for these (Service Authorization Reference: no resource type): "*".
    case 'sts:GetCallerIdentity':
    case 'ecr:GetAuthorizationToken':
    case 'ecs:DescribeTaskDefinition':
    case 'ecs:ListTaskDefinitions':
    case 'logs:DescribeLogGroups':
    case 'elasticloadbalancing:DescribeTargetHealth':
    case 'elasticloadbalancing:DescribeTargetGroups':
    case 'ec2:DescribeSubnets':
    case 'ec2:DescribeSecurityGroups':
      return [req(action, '*')];

    case 'ecr:DescribeImages':
      return [req(action, arns.repository(String(input.repositoryName)))];
    case 'ecr:DescribeRepositories':
      return strings(input.repositoryNames).map((n) => req(action, arns.repository(n)));

    case 'ecs:DescribeClusters':
      return strings(input.clusters).map((c) => req(action, arns.cluster(c)));
    case 'ecs:DescribeServices':
      return strings(input.services).map((s) => req(action, arns.service(cluster, s), onCluster));
    case 'ecs:UpdateService': {
      const td = input.taskDefinition as string | undefined;
      const settings = input as Pick<UpdateServiceCommandInput, 'loadBalancers' | 'deploymentConfiguration'>;
      return [
        req(action, arns.service(cluster, String(input.service)), {
          ...onCluster,
          ...(td ? { 'ecs:task-definition': arns.taskDefinition(td) } : {}),
        }),
        // The blue/green family names the infrastructure role for load balancers and the hook's invoke role: both
        // are passed to ECS (ECS API Reference, UpdateService: AdvancedConfiguration.roleArn, DeploymentLifecycleHook.roleArn).
        ...passRoles(
          [
            ...(settings.loadBalancers ?? []).map((lb) => lb.advancedConfiguration?.roleArn),
            ...(settings.deploymentConfiguration?.lifecycleHooks ?? []).map((h) => h.roleArn),
          ],
          ECS_SERVICE,
        ),
      ];
    }
    case 'ecs:ListServiceDeployments':
      return [req(action, arns.service(cluster, String(input.service)), onCluster)];
    // Both take the service-deployment resource type, with ecs:cluster and ecs:service (Service Authorization Reference).
    case 'ecs:DescribeServiceDeployments':
      return strings(input.serviceDeploymentArns).map((a) => req(action, a, arns.ofServiceDeployment(a)));
    case 'ecs:StopServiceDeployment': {
      const arn = String(input.serviceDeploymentArn);
      return [req(action, arn, arns.ofServiceDeployment(arn))];
    }
    case 'ecs:DescribeTasks':
      return strings(input.tasks).map((t) => req(action, arns.task(cluster, t), onCluster));
    // The reference names container-instance for ListTasks, which Fargate has not; a cluster-wide list is
    // evaluated on "*" with ecs:cluster (ECS Developer Guide, "Identity-based policy examples").
    case 'ecs:ListTasks':
      return [req(action, '*', onCluster)];
    case 'ecs:ListTagsForResource':
      return [req(action, String(input.resourceArn))];
    case 'ecs:TagResource':
      return [req(action, String(input.resourceArn), tagContext((input.tags as Tag[]) ?? []))];
    case 'ecs:UntagResource':
      return [req(action, String(input.resourceArn), { 'aws:TagKeys': strings(input.tagKeys) })];

    case 'ecs:RegisterTaskDefinition': {
      // The new revision's ARN (task-definition/<family>:<revision>), as ECS answered.
      const arn = (output.taskDefinition as TaskDefinition | undefined)?.taskDefinitionArn;
      if (!arn) throw new UnmappedCall(`${by}: RegisterTaskDefinition without a registered revision in its answer`);
      const tags = (input.tags as Tag[] | undefined) ?? [];
      return [
        req(action, arn, tags.length ? tagContext(tags) : {}),
        // Tags on create are authorized as ecs:TagResource with ecs:CreateAction (ECS Developer Guide, "Grant
        // permission to tag resources on creation").
        ...(tags.length ? [req('ecs:TagResource', arn, { 'ecs:CreateAction': 'RegisterTaskDefinition', ...tagContext(tags) })] : []),
        // Naming the task and execution roles passes them to ECS (IAM User Guide, "Grant a user permissions to pass
        // a role to an AWS service").
        ...passRoles([input.taskRoleArn as string, input.executionRoleArn as string]),
      ];
    }
    case 'ecs:RunTask': {
      const arn = arns.taskDefinition(String(input.taskDefinition));
      const td = taskDefinition(arn);
      const tags = (input.tags as Tag[] | undefined) ?? [];
      return [
        req(action, arn, { ...onCluster, ...(tags.length ? tagContext(tags) : {}) }),
        ...(tags.length ? [req('ecs:TagResource', arn, { 'ecs:CreateAction': 'RunTask', ...tagContext(tags) })] : []),
        // RunTask passes the revision's roles, or the overrides' (ECS API Reference, RunTask: iam:PassRole).
        ...passRoles([
          ((input.overrides as { taskRoleArn?: string } | undefined)?.taskRoleArn ?? td?.taskRoleArn) as string,
          ((input.overrides as { executionRoleArn?: string } | undefined)?.executionRoleArn ?? td?.executionRoleArn) as string,
        ]),
      ];
    }

    case 'logs:FilterLogEvents':
      return [req(action, arns.logGroup(String(input.logGroupIdentifier ?? input.logGroupName)))];
    case 'logs:GetLogEvents':
      return [req(action, arns.logStream(String(input.logGroupIdentifier ?? input.logGroupName), String(input.logStreamName)))];
    case 'logs:StartLiveTail':
      return strings(input.logGroupIdentifiers).map((g) => req(action, arns.logGroup(g)));

    // DescribeAlarms takes the alarm resource type; without names the CLI lists every alarm (alarm:*).
    case 'cloudwatch:DescribeAlarms': {
      const names = strings(input.AlarmNames);
      if (names.length) return names.map((n) => req(action, arns.alarm(n)));
      return [req(action, arns.alarm(`${(input.AlarmNamePrefix as string | undefined) ?? ''}*`))];
    }
    case 'cloudwatch:DisableAlarmActions':
    case 'cloudwatch:EnableAlarmActions':
      return strings(input.AlarmNames).map((n) => req(action, arns.alarm(n)));

    case 'rds:DescribeDBInstances':
    case 'rds:StopDBInstance':
    case 'rds:StartDBInstance':
      return [req(action, arns.db(String(input.DBInstanceIdentifier)))];

    case 'iam:SimulatePrincipalPolicy':
      return [req(action, String(input.PolicySourceArn))];
  }
  throw new UnmappedCall(
    `${by}: no IAM mapping for ${call.client} ${call.command}Command; add its action, resource and condition keys to iam-requests.ts`,
  );
}

/** docker's registry calls for `docker push <this account's repository>:<tag>`. */
export function requestsOfDocker(args: string[], deployer: RenderedRole, arns: Arns, by: string): IamRequest[] {
  if (args[0] !== 'push') return [];
  const repository = arns.repositoryOfImage(args[1]!);
  if (!repository) return [];
  return DOCKER_PUSH.map((action) => ({
    principal: { role: deployer },
    action,
    resource: arns.repository(repository),
    context: {},
    by: `${by}: docker push ${repository}`,
  }));
}

/** `terraform output` (every command reads its targets from it) reads the state: S3 backend, default workspace. */
export function requestsOfTerraform(
  args: string[],
  deployer: RenderedRole,
  state: { bucket: string; key: string },
  by: string,
): IamRequest[] {
  if (!args.includes('output')) return [];
  const req = (action: string, resource: string, context: Context = {}): IamRequest => ({
    principal: { role: deployer },
    action,
    resource,
    context,
    by: `${by}: terraform output (S3 backend)`,
  });
  // The backend lists <workspace_key_prefix>/ (default env:/) to find workspaces, then reads the key
  // (Terraform docs, "Backend Type: s3", Workspaces and permissions).
  return [
    req('s3:ListBucket', `arn:aws:s3:::${state.bucket}`, { 's3:prefix': 'env:/' }),
    req('s3:GetObject', `arn:aws:s3:::${state.bucket}/${state.key}`),
  ];
}

/**
 * What a task of a rendered task definition does in AWS: the ECS agent with the execution role (pull the images,
 * write the logs, read the secrets and their key), the containers with the task role (their database login, X-Ray
 * with the collector, the SSM channels and session logs with ECS Exec), and ECS assuming both roles.
 */
export function requestsOfRunningTask(
  td: RenderedTaskDefinition,
  iam: RenderedIam,
  arns: Arns,
  opts: { exec: boolean; execKeyArn: string; secretKeyArn: string },
): IamRequest[] {
  const taskId = '0123456789abcdef0123456789abcdef';
  const taskArn = arns.task(iam.inputs.cluster_arn, taskId);
  const by = `${td.family} task`;
  const asRole =
    (role: RenderedRole, what: string) =>
    (action: string, resource: string, context: Context = {}, resourcePolicy?: PolicyDocument): IamRequest => ({
      principal: { role },
      action,
      resource,
      context,
      resourcePolicy,
      by: `${by}: ${what}`,
    });
  const agent = asRole(td.executionRole, 'ECS agent (execution role)');
  const app = asRole(td.taskRole, 'containers (task role)');
  const out: IamRequest[] = [];

  // ECS assumes both roles for the task; the trust policies' confused-deputy conditions see the task's account and ARN.
  for (const role of [td.executionRole, td.taskRole]) {
    out.push({
      principal: { service: ECS_TASKS },
      action: 'sts:AssumeRole',
      resource: role.arn,
      context: { 'aws:SourceAccount': iam.inputs.account_id, 'aws:SourceArn': taskArn },
      resourcePolicy: role.trustPolicy,
      by: `${by}: ECS assumes ${role.name}`,
    });
  }

  out.push(agent('ecr:GetAuthorizationToken', '*'));
  for (const c of td.containerDefinitions) {
    const repository = arns.repositoryOfImage(c.image);
    if (repository) for (const action of IMAGE_PULL) out.push(agent(action, arns.repository(repository)));
    const log = c.logConfiguration;
    if (log?.logDriver === 'awslogs') {
      // awslogs streams are <prefix>/<container>/<task id> (ECS Developer Guide, "Using the awslogs log driver").
      const stream = arns.logStream(log.options['awslogs-group']!, `${log.options['awslogs-stream-prefix']}/${c.name}/${taskId}`);
      out.push(agent('logs:CreateLogStream', stream), agent('logs:PutLogEvents', stream));
    }
    for (const s of c.secrets ?? []) {
      // valueFrom is the secret's ARN, optionally :<json-key>:<version-stage>:<version-id> (ECS Developer Guide,
      // "Pass Secrets Manager secrets through Amazon ECS environment variables").
      const secret = s.valueFrom.split(':').slice(0, 7).join(':');
      out.push(agent('secretsmanager:GetSecretValue', secret));
      // Secrets Manager decrypts with the secret's key on the caller's behalf (Secrets Manager User Guide, "Secret
      // encryption and decryption": kms:ViaService).
      out.push(
        agent(
          'kms:Decrypt',
          opts.secretKeyArn,
          { 'kms:ViaService': `secretsmanager.${iam.inputs.region}.amazonaws.com` },
          iam.keyPolicies[opts.secretKeyArn],
        ),
      );
    }
    const env = Object.fromEntries((c.environment ?? []).map((e) => [e.name, e.value]));
    // IAM database authentication as the container's own user (RDS User Guide, "Creating and using an IAM policy for
    // IAM database access").
    if (env.DB_AUTH === 'iam' && env.DB_USER) out.push(app('rds-db:connect', arns.dbUser(iam.inputs.db_resource_id, env.DB_USER)));
    // The collector sidecar, by the container name modules/service gives it (wherever its image comes from).
    if (c.name === 'aws-otel-collector') {
      // The ADOT collector's awsxray exporter and X-Ray sampling (ECS Developer Guide, "Required IAM permissions for
      // AWS Distro for OpenTelemetry integration with AWS X-Ray"; X-Ray has no resource types: "*").
      for (const action of ['xray:PutTraceSegments', 'xray:PutTelemetryRecords', 'xray:GetSamplingRules', 'xray:GetSamplingTargets'])
        out.push(app(action, '*'));
    }
  }
  if (opts.exec) {
    // ECS Exec (ECS Developer Guide, "Monitor Amazon ECS containers with ECS Exec", IAM permissions and logging): the
    // SSM agent's channels, the session log group and the key that encrypts the session.
    for (const action of [
      'ssmmessages:CreateControlChannel',
      'ssmmessages:CreateDataChannel',
      'ssmmessages:OpenControlChannel',
      'ssmmessages:OpenDataChannel',
    ])
      out.push(app(action, '*'));
    const group = iam.inputs.exec_log_group_name;
    const stream = arns.logStream(group, `ecs-execute-command-${taskId}`);
    out.push(
      app('logs:DescribeLogGroups', '*'),
      app('logs:DescribeLogStreams', arns.logGroup(group)),
      app('logs:CreateLogStream', stream),
      app('logs:PutLogEvents', stream),
      app('kms:Decrypt', opts.execKeyArn, {}, iam.keyPolicies[opts.execKeyArn]),
    );
  }
  return out;
}
