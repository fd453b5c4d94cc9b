import { revisionLabel } from '../aws/ecs.js';
import { pollTiming, type Context } from '../context.js';
import { toCliError } from '../errors.js';
import type { Step } from '../output/progress.js';
import type { ServiceName, ServiceTarget } from '../targets/schema.js';
import { followDeployment, type FollowInput, type Verdict } from './follow.js';
import { PollAbortedError } from '../poll/poller.js';
import { followServiceDeployment } from './service-deployment.js';
import { plannedWaitMs, startDeployment, strategyText, type StartedDeployment } from './strategy.js';

/** The follow input for one service of the targets: the parts that differ per call, the rest from the context. */
export function followInput(
  ctx: Context,
  target: ServiceTarget,
  follow: {
    deploymentId: string;
    taskDefinitionArn: string;
    streamPrefix?: string;
    deadline: number;
    maxFailedTasks?: number;
    signal?: AbortSignal;
  },
): FollowInput {
  const { aws, deps } = ctx;
  return {
    ecs: aws.ecs,
    elbv2: aws.elbv2,
    logs: aws.logs,
    cluster: ctx.targets.ecs_cluster_name,
    serviceName: target.service_name,
    containerName: target.container_name,
    logGroup: target.log_group_name,
    intervalMs: deps.timing.pollMs,
    maxIntervalMs: deps.timing.maxPollMs,
    now: ctx.now,
    sleep: deps.sleep,
    ...follow,
  };
}

/**
 * Follows the deployment UpdateService started, as its strategy needs: ROLLING through DescribeServices'
 * deployments (W-2), ECS's blue/green family through its service deployment (stage, traffic split, verdict).
 */
export function followStarted(
  ctx: Context,
  target: ServiceTarget,
  started: StartedDeployment,
  follow: { taskDefinitionArn: string; streamPrefix?: string; deadline: number; maxFailedTasks?: number; signal?: AbortSignal },
  step: Step,
): Promise<Verdict> {
  if (!started.progressive) return followDeployment(followInput(ctx, target, { deploymentId: started.deploymentId, ...follow }), step);
  const timing = pollTiming(ctx, 0);
  const deadline = follow.deadline + plannedWaitMs(target.delivery);
  return followServiceDeployment(
    {
      ecs: ctx.aws.ecs,
      cluster: ctx.targets.ecs_cluster_name,
      serviceName: target.service_name,
      since: started.createdAt,
      maxFailedTasks: follow.maxFailedTasks,
      // As long again as the deploy had: ECS's rollback shifts traffic back to revisions still running.
      rollbackTimeoutMs: Math.max(follow.deadline - ctx.now(), 0) || ctx.deps.timing.maxPollMs * 40,
      poll: { ...timing, deadline, signal: follow.signal },
    },
    step,
  );
}

/** One service to move to a new revision. */
export interface RolloutService {
  key: ServiceName;
  target: ServiceTarget;
  /** The revision it runs now (what a rollback puts back). */
  previous: string;
  taskDefinitionArn: string;
  streamPrefix?: string;
}

/** A verdict, or why there is none: UpdateService failed, following stopped (Ctrl-C, --atomic), or an AWS error. */
export type RolloutVerdict = Verdict | { outcome: 'aborted' | 'error'; reason: string; running: number; desired: number; failedTasks: [] };

export interface ServiceRollout {
  key: ServiceName;
  /** Null when UpdateService itself failed: the service never changed. */
  deploymentId: string | null;
  verdict: RolloutVerdict;
}

export interface RolloutResult {
  services: ServiceRollout[];
  /** Ctrl-C while following: ECS carries on, nothing is rolled back. */
  interrupted: boolean;
  durationMs: number;
}

export interface RolloutOptions {
  timeoutMs: number;
  maxFailedTasks?: number;
  /** One failure stops following the others (they are rolled back together). */
  atomic: boolean;
}

/** UpdateService for each service (in the given order), then follow OUR deployments in parallel (W-2). */
export async function rollOut(ctx: Context, services: RolloutService[], opts: RolloutOptions): Promise<RolloutResult> {
  const started = ctx.now();
  const deadline = started + opts.timeoutMs;
  const atomicAbort = new AbortController();
  // Ctrl-C while following: stop watching, say what ECS is still doing, roll nothing back (exit 130).
  const interrupted = new AbortController();
  const unsubscribe = ctx.deps.onInterrupt(() => interrupted.abort());
  const signal = AbortSignal.any([atomicAbort.signal, interrupted.signal]);
  const failed = (r: ServiceRollout) => {
    if (opts.atomic) atomicAbort.abort();
    return r;
  };

  const updated: { service: RolloutService; started: StartedDeployment }[] = [];
  const results: ServiceRollout[] = [];
  for (const s of services) {
    try {
      const started = await startDeployment(ctx, s.target, s.taskDefinitionArn);
      const strategy = started.progressive ? ` (${strategyText(s.target.delivery)})` : '';
      ctx.progress.note(
        `${s.target.service_name}: ${revisionLabel(s.previous)} → ${revisionLabel(s.taskDefinitionArn)}, deployment ${started.deploymentId}${strategy}`,
      );
      updated.push({ service: s, started });
    } catch (err) {
      // Nothing changed on this service; the ones already updated are judged (and rolled back) as usual.
      const reason = `UpdateService failed: ${toCliError(err).message}`;
      ctx.progress.note(`✖ ${s.target.service_name}: ${reason}`);
      results.push(
        failed({
          key: s.key,
          deploymentId: null,
          verdict: { outcome: 'failed', reason, rolledBackByEcs: false, running: 0, desired: 0, failedTasks: [] },
        }),
      );
    }
  }

  try {
    const followed = await ctx.progress.parallel(
      updated.map((u) => ({
        title: `Roll out ${u.service.target.service_name} ${revisionLabel(u.service.taskDefinitionArn)}`,
        run: async (step: Step): Promise<ServiceRollout> => {
          const follow = { deadline, signal, maxFailedTasks: opts.maxFailedTasks };
          const verdict = await followOne(ctx, u.service, u.started, follow, interrupted.signal, step);
          const result = { key: u.service.key, deploymentId: u.started.deploymentId, verdict };
          if (verdict.outcome === 'completed') {
            step.update(`COMPLETED: ${verdict.running}/${verdict.desired} running ${revisionLabel(u.service.taskDefinitionArn)}`);
            return result;
          }
          step.fail(verdict.outcome === 'timeout' ? `timed out: ${verdict.reason}` : verdict.reason);
          return failed(result);
        },
      })),
    );
    results.push(...followed);
  } finally {
    unsubscribe();
  }
  const order = services.map((s) => s.key);
  results.sort((a, b) => order.indexOf(a.key) - order.indexOf(b.key));
  return { services: results, interrupted: interrupted.signal.aborted, durationMs: ctx.now() - started };
}

async function followOne(
  ctx: Context,
  s: RolloutService,
  started: StartedDeployment,
  opts: { deadline: number; signal: AbortSignal; maxFailedTasks?: number },
  interrupted: AbortSignal,
  step: Step,
): Promise<RolloutVerdict> {
  try {
    return await followStarted(
      ctx,
      s.target,
      started,
      { taskDefinitionArn: s.taskDefinitionArn, streamPrefix: s.streamPrefix, ...opts },
      step,
    );
  } catch (err) {
    const none = { running: 0, desired: 0, failedTasks: [] as [] };
    if (err instanceof PollAbortedError) {
      return {
        outcome: 'aborted',
        reason: interrupted.aborted ? 'interrupted (Ctrl-C)' : 'stopped following: another service failed (--atomic)',
        ...none,
      };
    }
    return { outcome: 'error', reason: `following the deployment failed: ${toCliError(err).message}`, ...none };
  }
}
