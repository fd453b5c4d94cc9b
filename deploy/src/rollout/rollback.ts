import { describeService, listServiceDeployments, primaryDeployment, revisionLabel, UNFINISHED_SERVICE_DEPLOYMENT } from '../aws/ecs.js';
import { pollTiming, type Context } from '../context.js';
import { toCliError } from '../errors.js';
import type { Step } from '../output/progress.js';
import { isProgressive, type ServiceName, type ServiceTarget } from '../targets/schema.js';
import { followDeployment, type ServiceDeploymentTrace, type Verdict } from './follow.js';
import { followInput, followStarted } from './rollout.js';
import { rollBackInFlight } from './service-deployment.js';
import { startDeployment } from './strategy.js';

export interface RollbackResult {
  deploymentId: string | null;
  taskDefinition: string;
  outcome: 'completed' | 'failed' | 'timeout';
  by: 'ecs' | 'deploy-cli';
  running: number;
  desired: number;
}

export interface RollbackTarget {
  target: ServiceTarget;
  /** The revision to put back. */
  previous: string;
  streamPrefix?: string;
  /** ECS's blue/green family already rolled back (or failed to): nothing to start, only to report. */
  settledByEcs?: 'completed' | 'failed';
}

/**
 * UpdateService to `taskDefinitionArn` and follow that deployment like a deploy does (W-2): the one way the CLI
 * moves a service to an existing revision (`rollback`, and putting the previous revision back).
 */
export async function switchTo(
  ctx: Context,
  target: ServiceTarget,
  to: { taskDefinitionArn: string; streamPrefix?: string; timeoutMs: number; maxFailedTasks?: number },
  step: Step,
): Promise<{ deploymentId: string; verdict: Verdict }> {
  const started = await startDeployment(ctx, target, to.taskDefinitionArn);
  step.update(`deployment ${started.deploymentId} → ${revisionLabel(to.taskDefinitionArn)}`);
  const follow = {
    taskDefinitionArn: to.taskDefinitionArn,
    streamPrefix: to.streamPrefix,
    deadline: ctx.now() + to.timeoutMs,
    maxFailedTasks: to.maxFailedTasks,
  };
  return { deploymentId: started.deploymentId, verdict: await followStarted(ctx, target, started, follow, step) };
}

/** The service deployment ECS is still working on for this service (blue/green family only), if any. */
export async function inFlightServiceDeployment(ctx: Context, target: ServiceTarget): Promise<string | undefined> {
  if (!isProgressive(target.delivery)) return undefined;
  const [busy] = await listServiceDeployments(ctx.aws.ecs, ctx.targets.ecs_cluster_name, target.service_name, {
    status: UNFINISHED_SERVICE_DEPLOYMENT,
  });
  return busy?.serviceDeploymentArn;
}

/**
 * While ECS still works on a service deployment, the way back is StopServiceDeployment with ROLLBACK: ECS shifts
 * traffic back to the previous revision, which still runs (ECS Developer Guide, "Stopping Amazon ECS service
 * deployments"). Null when nothing is in flight.
 */
export async function stopInFlight(
  ctx: Context,
  target: ServiceTarget,
  timeoutMs: number,
  step: Step,
): Promise<{ arn: string; outcome: 'completed' | 'failed' | 'timeout'; reason: string | null; trace: ServiceDeploymentTrace } | null> {
  const arn = await inFlightServiceDeployment(ctx, target);
  if (!arn) return null;
  return { arn, ...(await rollBackInFlight(ctx.aws.ecs, arn, step, pollTiming(ctx, timeoutMs))) };
}

/**
 * Puts the previous revision back and waits for it (W-3). When the circuit breaker already started that
 * rollback, we follow ECS's deployment instead of issuing another. Never deregisters anything.
 */
export async function rollBack(
  ctx: Context,
  r: RollbackTarget,
  alreadyByEcs: boolean,
  timeoutMs: number,
  step: Step,
): Promise<RollbackResult> {
  const cluster = ctx.targets.ecs_cluster_name;
  // ECS's blue/green family: ECS's own rollback already settled, or a deployment is still in flight to stop.
  const byEcs = r.settledByEcs ? { outcome: r.settledByEcs, reason: null } : await stopInFlight(ctx, r.target, timeoutMs, step);
  if (byEcs) {
    const svc = await describeService(ctx.aws.ecs, cluster, r.target.service_name);
    const arn = svc.taskDefinition ?? r.previous;
    if (byEcs.outcome === 'completed') step.update(`ECS rolled back: ${revisionLabel(arn)} serves again`);
    else step.fail(`ECS's rollback ${byEcs.outcome}${byEcs.reason ? `: ${byEcs.reason}` : ''}`);
    const counts = { running: svc.runningCount ?? 0, desired: svc.desiredCount ?? 0 };
    return { deploymentId: null, taskDefinition: arn, outcome: byEcs.outcome, by: 'ecs', ...counts };
  }
  let deploymentId: string;
  let arn = r.previous;
  let verdict: Verdict;
  if (alreadyByEcs) {
    const primary = primaryDeployment(await describeService(ctx.aws.ecs, cluster, r.target.service_name))!;
    deploymentId = primary.id!;
    arn = primary.taskDefinition!;
    step.update(`the circuit breaker already started it: deployment ${deploymentId} → ${revisionLabel(arn)}`);
    const follow = { deploymentId, taskDefinitionArn: arn, streamPrefix: r.streamPrefix, deadline: ctx.now() + timeoutMs };
    verdict = await followDeployment(followInput(ctx, r.target, follow), step);
  } else {
    ({ deploymentId, verdict } = await switchTo(ctx, r.target, { taskDefinitionArn: arn, streamPrefix: r.streamPrefix, timeoutMs }, step));
  }
  if (verdict.outcome === 'completed') step.update(`back on ${revisionLabel(arn)}: ${verdict.running}/${verdict.desired} running`);
  else step.fail(`rollback ${verdict.outcome}`);
  const { outcome, running, desired } = verdict;
  return { deploymentId, taskDefinition: arn, outcome, by: alreadyByEcs ? 'ecs' : 'deploy-cli', running, desired };
}

export interface ServiceToRollBack extends RollbackTarget {
  key: ServiceName;
  /** UpdateService went through: there is something to put back. */
  changed: boolean;
  /** ECS's circuit breaker already put the previous revision back as PRIMARY. */
  byEcs: boolean;
  reason: string;
}

/** Rolls several services back in parallel; a service that never changed is skipped (null). */
export async function rollBackAll(
  ctx: Context,
  services: ServiceToRollBack[],
  timeoutMs: number,
): Promise<Map<ServiceName, RollbackResult | null>> {
  const results = await ctx.progress.parallel(
    services.map((s) => ({
      title: `Roll back ${s.target.service_name} to ${revisionLabel(s.previous)}`,
      run: async (step: Step) => {
        if (!s.changed) {
          step.skip(`never changed: ${s.reason}`);
          return [s.key, null] as const;
        }
        try {
          return [s.key, await rollBack(ctx, s, s.byEcs, timeoutMs, step)] as const;
        } catch (err) {
          // An AWS error while putting the old revision back: nobody knows what runs now, so it is a failed rollback.
          step.fail(`rollback failed: ${toCliError(err).message}`);
          const failed: RollbackResult = {
            deploymentId: null,
            taskDefinition: s.previous,
            outcome: 'failed',
            by: 'deploy-cli',
            running: 0,
            desired: 0,
          };
          return [s.key, failed] as const;
        }
      },
    })),
  );
  return new Map(results);
}
