import type { ECSClient, ServiceDeployment } from '@aws-sdk/client-ecs';
import {
  describeServiceDeployment,
  isFinishedServiceDeployment,
  isStoppableServiceDeployment,
  listServiceDeployments,
  serviceDeploymentId,
  stopServiceDeploymentWithRollback,
} from '../aws/ecs.js';
import { toCliError } from '../errors.js';
import type { Step } from '../output/progress.js';
import { seconds } from '../output/table.js';
import { poll, PollTimeoutError, type PollOptions, type Tick } from '../poll/poller.js';
import type { ServiceDeploymentTrace, Verdict } from './follow.js';

/** The new revision's share of traffic and tasks, and the stage, as one line: what `deploy` and `status` print. */
export function describeProgress(sd: ServiceDeployment): {
  stage: string | null;
  production: number;
  test: number;
  running: number;
  desired: number;
  line: string;
} {
  const target = sd.targetServiceRevision ?? {};
  const production = target.requestedProductionTrafficWeight ?? 0;
  const test = target.requestedTestTrafficWeight ?? 0;
  const running = target.runningTaskCount ?? 0;
  const desired = target.requestedTaskCount ?? 0;
  const stage = sd.lifecycleStage ?? null;
  const old = (sd.sourceServiceRevisions ?? []).reduce((n, r) => n + (r.requestedProductionTrafficWeight ?? 0), 0);
  const reason = sd.status?.startsWith('ROLLBACK') && sd.statusReason ? ` (${sd.statusReason})` : '';
  const line = `${sd.status ?? '?'}${stage ? ` ${stage}` : ''}: production ${production}% new / ${old}% old, test ${test}% new, ${running}/${desired} new tasks${reason}`;
  return { stage, production, test, running, desired, line };
}

export interface ServiceDeploymentFollowInput {
  ecs: ECSClient;
  cluster: string;
  serviceName: string;
  /** When ECS created the deployment UpdateService started: its service deployment is the newest one since. */
  since: Date;
  /** Roll back once the circuit breaker counted this many failed tasks. */
  maxFailedTasks?: number;
  /** How long to wait for ECS's rollback after the CLI stopped the deployment on timeout. */
  rollbackTimeoutMs: number;
  poll: PollOptions;
}

/** An empty trace for the service deployment `arn` (filled in as it is watched). */
function newTrace(arn = ''): ServiceDeploymentTrace {
  return { arn, status: 'PENDING', statusReason: null, stage: null, timeline: [], rollback: null };
}

/**
 * Polls one service deployment until ECS finishes it, recording every change of status, stage or split in `trace`
 * and showing it on the step. `onTick` may act on each answer (e.g. stop the deployment).
 */
async function watchUntilFinal(
  ecs: ECSClient,
  trace: ServiceDeploymentTrace,
  step: Step,
  timing: PollOptions,
  onTick?: (sd: ServiceDeployment) => Promise<void>,
): Promise<ServiceDeployment> {
  const clock = timing.now ?? Date.now;
  const started = clock();
  return poll(async () => {
    const sd = await describeServiceDeployment(ecs, trace.arn);
    const p = describeProgress(sd);
    const last = trace.timeline.at(-1);
    const changed = sd.status !== last?.status || p.stage !== last?.stage || p.production !== last?.production || p.test !== last?.test;
    Object.assign(trace, { status: sd.status ?? '?', statusReason: sd.statusReason ?? null, stage: p.stage });
    if (changed) {
      trace.timeline.push({
        at: new Date(clock()).toISOString(),
        status: trace.status,
        stage: p.stage,
        production: p.production,
        test: p.test,
      });
      step.update(`${p.line} (+${seconds(clock() - started)})`);
    }
    await onTick?.(sd);
    if (isFinishedServiceDeployment(trace.status)) return { done: true as const, value: sd };
    return { done: false as const, progressed: changed };
  }, timing);
}

/**
 * Follows the service deployment an UpdateService started (CANARY, LINEAR, BLUE_GREEN) until ECS finishes it:
 * SUCCESSFUL, or rolled back by an alarm, a hook or the circuit breaker. On the deadline the CLI stops it with
 * ROLLBACK and waits for that rollback, so a timeout never leaves two revisions sharing production traffic.
 */
export async function followServiceDeployment(input: ServiceDeploymentFollowInput, step: Step): Promise<Verdict> {
  const { ecs, poll: timing } = input;
  const trace = newTrace();
  let tasks = { running: 0, desired: 0 };
  const counts = () => ({ ...tasks, failedTasks: [], serviceDeployment: trace });
  let stoppedBecause: string | undefined;
  const stop = async (reason: string) => {
    stoppedBecause = reason;
    step.update(`${reason}: StopServiceDeployment with ROLLBACK`);
    // ROLLBACK puts the previous service revision back, which still runs (ECS API Reference, StopServiceDeployment).
    await stopServiceDeploymentWithRollback(ecs, trace.arn);
  };
  const onTick = async (sd: ServiceDeployment) => {
    tasks = { running: sd.targetServiceRevision?.runningTaskCount ?? 0, desired: sd.targetServiceRevision?.requestedTaskCount ?? 0 };
    const failures = sd.deploymentCircuitBreaker?.failureCount ?? 0;
    if (
      input.maxFailedTasks !== undefined &&
      failures >= input.maxFailedTasks &&
      !stoppedBecause &&
      isStoppableServiceDeployment(sd.status)
    ) {
      await stop(`${failures} task(s) of the new revision failed (--max-failed-tasks ${input.maxFailedTasks})`);
    }
  };

  // "The Amazon ECS API follows an eventual consistency model" (ECS API Reference, RunTask and UpdateService):
  // ListServiceDeployments may not list the new deployment at once, so keep looking until the deadline.
  const find = async (): Promise<Tick<string>> => {
    const [newest] = await listServiceDeployments(ecs, input.cluster, input.serviceName, {
      createdAfter: new Date(input.since.getTime() - 1_000),
    });
    return newest?.serviceDeploymentArn ? { done: true, value: newest.serviceDeploymentArn } : { done: false };
  };
  try {
    trace.arn = await poll(find, timing);
    step.log(`service deployment ${serviceDeploymentId(trace.arn)}`);
    const sd = await watchUntilFinal(ecs, trace, step, timing, onTick);
    return verdictOf(sd, trace, counts, stoppedBecause);
  } catch (err) {
    if (!(err instanceof PollTimeoutError)) throw err;
  }
  const reason = `not SUCCESSFUL before the deadline (${trace.stage ?? trace.status})`;
  if (!trace.arn)
    return { outcome: 'timeout', reason: `ECS listed no service deployment for ${input.serviceName} before the deadline`, ...counts() };
  const rollbackTiming = { ...timing, deadline: (timing.now ?? Date.now)() + input.rollbackTimeoutMs };
  const rollback = await stopAndWait(ecs, trace, step, rollbackTiming, () => stop(reason), onTick);
  // The report records a rollback that did not settle as failed.
  trace.rollback = { outcome: rollback.outcome === 'completed' ? 'completed' : 'failed', reason: rollback.reason };
  return { outcome: 'timeout', reason, ...counts() };
}

/** Stops a service deployment (`stop`) and waits for ECS's rollback to settle: completed, failed (also when it could not be stopped), or timeout. */
async function stopAndWait(
  ecs: ECSClient,
  trace: ServiceDeploymentTrace,
  step: Step,
  timing: PollOptions,
  stop: () => Promise<void>,
  onTick?: (sd: ServiceDeployment) => Promise<void>,
): Promise<{ outcome: 'completed' | 'failed' | 'timeout'; reason: string | null }> {
  try {
    // Already rolling back (an alarm, the hook) or stopping: stopping again would be refused; wait for ECS instead.
    const current = await describeServiceDeployment(ecs, trace.arn);
    if (isStoppableServiceDeployment(current.status)) await stop();
    const sd = await watchUntilFinal(ecs, trace, step, timing, onTick);
    return { outcome: sd.status === 'ROLLBACK_SUCCESSFUL' ? 'completed' : 'failed', reason: sd.statusReason ?? null };
  } catch (err) {
    if (err instanceof PollTimeoutError) return { outcome: 'timeout', reason: 'the rollback did not settle in time' };
    return { outcome: 'failed', reason: toCliError(err).message };
  }
}

/**
 * `rollback` (and the deploy's own rollback) while a service deployment is under way: StopServiceDeployment with
 * ROLLBACK instead of a new deployment, then follow it until ECS says ROLLBACK_SUCCESSFUL (or failed).
 */
export async function rollBackInFlight(
  ecs: ECSClient,
  arn: string,
  step: Step,
  timing: PollOptions,
): Promise<{ outcome: 'completed' | 'failed' | 'timeout'; reason: string | null; trace: ServiceDeploymentTrace }> {
  const trace = newTrace(arn);
  const rollback = await stopAndWait(ecs, trace, step, timing, async () => {
    step.update(`service deployment ${serviceDeploymentId(arn)} is ${trace.status}: StopServiceDeployment with ROLLBACK`);
    await stopServiceDeploymentWithRollback(ecs, arn);
  });
  return { ...rollback, trace };
}

function verdictOf(
  sd: ServiceDeployment,
  trace: ServiceDeploymentTrace,
  counts: () => Omit<Extract<Verdict, { outcome: 'completed' }>, 'outcome'>,
  stoppedBecause: string | undefined,
): Verdict {
  const why = sd.statusReason ?? 'no reason given';
  switch (sd.status) {
    case 'SUCCESSFUL':
      return { outcome: 'completed', ...counts() };
    case 'ROLLBACK_SUCCESSFUL':
    case 'ROLLBACK_FAILED': {
      trace.rollback = { outcome: sd.status === 'ROLLBACK_SUCCESSFUL' ? 'completed' : 'failed', reason: sd.rollback?.reason ?? why };
      const reason = `${stoppedBecause ? `${stoppedBecause}; ` : ''}ECS rolled back: ${why}`;
      return { outcome: 'failed', reason, rolledBackByEcs: true, ...counts() };
    }
    default:
      return { outcome: 'failed', reason: `ECS stopped the deployment: ${why}`, rolledBackByEcs: false, ...counts() };
  }
}
