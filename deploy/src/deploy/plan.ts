import { revisionLabel } from '../aws/ecs.js';
import { describeTaskDefinition } from '../aws/task-definition.js';
import type { Context } from '../context.js';
import { seconds } from '../output/table.js';
import { migrationRunTaskInput } from '../rollout/migration.js';
import { deploymentSettings, strategyText } from '../rollout/strategy.js';
import type { ServiceName } from '../targets/schema.js';
import { TAG } from './provenance.js';
import type { DeployInput, ImageResult, PreflightResult, ServicePlan } from './types.js';

/**
 * The revision each family would get: the newest in the family + 1 (DescribeTaskDefinition of a family
 * answers its latest ACTIVE revision), unless someone registers one first.
 */
export async function predictRevisions(ctx: Context, families: string[]): Promise<Map<string, string>> {
  const next = new Map<string, string>();
  for (const family of new Set(families)) {
    const { taskDefinition: latest } = await describeTaskDefinition(ctx.aws.ecs, family);
    next.set(family, `${family}:${(latest.revision ?? 0) + 1}`);
  }
  return next;
}

/** What the migrate task would start from and run (rollout/migration.ts). */
export interface MigrationPlan {
  /** The base revision, e.g. `library-dev-migrate:4`. */
  base: string;
  command: string[];
  /** RunTask overrides the command (the base revision sets none). */
  override: boolean;
  logGroup?: string;
}

/** The exact plan of a dry run: images, migration, services, rollout. Only read calls went before it. */
export function planText(
  ctx: Context,
  input: DeployInput,
  pre: PreflightResult,
  images: ImageResult[],
  changing: ServicePlan[],
  next: Map<string, string>,
  migration: MigrationPlan,
): string {
  const t = ctx.targets;
  const image = (k: ServiceName) => images.find((i) => i.service === k)!;
  const lines = [
    `Plan for env ${t.environment} (cluster ${t.ecs_cluster_name}, ${ctx.aws.region}) — commit ${pre.commit}, actor ${pre.actor}`,
  ];
  lines.push('', 'Images');
  for (const p of pre.plans) {
    const i = image(p.key);
    lines.push(
      `  ${p.key.padEnd(7)}${p.imageRef}`,
      `         ${i.digest ? `digest ${i.digest} (already in ECR: skip build and push)` : `not in ECR: docker buildx build --platform ${p.platform} --build-arg APP=${p.key}, then push; digest known after push`}`,
    );
  }
  const writer = changing.find((p) => p.key === 'writer');
  const m = t.migration;
  lines.push('', 'Migration');
  if (writer) {
    const req = migrationRunTaskInput(t, next.get(m.task_family)!, 'deploy-cli/migrate');
    lines.push(
      `  RunTask ${req.launchType} from ${req.taskDefinition} (${m.task_definition_arn ? "Terraform's " : 'the latest '}${migration.base}, image ${image('writer').pinned ?? image('writer').image}),`,
      `  container ${m.container_name} command ${JSON.stringify(migration.command)}${migration.override ? ' (override: the revision sets none)' : ''}`,
      `  subnets ${m.subnet_ids.join(', ')}; security groups ${m.security_group_ids.join(', ')}; public IP ${m.assign_public_ip ? 'yes' : 'no'}`,
      `  wait for STOPPED (≤ ${seconds(input.migrationTimeoutMs)}), exit code 0 required, logs from ${migration.logGroup ?? '(no awslogs group: none streamed)'}`,
    );
  } else {
    lines.push('  none (the writer is not being deployed)');
  }
  lines.push('', 'Services');
  for (const p of pre.plans) {
    const changes = p.settingChanges.length ? `; Terraform changed ${p.settingChanges.map((c) => c.key).join(', ')}` : '';
    const change = !changing.includes(p)
      ? 'no change (digest already running)'
      : `${revisionLabel(p.service.taskDefinition)} → ${next.get(p.target.task_family)}, image ${image(p.key).pinned ?? `${p.target.ecr_repository_url}@<digest after push>`}; from Terraform's ${revisionLabel(p.target.task_definition_arn)}${changes}`;
    lines.push(`  ${p.key.padEnd(7)}${p.target.service_name}: ${change}; desired ${p.service.desiredCount ?? 0}`);
    const lb = deploymentSettings(p.target.delivery, p.service).loadBalancers?.[0];
    if (changing.includes(p) && lb) {
      const hook = p.target.delivery.hook;
      lines.push(
        `         ${strategyText(p.target.delivery)}: new revision on ${lb.advancedConfiguration!.alternateTargetGroupArn}, production stays on ${lb.targetGroupArn} until the shift`,
        `         ${hook ? `hook ${hook.function_arn} at ${hook.lifecycle_stages.join(', ')}` : 'no hook'}; roll back on ${p.target.delivery.rollback_alarm_names.join(', ') || 'no alarm'}`,
      );
    }
  }
  lines.push(
    '',
    'Rollout',
    `  UpdateService forceNewDeployment, follow the new deployment id; timeout ${seconds(input.timeoutMs)}; ` +
      `max failed tasks ${input.maxFailedTasks ?? 'circuit breaker decides'}; atomic ${input.atomic ? 'yes (both roll back together)' : 'no'}`,
    `  smoke: ${input.smoke ? `GET ${t.app_url.replace(/\/$/, '')}/health/ready (reader), POST …/health/ready (writer route)` : 'off'}`,
    `  tags on new revisions: ${Object.values(TAG).join(', ')}`,
    '',
    'Dry run: nothing was built, pushed, registered or updated.',
  );
  return lines.join('\n');
}
