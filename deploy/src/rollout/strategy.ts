import type { DeploymentConfiguration, Service } from '@aws-sdk/client-ecs';
import { describeService, updateService, type DeploymentSettings } from '../aws/ecs.js';
import type { Context } from '../context.js';
import { CliError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import { isProgressive, type Delivery, type ServiceTarget } from '../targets/schema.js';

/**
 * What UpdateService sets besides the revision for ECS's blue/green family (CANARY, LINEAR, BLUE_GREEN): the
 * strategy and its configuration, the hook, the rollback alarms and the load balancer's pair. Terraform's provider
 * 5.100 cannot express these, so every deploy sets them again (docs/deploy-contract.md#delivery). ROLLING: nothing.
 */
export function deploymentSettings(delivery: Delivery, svc: Service): DeploymentSettings {
  if (!isProgressive(delivery)) return {};
  const lb = delivery.load_balancer!;
  const [current, ...others] = svc.loadBalancers ?? [];
  const pair = [lb.target_group_arn, lb.alternate_target_group_arn];
  // ECS swaps the primary and alternate target groups after each successful blue/green deployment (ECS Developer
  // Guide, "Application Load Balancer resources for blue/green, linear, and canary deployments"): the service's
  // current target group is production, the other one of the pair takes the new revision.
  if (!current?.targetGroupArn || !pair.includes(current.targetGroupArn)) {
    throw new CliError(
      `${svc.serviceName} routes to ${current?.targetGroupArn ?? 'no target group'}, which is neither target group of its delivery.load_balancer`,
      ExitCode.Preflight,
      'run `terraform apply` for this env so the service and its `delivery` output agree',
    );
  }
  const existing = svc.deploymentConfiguration ?? {};
  const alarmNames = [...new Set([...(existing.alarms?.alarmNames ?? []), ...delivery.rollback_alarm_names])];
  const configuration: DeploymentConfiguration = {
    // Terraform's values, passed again so that the new configuration cannot fall back to ECS's defaults for them.
    maximumPercent: existing.maximumPercent,
    minimumHealthyPercent: existing.minimumHealthyPercent,
    deploymentCircuitBreaker: {
      enable: existing.deploymentCircuitBreaker?.enable ?? true,
      rollback: existing.deploymentCircuitBreaker?.rollback ?? true,
    },
    strategy: delivery.strategy,
    // Both revisions run this long after the production shift, then the old one goes (ECS API Reference, DeploymentConfiguration).
    bakeTimeInMinutes: delivery.bake_time_minutes,
    ...(delivery.canary && {
      canaryConfiguration: { canaryPercent: delivery.canary.percent, canaryBakeTimeInMinutes: delivery.canary.bake_time_minutes },
    }),
    ...(delivery.linear && {
      linearConfiguration: { stepPercent: delivery.linear.step_percent, stepBakeTimeInMinutes: delivery.linear.step_bake_time_minutes },
    }),
    // ECS invokes the function at these stages; FAILED rolls back (ECS Developer Guide, "Lambda hooks for Amazon ECS service deployments").
    lifecycleHooks: delivery.hook
      ? [
          {
            targetType: 'AWS_LAMBDA',
            hookTargetArn: delivery.hook.function_arn,
            roleArn: delivery.hook.role_arn,
            lifecycleStages: delivery.hook.lifecycle_stages,
          },
        ]
      : [],
    // An alarm in ALARM during the deployment or the bake rolls back to the running revision (ECS API Reference, DeploymentAlarms).
    alarms: { alarmNames, enable: alarmNames.length > 0, rollback: true },
  };
  return {
    deploymentConfiguration: configuration,
    loadBalancers: [
      {
        targetGroupArn: current.targetGroupArn,
        containerName: current.containerName,
        containerPort: current.containerPort,
        advancedConfiguration: {
          alternateTargetGroupArn: pair.find((a) => a !== current.targetGroupArn),
          productionListenerRule: lb.production_listener_rule_arn,
          testListenerRule: lb.test_listener_rule_arn,
          roleArn: lb.role_arn,
        },
      },
      // UpdateService replaces the list: any other load balancer stays as it is.
      ...others,
    ],
  };
}

/**
 * How long ECS waits on purpose in a deployment of this strategy: the canary bake, the linear steps' bakes, and the
 * bake time after the production shift (ECS API Reference, CanaryConfiguration, LinearConfiguration,
 * DeploymentConfiguration). `--timeout` counts the rest, so a prod canary is not cut short by the default.
 */
export function plannedWaitMs(d: Delivery): number {
  if (!isProgressive(d)) return 0;
  const steps = d.linear ? Math.ceil(100 / d.linear.step_percent) - 1 : 0;
  const minutes = d.bake_time_minutes + (d.canary?.bake_time_minutes ?? 0) + steps * (d.linear?.step_bake_time_minutes ?? 0);
  return minutes * 60_000;
}

/** `CANARY 10% for 5m, bake 10m`: the strategy as the progress lines name it. */
export function strategyText(d: Delivery): string {
  const step = d.canary
    ? ` ${d.canary.percent}% for ${d.canary.bake_time_minutes}m`
    : d.linear
      ? ` ${d.linear.step_percent}% every ${d.linear.step_bake_time_minutes}m`
      : '';
  return `${d.strategy}${step}, bake ${d.bake_time_minutes}m`;
}

/** A deployment UpdateService started: its id (DescribeServices) and when ECS created it (to find its service deployment). */
export interface StartedDeployment {
  deploymentId: string;
  createdAt: Date;
  progressive: boolean;
}

/** The one way the CLI moves a service to a revision: UpdateService with the service's delivery settings. */
export async function startDeployment(ctx: Context, target: ServiceTarget, taskDefinitionArn: string): Promise<StartedDeployment> {
  const cluster = ctx.targets.ecs_cluster_name;
  const progressive = isProgressive(target.delivery);
  const settings = progressive ? deploymentSettings(target.delivery, await describeService(ctx.aws.ecs, cluster, target.service_name)) : {};
  const { deploymentId, service } = await updateService(ctx.aws.ecs, cluster, target.service_name, taskDefinitionArn, settings);
  const createdAt = service.deployments?.find((d) => d.id === deploymentId)?.createdAt ?? new Date(ctx.now());
  return { deploymentId, createdAt, progressive };
}
