import type { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import type { ECSClient } from '@aws-sdk/client-ecs';
import type { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { describeService, describeTasks, primaryDeployment, revisionLabel, stoppedTasksOf } from '../aws/ecs.js';
import type { Step } from '../output/progress.js';
import { diagnoseTask, formatFailedTask, TargetHealthTracker, type FailedTask } from './diagnose.js';
import { poll, PollTimeoutError } from '../poll/poller.js';

/** Polls during which a missing deployment or an old PRIMARY is put down to eventual consistency. */
export const EVENTUAL_CONSISTENCY_POLLS = 3;

export interface FollowInput {
  ecs: ECSClient;
  elbv2: ElasticLoadBalancingV2Client;
  logs: CloudWatchLogsClient;
  cluster: string;
  serviceName: string;
  /** The deployment WE started (UpdateService's new PRIMARY). */
  deploymentId: string;
  /** The task definition that deployment must end up running. */
  taskDefinitionArn: string;
  containerName: string;
  logGroup: string;
  streamPrefix?: string;
  /** Roll back ourselves once this many tasks of our deployment failed (before the circuit breaker). */
  maxFailedTasks?: number;
  deadline: number;
  signal?: AbortSignal;
  intervalMs: number;
  maxIntervalMs: number;
  now: () => number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/** One ECS service deployment as the CLI followed it (CANARY, LINEAR, BLUE_GREEN; ECS API Reference, ServiceDeployment). */
export interface ServiceDeploymentTrace {
  arn: string;
  status: string;
  statusReason: string | null;
  stage: string | null;
  /** Each change the CLI saw: the lifecycle stage and the share of traffic (percent) the new revision gets. */
  timeline: { at: string; status: string; stage: string | null; production: number; test: number }[];
  /** ECS's rollback (alarm, hook, circuit breaker, or StopServiceDeployment), once it settled. */
  rollback: { outcome: 'completed' | 'failed'; reason: string | null } | null;
}

interface Counts {
  running: number;
  desired: number;
  failedTasks: FailedTask[];
  /** Set when the service deploys with ECS's blue/green family. */
  serviceDeployment?: ServiceDeploymentTrace;
}

export type Verdict =
  | ({ outcome: 'completed' } & Counts)
  | ({
      outcome: 'failed';
      reason: string;
      /** ECS (circuit breaker, alarm, hook) already put the old revision back, or is doing so. */
      rolledBackByEcs: boolean;
    } & Counts)
  | ({ outcome: 'timeout'; reason: string } & Counts);

/**
 * Follows ONE deployment by id until ECS says COMPLETED (and PRIMARY runs our task definition), or it fails.
 * "Stable" is not enough: after a circuit-breaker rollback the service is stable on the OLD revision.
 */
export async function followDeployment(input: FollowInput, step: Step): Promise<Verdict> {
  const failed: FailedTask[] = [];
  const seenStopped = new Set<string>();
  let health: TargetHealthTracker | undefined;
  let last = { running: 0, desired: 0 };
  let lastStatus = '';

  let seenOurs = false;
  const tick = async (attempt: number) => {
    const svc = await describeService(input.ecs, input.cluster, input.serviceName);
    health ??= new TargetHealthTracker(
      input.elbv2,
      (svc.loadBalancers ?? []).map((lb) => lb.targetGroupArn).filter((a): a is string => !!a),
    );
    await health.refresh().catch(() => undefined);

    const ours = svc.deployments?.find((d) => d.id === input.deploymentId);
    // DescribeServices is eventually consistent: right after UpdateService it may still show the old
    // PRIMARY. Judge "rolled back / gone" only once our deployment was seen, or after a few polls.
    seenOurs ||= !!ours && ours.status === 'PRIMARY';
    const mayJudgeAbsence = seenOurs || attempt > EVENTUAL_CONSISTENCY_POLLS;
    const primary = primaryDeployment(svc);
    last = { running: ours?.runningCount ?? 0, desired: ours?.desiredCount ?? svc.desiredCount ?? 0 };

    // Every newly stopped task of our deployment is explained inline, once.
    const stopped = (await stoppedTasksOf(input.ecs, input.cluster, input.deploymentId)).filter((a) => !seenStopped.has(a));
    let progressed = stopped.length > 0;
    for (const t of await describeTasks(input.ecs, input.cluster, stopped)) {
      seenStopped.add(t.taskArn!);
      if (t.stopCode === 'ServiceSchedulerInitiated' && t.containers?.every((c) => c.exitCode === 0)) continue; // scaled in, not a failure
      const f = await diagnoseTask(t, {
        containerName: input.containerName,
        logs: input.logs,
        logGroup: input.logGroup,
        streamPrefix: input.streamPrefix,
        health,
      });
      failed.push(f);
      for (const line of formatFailedTask(f)) step.log(line);
    }

    const status = `${last.running}/${last.desired} running, ${ours?.pendingCount ?? 0} pending, ${ours?.failedTasks ?? failed.length} failed (${ours?.rolloutState ?? 'gone'})`;
    if (status !== lastStatus) {
      step.update(status);
      progressed = true;
      lastStatus = status;
    }

    if (ours?.rolloutState === 'COMPLETED' && primary?.taskDefinition === input.taskDefinitionArn) {
      return { done: true as const, value: { outcome: 'completed' as const, ...last, failedTasks: failed } };
    }
    if (ours?.rolloutState === 'FAILED') {
      const back = primary && primary.taskDefinition !== input.taskDefinitionArn;
      return {
        done: true as const,
        value: {
          outcome: 'failed' as const,
          reason: `ECS marked deployment ${input.deploymentId} FAILED: ${ours.rolloutStateReason ?? 'no reason given'}`,
          rolledBackByEcs: !!back,
          ...last,
          failedTasks: failed,
        },
      };
    }
    if (mayJudgeAbsence && primary && primary.taskDefinition !== input.taskDefinitionArn) {
      return {
        done: true as const,
        value: {
          outcome: 'failed' as const,
          reason: `the circuit breaker rolled back: PRIMARY runs ${revisionLabel(primary.taskDefinition)} again, not ${revisionLabel(input.taskDefinitionArn)}`,
          rolledBackByEcs: true,
          ...last,
          failedTasks: failed,
        },
      };
    }
    if (!ours && mayJudgeAbsence) {
      return {
        done: true as const,
        value: {
          outcome: 'failed' as const,
          reason: `deployment ${input.deploymentId} is no longer listed on the service`,
          rolledBackByEcs: false,
          ...last,
          failedTasks: failed,
        },
      };
    }
    if (!ours) return { done: false as const, progressed };
    const failedCount = Math.max(ours.failedTasks ?? 0, failed.length);
    if (input.maxFailedTasks !== undefined && failedCount >= input.maxFailedTasks) {
      return {
        done: true as const,
        value: {
          outcome: 'failed' as const,
          reason: `${failedCount} task(s) of the new revision failed (--max-failed-tasks ${input.maxFailedTasks}); not waiting for the circuit breaker`,
          rolledBackByEcs: false,
          ...last,
          failedTasks: failed,
        },
      };
    }
    return { done: false as const, progressed };
  };

  try {
    return await poll<Verdict>(tick, {
      intervalMs: input.intervalMs,
      maxIntervalMs: input.maxIntervalMs,
      deadline: input.deadline,
      signal: input.signal,
      now: input.now,
      sleep: input.sleep,
      onTransientError: (err) => step.update(`AWS said ${(err as Error).name}; retrying with backoff`),
    });
  } catch (err) {
    if (err instanceof PollTimeoutError) {
      return {
        outcome: 'timeout',
        reason: `not COMPLETED before the deadline (${last.running}/${last.desired} running)`,
        ...last,
        failedTasks: failed,
      };
    }
    throw err;
  }
}
