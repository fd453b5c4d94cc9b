import { describeService, primaryDeployment, revisionLabel, updateService } from '../aws/ecs.js';
import type { Context } from '../context.js';
import { toCliError } from '../errors.js';
import type { Step } from '../output/progress.js';
import type { ServiceName, ServiceTarget } from '../targets/schema.js';
import { followDeployment, type Verdict } from './follow.js';
import { followInput } from './rollout.js';

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
  const { deploymentId } = await updateService(ctx.aws.ecs, ctx.targets.ecs_cluster_name, target.service_name, to.taskDefinitionArn);
  step.update(`deployment ${deploymentId} → ${revisionLabel(to.taskDefinitionArn)}`);
  const verdict = await followDeployment(
    followInput(ctx, target, {
      deploymentId,
      taskDefinitionArn: to.taskDefinitionArn,
      streamPrefix: to.streamPrefix,
      deadline: ctx.now() + to.timeoutMs,
      maxFailedTasks: to.maxFailedTasks,
    }),
    step,
  );
  return { deploymentId, verdict };
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
  let deploymentId: string;
  let arn = r.previous;
  let verdict: Verdict;
  if (alreadyByEcs) {
    const primary = primaryDeployment(await describeService(ctx.aws.ecs, ctx.targets.ecs_cluster_name, r.target.service_name))!;
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
