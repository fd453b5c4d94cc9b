import type { Deployment, ECSClient, Service } from '@aws-sdk/client-ecs';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { ecrDigest } from '../aws/ecr.js';
import { describeServices, inProgressDeployment, revisionLabel } from '../aws/ecs.js';
import { deploymentSettings } from '../rollout/strategy.js';
import {
  containerImage,
  describeTaskDefinition,
  describeTerraformRevision,
  platformOf,
  settingChanges,
  streamPrefix,
} from '../aws/task-definition.js';
import type { Context } from '../context.js';
import { CliError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import { compactTime } from '../output/format.js';
import type { ServiceName } from '../targets/schema.js';
import { deployedByCli } from './provenance.js';
import type { DeployInput, PreflightResult, ServicePlan } from './types.js';

/**
 * Git, credentials, services, Terraform's revisions and the images already in ECR. Read-only: a dry run stops
 * after it. Throws CliError(Preflight) for anything that must stop a deploy before it starts.
 */
export function preflight(input: DeployInput, ctx: Context): Promise<PreflightResult> {
  return ctx.progress.step('Preflight: git, credentials, services, images', async (step) => {
    const { deps, aws, targets } = ctx;
    const time = deps.now();
    const commit = await deps.git.head();
    const dirty = await deps.git.isDirty();
    if (dirty && !input.allowDirty) {
      throw new CliError(
        'the working tree has uncommitted changes; the image tag must name a commit',
        ExitCode.Preflight,
        'commit your changes, or pass --allow-dirty (tags the image <commit>-dirty-<time>)',
      );
    }
    const imageTag = dirty ? `${commit}-dirty-${compactTime(deps.now())}` : commit;
    step.update(`commit ${commit.slice(0, 12)}${dirty ? ' (dirty)' : ''}`);

    const who = await aws.sts.send(new GetCallerIdentityCommand({}));
    const actor = who.Arn ?? 'unknown';
    step.update(`credentials ok: ${actor}`);

    const cluster = targets.ecs_cluster_name;
    const services = await describeServices(
      aws.ecs,
      cluster,
      input.services.map((k) => targets.services[k].service_name),
    );
    const plans: ServicePlan[] = [];
    for (const [i, key] of input.services.entries()) {
      plans.push(await planService(ctx, input, key, services[i]!, imageTag));
    }

    // W-4: the tag is the commit; if ECR has it, there is nothing to build or push and its digest is pinned.
    const inEcr = new Map<ServiceName, string>();
    for (const p of plans) {
      const digest = await ecrDigest(aws.ecr, p.target.ecr_repository_url, imageTag);
      if (digest) inEcr.set(p.key, digest);
    }
    if (!input.dryRun && plans.some((p) => !inEcr.has(p.key))) await pingDocker(ctx);
    return { commit, imageTag, dirty, actor, time, plans, inEcr };
  });
}

async function planService(ctx: Context, input: DeployInput, key: ServiceName, service: Service, imageTag: string): Promise<ServicePlan> {
  const { aws } = ctx;
  const target = ctx.targets.services[key];
  const busy = inProgressDeployment(service);
  if (busy && !input.force && !(await isUnstartedBootstrap(aws.ecs, service, busy))) {
    throw new CliError(
      `a deployment of ${service.serviceName} is still in progress (${busy.id}, ${busy.rolloutState ?? busy.status}, ${revisionLabel(busy.taskDefinition)})`,
      ExitCode.Preflight,
      'wait for it (`deploy status`), or pass --force to deploy on top of it',
    );
  }
  // The blue/green family's settings must fit the service (its target group is one of the pair) before anything runs.
  deploymentSettings(target.delivery, service);
  const { taskDefinition: live } = await describeTaskDefinition(aws.ecs, service.taskDefinition!);
  // the new revision starts from the one Terraform registered last, so its settings reach the tasks.
  const base = await describeTerraformRevision(
    aws.ecs,
    target.task_definition_arn,
    `services.${key}.task_definition_arn`,
    target.container_name,
  );
  const platform = platformOf(base.taskDefinition);
  if (input.platform && input.platform !== platform) {
    ctx.progress.note(
      `warning: --platform ${input.platform}, but ${revisionLabel(base.taskDefinition.taskDefinitionArn)} (Terraform's) runs on ${platform}`,
    );
  }
  return {
    key,
    target,
    service,
    live,
    liveImage: containerImage(live, target.container_name),
    base,
    settingChanges: settingChanges(live, base.taskDefinition, target.container_name),
    imageRef: `${target.ecr_repository_url}:${imageTag}`,
    platform: input.platform ?? platform,
    streamPrefix: streamPrefix(base.taskDefinition, target.container_name),
  };
}

async function pingDocker(ctx: Context): Promise<void> {
  try {
    await ctx.deps.docker.ping();
  } catch (err) {
    throw new CliError(
      `docker is not running or not reachable: ${(err as Error).message}`,
      ExitCode.Preflight,
      'start Docker Desktop (or dockerd), check `docker info`, then re-run',
      { cause: err },
    );
  }
}

/**
 * The first deploy after `terraform apply`: ECS is still retrying Terraform's placeholder revision (its
 * image tag exists in no registry, the CLI never tagged it) and no task has ever run. Nothing can be lost
 * by replacing it, so the in-progress guard does not apply.
 */
async function isUnstartedBootstrap(ecs: ECSClient, service: Service, busy: Deployment): Promise<boolean> {
  if ((service.runningCount ?? 0) > 0 || !busy.taskDefinition) return false;
  const { tags } = await describeTaskDefinition(ecs, busy.taskDefinition);
  return !deployedByCli(tags);
}
