import { DescribeLogGroupsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { DescribeSecurityGroupsCommand, DescribeSubnetsCommand } from '@aws-sdk/client-ec2';
import { DescribeRepositoriesCommand } from '@aws-sdk/client-ecr';
import { DescribeClustersCommand } from '@aws-sdk/client-ecs';
import { DescribeTargetGroupsCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { SimulatePrincipalPolicyCommand } from '@aws-sdk/client-iam';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { describeServices, revisionLabel } from '../aws/ecs.js';
import type { TaskDefinition } from '@aws-sdk/client-ecs';
import { describeTaskDefinition } from '../aws/task-definition.js';
import { migrationBase, migrationCommand, migrationLogGroup } from '../rollout/migration.js';
import type { Context } from '../context.js';
import { toCliError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import { parseRepositoryUrl, SERVICE_NAMES } from '../targets/schema.js';

export interface Check {
  name: string;
  ok: boolean;
  detail: string;
  fix?: string;
}

class Failed extends Error {
  constructor(
    message: string,
    readonly fix: string,
  ) {
    super(message);
  }
}

/** Role ARN from an assumed-role session ARN is not needed here: the execution role comes from the task definition. */
export async function runChecks(ctx: Context): Promise<Check[]> {
  const { aws, targets } = ctx;
  const checks: Check[] = [];
  const check = async (name: string, fn: () => Promise<string>) => {
    try {
      checks.push({ name, ok: true, detail: await fn() });
    } catch (err) {
      if (err instanceof Failed) checks.push({ name, ok: false, detail: err.message, fix: err.fix });
      else {
        const e = toCliError(err);
        checks.push({ name, ok: false, detail: e.message, fix: e.hint ?? 'see the message' });
      }
    }
  };

  await check('credentials and region', async () => {
    const who = await aws.sts.send(new GetCallerIdentityCommand({}));
    const accounts = new Set(SERVICE_NAMES.map((k) => parseRepositoryUrl(targets.services[k].ecr_repository_url).registryId));
    if (!accounts.has(who.Account ?? '')) {
      throw new Failed(
        `signed in to account ${who.Account}, but the outputs point at ${[...accounts].join(', ')}`,
        'switch AWS_PROFILE to the account of this env',
      );
    }
    if (aws.region !== targets.aws_region)
      throw new Failed(
        `region ${aws.region} differs from the outputs' ${targets.aws_region}`,
        `drop --region or use ${targets.aws_region}`,
      );
    return `${who.Arn} in ${who.Account}, region ${aws.region}${aws.endpoint ? `, endpoint ${aws.endpoint}` : ''}`;
  });

  await check(`cluster ${targets.ecs_cluster_name}`, async () => {
    const res = await aws.ecs.send(new DescribeClustersCommand({ clusters: [targets.ecs_cluster_name] }));
    const c = res.clusters?.[0];
    if (!c || c.status !== 'ACTIVE')
      throw new Failed(
        `cluster not found (${res.failures?.[0]?.reason ?? c?.status ?? 'MISSING'})`,
        'run `terraform apply` for this env, or check --env/AWS_REGION',
      );
    return 'ACTIVE';
  });

  const services = await describeServices(
    aws.ecs,
    targets.ecs_cluster_name,
    SERVICE_NAMES.map((k) => targets.services[k].service_name),
  ).catch(() => undefined);
  for (const [i, key] of SERVICE_NAMES.entries()) {
    const t = targets.services[key];
    const svc = services?.[i];
    await check(`service ${t.service_name}`, async () => {
      if (!svc) throw new Failed('not found or not ACTIVE in the cluster', 'run `terraform apply` for this env');
      const cb = svc.deploymentConfiguration?.deploymentCircuitBreaker;
      if (!cb?.enable || !cb.rollback)
        throw new Failed(
          'deployment circuit breaker with rollback is off',
          'enable deployment_circuit_breaker { enable = true, rollback = true } in the service module',
        );
      return `ACTIVE, ${svc.runningCount}/${svc.desiredCount} running, circuit breaker with rollback on`;
    });
    await check(`ECR repository ${t.ecr_repository_url.split('/').slice(1).join('/')}`, async () => {
      const repo = parseRepositoryUrl(t.ecr_repository_url);
      const res = await aws.ecr.send(
        new DescribeRepositoriesCommand({ repositoryNames: [repo.repositoryName], registryId: repo.registryId }),
      );
      const r = res.repositories?.[0];
      if (r?.imageTagMutability && !r.imageTagMutability.startsWith('IMMUTABLE'))
        throw new Failed(
          `tags are ${r.imageTagMutability}`,
          'set image_tag_mutability = "IMMUTABLE" in the registry module: a tag must name one image',
        );
      return `exists, tags ${r?.imageTagMutability ?? 'IMMUTABLE'}`;
    });
    await check(`log group ${t.log_group_name}`, async () => {
      const res = await aws.logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: t.log_group_name }));
      if (!res.logGroups?.some((g) => g.logGroupName === t.log_group_name))
        throw new Failed('does not exist', 'run `terraform apply` (the service module creates it); tasks cannot start without it');
      return 'exists';
    });
    await check(`target group of ${t.service_name} → container port`, async () => {
      if (!svc) throw new Failed('service missing', 'see above');
      const { taskDefinition: td } = await describeTaskDefinition(aws.ecs, svc.taskDefinition!);
      const container = td.containerDefinitions?.find((c) => c.name === t.container_name);
      if (!container)
        throw new Failed(
          `container ${t.container_name} is not in ${svc.taskDefinition}`,
          'fix services.*.container_name or the task definition',
        );
      const ports = (container.portMappings ?? []).map((p) => p.containerPort);
      const lbs = svc.loadBalancers ?? [];
      if (!lbs.length) throw new Failed('the service has no load balancer', 'attach the target group in the service module');
      const tgs = await aws.elbv2.send(new DescribeTargetGroupsCommand({ TargetGroupArns: lbs.map((l) => l.targetGroupArn!) }));
      for (const lb of lbs) {
        if (lb.containerName !== t.container_name || !ports.includes(lb.containerPort)) {
          throw new Failed(
            `service routes to ${lb.containerName}:${lb.containerPort}, container ${t.container_name} listens on ${ports.join(', ') || 'nothing'}`,
            'the stack sets both from one port (local.app_port in terraform/modules/stack/main.tf): re-apply it with terraform',
          );
        }
        const tg = tgs.TargetGroups?.find((g) => g.TargetGroupArn === lb.targetGroupArn);
        if (tg?.TargetType && tg.TargetType !== 'ip')
          throw new Failed(`target type ${tg.TargetType}`, 'Fargate (awsvpc) needs target_type = "ip"');
        if (tg?.Port !== undefined && tg.Port !== lb.containerPort)
          throw new Failed(
            `target group port ${tg.Port} ≠ container port ${lb.containerPort}`,
            'set the target group port to the container port',
          );
      }
      return `${lbs.map((l) => `${l.containerName}:${l.containerPort}`).join(', ')}, health check ${tgs.TargetGroups?.[0]?.HealthCheckPath ?? '?'}`;
    });
  }

  const m = targets.migration;
  let migrate: TaskDefinition | undefined;
  await check(`migration task definition ${(m.task_definition_arn ?? m.task_family).split('/').pop()}`, async () => {
    migrate = (await migrationBase(aws.ecs, m)).taskDefinition;
    const { command, override } = migrationCommand(migrate, m.container_name);
    const group = migrationLogGroup(migrate, m);
    if (!group)
      throw new Failed(
        `no log group for the migrate task: no migration.log_group_name output and no awslogs-group in ${revisionLabel(migrate.taskDefinitionArn)}`,
        'give the migrate container an awslogs log configuration in Terraform (docs/reliability.md#e7), then `terraform apply`',
      );
    const logs = await aws.logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: group }));
    if (!logs.logGroups?.some((g) => g.logGroupName === group))
      throw new Failed(`log group ${group} does not exist`, 'run `terraform apply`; the migration task cannot start without it');
    return `container ${m.container_name} runs ${JSON.stringify(command)}${override ? ' (RunTask override)' : ''}, logs to ${group}`;
  });

  // Only the migrate task logs in with the master secret; the services use IAM database auth (docs/deploy-contract.md#task-environment).
  await check('execution role can read the DB secret', async () => {
    const td = migrate;
    if (!td) throw new Failed('the migration task definition is missing', 'see above');
    const role = td.executionRoleArn;
    if (!role) throw new Failed('the migrate task definition has no execution role', 'set its execution role in Terraform');
    const secret = targets.database.secret_arn;
    const res = await aws.iam.send(
      new SimulatePrincipalPolicyCommand({ PolicySourceArn: role, ActionNames: ['secretsmanager:GetSecretValue'], ResourceArns: [secret] }),
    );
    const decision = res.EvaluationResults?.[0]?.EvalDecision;
    if (decision !== 'allowed')
      throw new Failed(
        `${role} may not secretsmanager:GetSecretValue on the secret (${decision ?? 'no answer'})`,
        'grant secretsmanager:GetSecretValue on database.secret_arn to the execution role (and kms:Decrypt if a CMK encrypts it)',
      );
    const refs = (td.containerDefinitions ?? []).flatMap((c) => c.secrets ?? []).some((s) => s.valueFrom?.startsWith(secret));
    return `${role.split('/').pop()} allowed${refs ? ', task definition references it' : ' (the task definition does not reference it!)'}`;
  });

  await check('migration subnets', async () => {
    const res = await aws.ec2.send(new DescribeSubnetsCommand({ SubnetIds: targets.migration.subnet_ids }));
    const found = (res.Subnets ?? []).map((s) => s.SubnetId);
    const missing = targets.migration.subnet_ids.filter((s) => !found.includes(s));
    if (missing.length)
      throw new Failed(`missing: ${missing.join(', ')}`, 'run `terraform apply`; migration.subnet_ids must be the private subnets');
    return targets.migration.subnet_ids.join(', ');
  });
  await check('migration security groups', async () => {
    const res = await aws.ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: targets.migration.security_group_ids }));
    const found = (res.SecurityGroups ?? []).map((s) => s.GroupId);
    const missing = targets.migration.security_group_ids.filter((s) => !found.includes(s));
    if (missing.length) throw new Failed(`missing: ${missing.join(', ')}`, 'run `terraform apply`');
    return targets.migration.security_group_ids.join(', ');
  });
  return checks;
}

export async function verifyAction(ctx: Context): Promise<ExitCode> {
  const checks = await runChecks(ctx);
  const ok = checks.every((c) => c.ok);
  if (ctx.common.json) ctx.json({ command: 'verify', ok, checks });
  else {
    ctx.print(
      checks.map((c) => `${c.ok ? '✔' : '✖'} ${c.name} — ${c.detail}${c.ok ? '' : `\n    fix: ${c.fix}`}`).join('\n') +
        `\n${ok ? 'all checks passed' : `${checks.filter((c) => !c.ok).length} of ${checks.length} checks failed`}`,
    );
  }
  return ok ? ExitCode.Ok : ExitCode.Preflight;
}
