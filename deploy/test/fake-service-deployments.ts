/**
 * ECS's blue/green family (BLUE_GREEN, CANARY, LINEAR) as the ECS API Reference and Developer Guide document it,
 * for FakeAws: UpdateService's validation of the strategy settings, and ServiceDeployment objects that move through
 * the lifecycle stages on the test's simulated clock:
 *
 *   PRE_SCALE_UP → SCALE_UP → POST_SCALE_UP → TEST_TRAFFIC_SHIFT → POST_TEST_TRAFFIC_SHIFT →
 *   (PRE_PRODUCTION_TRAFFIC_SHIFT → PRODUCTION_TRAFFIC_SHIFT) per traffic step → POST_PRODUCTION_TRAFFIC_SHIFT →
 *   BAKE_TIME → CLEAN_UP → SUCCESSFUL
 *
 * (ECS API Reference, ServiceDeployment: lifecycleStage; "For linear and canary deployments, [PRE_]PRODUCTION_TRAFFIC_SHIFT
 * is invoked at every traffic shift step"). The new revision's production weight is the canary percent for the canary
 * bake time, then 100 (CanaryConfiguration); linear steps by stepPercent every stepBakeTimeInMinutes
 * (LinearConfiguration); blue/green shifts all at once. Lambda hooks run where lifecycleStages name them and answer
 * `hookResults` (ECS Developer Guide, "Lambda hooks for Amazon ECS service deployments": FAILED rolls back). An alarm
 * of deploymentConfiguration.alarms in ALARM from scale-up to the end of the bake rolls back (DeploymentAlarms).
 * A rollback shifts traffic back to the source revision, which still runs, then ends ROLLBACK_SUCCESSFUL.
 * StopServiceDeployment ROLLBACK does the same; ABORT ends STOPPED. A success swaps the service's primary and
 * alternate target groups (ECS Developer Guide, "Application Load Balancer resources for blue/green deployments").
 */
import {
  DeploymentLifecycleHookStage,
  ConflictException,
  InvalidParameterException,
  ServiceDeploymentNotFoundException,
  type DeploymentConfiguration,
  type LoadBalancer,
  type ServiceDeployment,
  type ServiceDeploymentBrief,
  type ServiceDeploymentLifecycleStage,
  type ServiceDeploymentStatus,
  type UpdateServiceCommandInput,
} from '@aws-sdk/client-ecs';

const MINUTE = 60_000;
const HOOK_STAGES = new Set<string>(Object.values(DeploymentLifecycleHookStage));
const FINAL = new Set<ServiceDeploymentStatus>(['SUCCESSFUL', 'STOPPED', 'ROLLBACK_SUCCESSFUL', 'ROLLBACK_FAILED']);

/**
 * ServiceDeployment.lifecycleStage's documented values include PRE_PRODUCTION_TRAFFIC_SHIFT, which the SDK's enum
 * (3.1164) lacks (ECS API Reference, ServiceDeployment).
 */
type Stage = ServiceDeploymentLifecycleStage | 'PRE_PRODUCTION_TRAFFIC_SHIFT';

/** One stage of the plan: how long it lasts and the new revision's production and test weights during it. */
interface Phase {
  stage: Stage;
  ms: number;
  production: number;
  test: number;
}

/** The service a deployment belongs to, as FakeAws holds it. */
export interface NativeService {
  name: string;
  arn: string;
  clusterArn: string;
  taskDefinition: string;
  desired: number;
  loadBalancers: LoadBalancer[];
  deploymentConfiguration: DeploymentConfiguration;
}

interface Tracked {
  sd: ServiceDeployment;
  svc: NativeService;
  plan: Phase[];
  phase: number;
  phaseStartedAt: number;
  sourceTaskDefinition: string;
  targetTaskDefinition: string;
  /** ECS is shifting traffic back; ROLLBACK_SUCCESSFUL at this time. */
  rollbackUntil?: number;
}

const invalid = (message: string) => new InvalidParameterException({ message, $metadata: {} });
const multipleOfTenth = (v: number) => Math.abs(v * 10 - Math.round(v * 10)) < 1e-9;

/** UpdateService's checks of the strategy settings (ECS API Reference: DeploymentConfiguration, CanaryConfiguration, LinearConfiguration, DeploymentLifecycleHook, AdvancedConfiguration). */
export function validateStrategy(input: UpdateServiceCommandInput): void {
  const c = input.deploymentConfiguration;
  if (!c) return;
  const strategy = c.strategy ?? 'ROLLING';
  if (!['ROLLING', 'BLUE_GREEN', 'CANARY', 'LINEAR'].includes(strategy)) throw invalid(`Invalid deployment strategy ${strategy}.`);
  if (c.canaryConfiguration && strategy !== 'CANARY') throw invalid('canaryConfiguration is only valid with the CANARY strategy.');
  if (c.linearConfiguration && strategy !== 'LINEAR') throw invalid('linearConfiguration is only valid with the LINEAR strategy.');
  const canary = c.canaryConfiguration;
  if (
    canary?.canaryPercent !== undefined &&
    (canary.canaryPercent < 0.1 || canary.canaryPercent > 100 || !multipleOfTenth(canary.canaryPercent))
  )
    throw invalid('canaryPercent must be a multiple of 0.1 from 0.1 to 100.0.');
  const linear = c.linearConfiguration;
  if (linear?.stepPercent !== undefined && (linear.stepPercent < 3 || linear.stepPercent > 100 || !multipleOfTenth(linear.stepPercent)))
    throw invalid('stepPercent must be a multiple of 0.1 from 3.0 to 100.0.');
  for (const m of [c.bakeTimeInMinutes, canary?.canaryBakeTimeInMinutes, linear?.stepBakeTimeInMinutes])
    if (m !== undefined && (m < 0 || m > 1440 || !Number.isInteger(m))) throw invalid('Bake times are 0 to 1440 minutes.');
  if (strategy === 'BLUE_GREEN' && c.bakeTimeInMinutes === undefined) throw invalid('bakeTimeInMinutes is required for BLUE_GREEN.');
  for (const h of c.lifecycleHooks ?? []) {
    if (!h.lifecycleStages?.length) throw invalid('A lifecycle hook needs lifecycleStages.');
    const bad = h.lifecycleStages.filter((s) => !HOOK_STAGES.has(s));
    if (bad.length) throw invalid(`Invalid lifecycle stage(s) for a hook: ${bad.join(', ')}.`);
    const lambda = (h.targetType ?? 'AWS_LAMBDA') === 'AWS_LAMBDA';
    if (lambda && (!h.hookTargetArn || !h.roleArn)) throw invalid('An AWS_LAMBDA hook needs hookTargetArn and roleArn.');
    if (!lambda && h.lifecycleStages.some((s) => s === 'TEST_TRAFFIC_SHIFT' || s === 'PRODUCTION_TRAFFIC_SHIFT'))
      throw invalid('PAUSE hooks cannot be configured at TEST_TRAFFIC_SHIFT or PRODUCTION_TRAFFIC_SHIFT.');
  }
  if (c.alarms?.enable && !c.alarms.alarmNames?.length) throw invalid('alarms.enable needs alarmNames.');
  if (strategy === 'ROLLING') return;
  // Managed traffic shifting needs the load balancer's pair (ECS Developer Guide, "Required resources for Amazon ECS canary deployments").
  const lb = input.loadBalancers?.[0];
  const adv = lb?.advancedConfiguration;
  if (!lb?.targetGroupArn || !adv?.alternateTargetGroupArn || !adv.productionListenerRule || !adv.roleArn)
    throw invalid(
      `The ${strategy} strategy needs loadBalancers[].advancedConfiguration (alternateTargetGroupArn, productionListenerRule, roleArn).`,
    );
  if (adv.alternateTargetGroupArn === lb.targetGroupArn) throw invalid('alternateTargetGroupArn must differ from targetGroupArn.');
}

/** Every stage of a deployment with its duration and the new revision's weights. */
function planOf(c: DeploymentConfiguration): Phase[] {
  const at = (stage: Stage, minutes: number, production: number, test: number): Phase => ({
    stage,
    ms: minutes * MINUTE,
    production,
    test,
  });
  const steps: { weight: number; bake: number }[] =
    c.strategy === 'CANARY'
      ? [
          { weight: c.canaryConfiguration?.canaryPercent ?? 5, bake: c.canaryConfiguration?.canaryBakeTimeInMinutes ?? 10 },
          { weight: 100, bake: 0.5 },
        ]
      : c.strategy === 'LINEAR'
        ? linearSteps(c.linearConfiguration?.stepPercent ?? 10, c.linearConfiguration?.stepBakeTimeInMinutes ?? 6)
        : [{ weight: 100, bake: 0.5 }];
  return [
    at('PRE_SCALE_UP', 0, 0, 0),
    at('SCALE_UP', 1, 0, 0),
    at('POST_SCALE_UP', 0, 0, 0),
    at('TEST_TRAFFIC_SHIFT', 0.5, 0, 100),
    at('POST_TEST_TRAFFIC_SHIFT', 0, 0, 100),
    ...steps.flatMap((s, i) => [
      at('PRE_PRODUCTION_TRAFFIC_SHIFT', 0, steps[i - 1]?.weight ?? 0, 100),
      at('PRODUCTION_TRAFFIC_SHIFT', s.bake, s.weight, 100),
    ]),
    at('POST_PRODUCTION_TRAFFIC_SHIFT', 0, 100, 100),
    at('BAKE_TIME', c.bakeTimeInMinutes ?? 0, 100, 100),
    at('CLEAN_UP', 0.5, 100, 100),
  ];
}

/** LINEAR: stepPercent more every stepBakeTimeInMinutes; no bake after 100 % (ECS API Reference, LinearConfiguration). */
function linearSteps(step: number, bake: number): { weight: number; bake: number }[] {
  const out: { weight: number; bake: number }[] = [];
  for (let w = step; w < 100; w += step) out.push({ weight: Math.round(w * 10) / 10, bake });
  return [...out, { weight: 100, bake: 0.5 }];
}

export class FakeServiceDeployments {
  private readonly tracked: Tracked[] = [];
  private readonly revisions = new Map<string, string>();
  private seq = 0;
  /** What each Lambda hook answers, by service name (SUCCEEDED unless a test says otherwise). */
  readonly hookResults = new Map<string, 'SUCCEEDED' | 'FAILED'>();
  /** Every hook invocation, with the new revision's production weight at that moment. */
  readonly hookInvocations: { service: string; stage: string; production: number }[] = [];
  /**
   * Services whose new tasks keep failing: the deployment stays in SCALE_UP, one failed task every 20 s, until the
   * circuit breaker's threshold rolls it back (ECS API Reference, ServiceDeploymentCircuitBreaker).
   */
  readonly failingTasks = new Set<string>();
  /** ListServiceDeployments leaves a new deployment out of this many answers (eventual consistency). */
  listLag = 0;
  private lagLeft = 0;
  /** Alarms a test trips when a service's deployment enters a stage. */
  readonly tripAlarm: { service: string; stage: Stage; alarm: string }[] = [];

  constructor(
    private readonly clock: () => number,
    /** The alarm states FakeAws serves from DescribeAlarms: read to decide, written to trip. */
    private readonly alarmState: (name: string, state?: 'ALARM') => string | undefined,
    /** Called when a deployment settles: the service runs `taskDefinition` from now on. */
    private readonly settled: (svc: NativeService, outcome: 'SUCCESSFUL' | 'ROLLED_BACK', taskDefinition: string) => void,
  ) {}

  private revisionArn(svc: NativeService, taskDefinition: string): string {
    const key = `${svc.name}|${taskDefinition}`;
    if (!this.revisions.has(key))
      this.revisions.set(key, `${svc.arn.replace(':service/', ':service-revision/')}/${String(++this.seq).padStart(6, '0')}`);
    return this.revisions.get(key)!;
  }

  /** UpdateService with a new revision on a service of the blue/green family: its service deployment starts. */
  start(svc: NativeService, targetTaskDefinition: string): void {
    const now = this.clock();
    const sourceTaskDefinition = svc.taskDefinition;
    const id = `sd${String(++this.seq).padStart(6, '0')}`;
    const c = structuredClone(svc.deploymentConfiguration);
    this.lagLeft = this.listLag;
    this.tracked.push({
      svc,
      plan: planOf(c),
      phase: -1,
      phaseStartedAt: now,
      sourceTaskDefinition,
      targetTaskDefinition,
      sd: {
        serviceDeploymentArn: `${svc.arn.replace(':service/', ':service-deployment/')}/${id}`,
        serviceArn: svc.arn,
        clusterArn: svc.clusterArn,
        createdAt: new Date(now),
        startedAt: new Date(now),
        updatedAt: new Date(now),
        status: 'IN_PROGRESS',
        sourceServiceRevisions: [
          {
            arn: this.revisionArn(svc, sourceTaskDefinition),
            requestedTaskCount: svc.desired,
            runningTaskCount: svc.desired,
            pendingTaskCount: 0,
            requestedProductionTrafficWeight: 100,
            requestedTestTrafficWeight: 100,
          },
        ],
        targetServiceRevision: {
          arn: this.revisionArn(svc, targetTaskDefinition),
          requestedTaskCount: svc.desired,
          runningTaskCount: 0,
          pendingTaskCount: 0,
          requestedProductionTrafficWeight: 0,
          requestedTestTrafficWeight: 0,
        },
        deploymentConfiguration: c,
        deploymentCircuitBreaker: { status: c.deploymentCircuitBreaker?.enable ? 'MONITORING' : 'DISABLED', failureCount: 0, threshold: 3 },
        alarms: { status: c.alarms?.enable ? 'MONITORING' : 'DISABLED', alarmNames: c.alarms?.alarmNames ?? [], triggeredAlarmNames: [] },
      },
    });
    this.advanceAll();
  }

  /** Moves every unfinished deployment to where the clock says it is. */
  advanceAll(): void {
    for (const t of this.tracked) this.advance(t);
  }

  private advance(t: Tracked): void {
    const now = this.clock();
    const sd = t.sd;
    if (FINAL.has(sd.status!)) return;
    if (t.rollbackUntil !== undefined) {
      if (now >= t.rollbackUntil) this.finish(t, 'ROLLBACK_SUCCESSFUL');
      return;
    }
    if (this.failingTasks.has(t.svc.name) && sd.lifecycleStage === 'SCALE_UP') {
      const breaker = sd.deploymentCircuitBreaker!;
      breaker.failureCount = Math.floor((now - t.phaseStartedAt) / 20_000);
      if (breaker.failureCount >= breaker.threshold!) this.rollBack(t, 'ECS deployment circuit breaker: tasks failed to start.');
      return;
    }
    while (t.phase < 0 || now >= t.phaseStartedAt + t.plan[t.phase]!.ms) {
      const next = t.phase + 1;
      const at = t.phase < 0 ? t.phaseStartedAt : t.phaseStartedAt + t.plan[t.phase]!.ms;
      if (next >= t.plan.length) return this.finish(t, 'SUCCESSFUL');
      t.phase = next;
      t.phaseStartedAt = at;
      const phase = t.plan[next]!;
      this.enter(t, phase);
      if (t.rollbackUntil !== undefined) return;
    }
    this.checkAlarms(t);
  }

  private enter(t: Tracked, phase: Phase): void {
    const sd = t.sd;
    Object.assign(sd, { lifecycleStage: phase.stage as ServiceDeploymentLifecycleStage, updatedAt: new Date(t.phaseStartedAt) });
    Object.assign(sd.targetServiceRevision!, {
      requestedProductionTrafficWeight: phase.production,
      requestedTestTrafficWeight: phase.test,
      // The green tasks start during SCALE_UP and run from POST_SCALE_UP on.
      runningTaskCount: phase.stage === 'PRE_SCALE_UP' || phase.stage === 'SCALE_UP' ? 0 : t.svc.desired,
      pendingTaskCount: phase.stage === 'SCALE_UP' ? t.svc.desired : 0,
    });
    Object.assign(sd.sourceServiceRevisions![0]!, {
      requestedProductionTrafficWeight: 100 - phase.production,
      requestedTestTrafficWeight: 100 - phase.test,
    });
    for (const trip of this.tripAlarm) if (trip.service === t.svc.name && trip.stage === phase.stage) this.alarmState(trip.alarm, 'ALARM');
    for (const hook of sd.deploymentConfiguration?.lifecycleHooks ?? []) {
      if (!hook.lifecycleStages?.includes(phase.stage as never)) continue;
      this.hookInvocations.push({ service: t.svc.name, stage: phase.stage, production: phase.production });
      if ((this.hookResults.get(t.svc.name) ?? 'SUCCEEDED') === 'FAILED') {
        return this.rollBack(t, `Lifecycle hook ${hook.hookTargetArn} returned FAILED at ${phase.stage}.`);
      }
    }
    this.checkAlarms(t);
  }

  /** Alarms are watched from scale-up until the bake ends (ECS Developer Guide, blue/green workflow: monitoring phase). */
  private checkAlarms(t: Tracked): void {
    const alarms = t.sd.deploymentConfiguration?.alarms;
    if (!alarms?.enable || t.rollbackUntil !== undefined || t.phase < 1) return;
    const firing = (alarms.alarmNames ?? []).filter((n) => this.alarmState(n) === 'ALARM');
    if (!firing.length) return;
    t.sd.alarms!.triggeredAlarmNames = firing;
    if (alarms.rollback) this.rollBack(t, `CloudWatch alarm(s) ${firing.join(', ')} in ALARM state.`);
    else this.finish(t, 'STOPPED', `CloudWatch alarm(s) ${firing.join(', ')} in ALARM state.`);
  }

  /** Traffic goes back to the source revision (still running), which takes a minute; then ROLLBACK_SUCCESSFUL. */
  private rollBack(t: Tracked, reason: string): void {
    const now = this.clock();
    t.rollbackUntil = now + MINUTE;
    Object.assign(t.sd, {
      status: 'ROLLBACK_IN_PROGRESS',
      statusReason: reason,
      updatedAt: new Date(now),
      rollback: { reason, startedAt: new Date(now), serviceRevisionArn: t.sd.sourceServiceRevisions![0]!.arn },
    });
    Object.assign(t.sd.targetServiceRevision!, { requestedProductionTrafficWeight: 0, requestedTestTrafficWeight: 0 });
    Object.assign(t.sd.sourceServiceRevisions![0]!, { requestedProductionTrafficWeight: 100, requestedTestTrafficWeight: 100 });
  }

  private finish(t: Tracked, status: 'SUCCESSFUL' | 'ROLLBACK_SUCCESSFUL' | 'STOPPED', reason?: string): void {
    const now = new Date(this.clock());
    Object.assign(t.sd, { status, updatedAt: now, finishedAt: now, ...(reason ? { statusReason: reason } : {}) });
    if (status === 'STOPPED') t.sd.stoppedAt = now;
    if (status === 'SUCCESSFUL') {
      t.sd.statusReason = 'Service deployment completed successfully.';
      Object.assign(t.sd.sourceServiceRevisions![0]!, { runningTaskCount: 0, requestedTaskCount: 0 });
      // The alternate target group took the new revision: it is production now, and the old primary the alternate.
      for (const lb of t.svc.loadBalancers) {
        const alt = lb.advancedConfiguration?.alternateTargetGroupArn;
        if (alt) [lb.targetGroupArn, lb.advancedConfiguration!.alternateTargetGroupArn] = [alt, lb.targetGroupArn];
      }
      this.settled(t.svc, 'SUCCESSFUL', t.targetTaskDefinition);
    } else {
      Object.assign(t.sd.targetServiceRevision!, { runningTaskCount: 0 });
      this.settled(t.svc, 'ROLLED_BACK', t.sourceTaskDefinition);
    }
  }

  /** StopServiceDeployment (ECS API Reference): ROLLBACK shifts back to the previous revision; ABORT stops where it is. */
  stop(arn: string, stopType: string | undefined): void {
    this.advanceAll();
    const t = this.find(arn);
    if (FINAL.has(t.sd.status!) || t.rollbackUntil !== undefined)
      throw new ConflictException({ message: `The service deployment is ${t.sd.status}.`, $metadata: {} });
    if ((stopType ?? 'ROLLBACK') === 'ROLLBACK') this.rollBack(t, 'Service deployment rolled back because of a stop request.');
    else this.finish(t, 'STOPPED', 'Service deployment stopped because of a stop request.');
  }

  private find(arn: string): Tracked {
    const t = this.tracked.find((x) => x.sd.serviceDeploymentArn === arn);
    if (!t) throw new ServiceDeploymentNotFoundException({ message: `Service deployment ${arn} not found.`, $metadata: {} });
    return t;
  }

  describe(arns: string[]): { serviceDeployments: ServiceDeployment[]; failures: { arn: string; reason: string }[] } {
    this.advanceAll();
    const found = this.tracked.filter((t) => arns.includes(t.sd.serviceDeploymentArn!));
    const missing = arns.filter((a) => !found.some((t) => t.sd.serviceDeploymentArn === a));
    return { serviceDeployments: found.map((t) => structuredClone(t.sd)), failures: missing.map((arn) => ({ arn, reason: 'MISSING' })) };
  }

  /** ListServiceDeployments: one service's, newest first, filtered by status and createdAt (ECS API Reference). */
  list(serviceArn: string, status?: string[], createdAt?: { before?: Date; after?: Date }): ServiceDeploymentBrief[] {
    this.advanceAll();
    if (this.lagLeft > 0) {
      this.lagLeft--;
      return [];
    }
    return this.tracked
      .map((t) => t.sd)
      .filter((sd) => sd.serviceArn === serviceArn && (!status?.length || status.includes(sd.status!)))
      .filter((sd) => (!createdAt?.after || sd.createdAt! > createdAt.after) && (!createdAt?.before || sd.createdAt! < createdAt.before))
      .sort((a, b) => b.createdAt!.getTime() - a.createdAt!.getTime())
      .map((sd) => ({
        serviceDeploymentArn: sd.serviceDeploymentArn,
        serviceArn: sd.serviceArn,
        clusterArn: sd.clusterArn,
        createdAt: sd.createdAt,
        startedAt: sd.startedAt,
        finishedAt: sd.finishedAt,
        targetServiceRevisionArn: sd.targetServiceRevision?.arn,
        status: sd.status,
        statusReason: sd.statusReason,
      }));
  }

  /** The deployments of one service, for assertions. */
  of(serviceName: string): ServiceDeployment[] {
    this.advanceAll();
    return this.tracked.filter((t) => t.svc.name === serviceName).map((t) => t.sd);
  }
}
