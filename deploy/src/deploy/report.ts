import type { TaskDefinition } from '@aws-sdk/client-ecs';
import { revisionLabel } from '../aws/ecs.js';
import type { Context } from '../context.js';
import type { MigrationGateResult } from './migration-gate.js';
import type { ImageResult, PreflightResult } from './types.js';
import { CliError } from '../errors.js';
import type { ExitCode } from '../exit-codes.js';
import type { FailedTask } from '../rollout/diagnose.js';
import type { ServiceDeploymentTrace } from '../rollout/follow.js';
import type { MigrationResult } from '../rollout/migration.js';
import type { RollbackResult } from '../rollout/rollback.js';
import type { RolloutResult } from '../rollout/rollout.js';
import type { SmokeResult } from '../rollout/smoke.js';
import type { ServiceName } from '../targets/schema.js';
import { shortDigest } from '../output/format.js';
import { seconds, table } from '../output/table.js';

export type ServiceOutcome =
  'deployed' | 'unchanged' | 'rolled-back' | 'timeout' | 'rollback-failed' | 'planned' | 'not-started' | 'interrupted';

export interface ServiceReport {
  service: ServiceName;
  serviceName: string;
  previousTaskDefinition: string;
  previousImage: string | null;
  /** Terraform's revision the new one was built from. */
  baseTaskDefinition: string;
  /** Settings Terraform changed since the live revision (keys; image aside), shipped with this deploy. */
  settingChanges: string[];
  taskDefinition: string | null;
  image: string | null;
  digest: string | null;
  deploymentId: string | null;
  outcome: ServiceOutcome;
  reason: string | null;
  running: number;
  desired: number;
  failedTasks: FailedTask[];
  /** CANARY, LINEAR, BLUE_GREEN: ECS's service deployment as followed (stages, traffic split, rollback). */
  serviceDeployment: ServiceDeploymentTrace | null;
  rollback: RollbackResult | null;
  durationMs: number;
}

export type DeployResult =
  'deployed' | 'no-change' | 'dry-run' | 'migration-failed' | 'rolled-back' | 'timeout' | 'rollback-failed' | 'interrupted';

export interface DeployReport {
  command: 'deploy';
  result: DeployResult;
  exitCode: ExitCode;
  env: string;
  cluster: string;
  commit: string;
  imageTag: string;
  actor: string;
  images: ImageResult[];
  migration: MigrationResult | null;
  services: ServiceReport[];
  smoke: SmokeResult[];
  durationMs: number;
  error?: { message: string; hint: string | null };
}

/** Each phase's result: the report is composed from these slices, once, at the end. */
export interface ReportSlices {
  pre: PreflightResult;
  images: ImageResult[];
  /** Services with something to roll out (the others are unchanged). */
  changing: ServiceName[];
  /** Dry run: the revision each changing service would get. */
  planned?: Map<ServiceName, string>;
  gate?: MigrationGateResult;
  registered?: Map<ServiceName, TaskDefinition>;
  rollout?: RolloutResult;
  smoke?: SmokeResult[];
  rollback?: Map<ServiceName, RollbackResult | null>;
  atomic: boolean;
}

export function composeReport(
  ctx: Context,
  s: ReportSlices,
  end: { result: DeployResult; exitCode: ExitCode; durationMs: number; error?: CliError },
): DeployReport {
  const { pre } = s;
  return {
    command: 'deploy',
    result: end.result,
    exitCode: end.exitCode,
    env: ctx.targets.environment,
    cluster: ctx.targets.ecs_cluster_name,
    commit: pre.commit,
    imageTag: pre.imageTag,
    actor: pre.actor,
    images: s.images,
    migration: s.gate?.ran ? s.gate.migration : null,
    services: pre.plans.map((p) => serviceReport(s, p.key, end.result)),
    smoke: s.smoke ?? [],
    durationMs: end.durationMs,
    ...(end.error ? { error: { message: end.error.message, hint: end.error.hint ?? null } } : {}),
  };
}

function serviceReport(s: ReportSlices, key: ServiceName, result: DeployResult): ServiceReport {
  const plan = s.pre.plans.find((p) => p.key === key)!;
  const image = s.images.find((i) => i.service === key);
  const ro = s.rollout?.services.find((r) => r.key === key);
  const rb = s.rollback?.get(key);
  const smokeFailure = s.smoke?.find((x) => x.service === key && !x.ok);
  const verdict = ro?.verdict;
  const outcome = ((): ServiceOutcome => {
    if (!s.changing.includes(key)) return 'unchanged';
    if (result === 'dry-run') return 'planned';
    if (!ro) return 'not-started';
    if (s.rollout?.interrupted && verdict?.outcome !== 'completed') return 'interrupted';
    if (rb === null) return 'rolled-back';
    if (rb) return rb.outcome !== 'completed' ? 'rollback-failed' : verdict?.outcome === 'timeout' ? 'timeout' : 'rolled-back';
    return 'deployed';
  })();
  const reason = ((): string | null => {
    if (outcome === 'interrupted') {
      return ro?.deploymentId
        ? `interrupted: ECS carries on with deployment ${ro.deploymentId}; nothing was rolled back`
        : 'interrupted before UpdateService';
    }
    if (verdict && verdict.outcome !== 'completed') return verdict.reason;
    if (smokeFailure) return `smoke check failed: ${smokeFailure.method} ${smokeFailure.url} → ${smokeFailure.detail}`;
    if (rb !== undefined) return s.atomic ? 'rolled back with the other service (--atomic)' : 'rolled back';
    return null;
  })();
  const registered = s.registered?.get(key)?.taskDefinitionArn ?? s.planned?.get(key) ?? null;
  return {
    service: key,
    serviceName: plan.target.service_name,
    previousTaskDefinition: plan.service.taskDefinition!,
    previousImage: plan.liveImage ?? null,
    baseTaskDefinition: plan.base.taskDefinition.taskDefinitionArn!,
    settingChanges: plan.settingChanges.map((c) => c.key),
    taskDefinition: s.changing.includes(key) ? registered : null,
    image: image?.pinned ?? null,
    digest: image?.digest ?? null,
    deploymentId: ro?.deploymentId ?? null,
    outcome,
    reason,
    running: verdict?.running ?? plan.service.runningCount ?? 0,
    desired: verdict?.desired ?? plan.service.desiredCount ?? 0,
    failedTasks: verdict?.failedTasks ?? [],
    serviceDeployment: (verdict && 'serviceDeployment' in verdict && verdict.serviceDeployment) || null,
    rollback: rb ?? null,
    durationMs: ro ? s.rollout!.durationMs : 0,
  };
}

export function summaryText(r: DeployReport): string {
  const rows = r.services.map((s) => [
    s.service,
    revisionLabel(s.rollback?.taskDefinition ?? s.taskDefinition ?? s.previousTaskDefinition),
    s.rollback || s.outcome === 'unchanged' || s.outcome === 'not-started'
      ? `${s.outcome === 'unchanged' ? r.imageTag.slice(0, 12) : 'previous'}@${shortDigest(s.previousImage?.split('@')[1])}`
      : `${r.imageTag.slice(0, 12)}@${shortDigest(s.digest)}`,
    s.rollback ? `${s.rollback.running}/${s.rollback.desired}` : `${s.running}/${s.desired}`,
    s.outcome,
    seconds(s.durationMs),
  ]);
  const head = `${r.result.toUpperCase()} — env ${r.env}, commit ${r.commit.slice(0, 12)}, ${seconds(r.durationMs)} (exit ${r.exitCode})`;
  const settings = r.services
    .filter((s) => s.settingChanges.length && s.outcome !== 'unchanged')
    .map((s) => `  ${s.service}: Terraform's ${revisionLabel(s.baseTaskDefinition)} changed ${s.settingChanges.join(', ')}`);
  const reasons = r.services.filter((s) => s.reason).map((s) => `  ${s.service}: ${s.reason}`);
  const migration = r.migration
    ? `migration: ${r.migration.taskDefinition} exit ${r.migration.exitCode} in ${seconds(r.migration.durationMs)}\n`
    : '';
  const lines = [...settings, ...reasons];
  return `${head}\n${migration}${table(['service', 'revision', 'image', 'tasks', 'result', 'time'], rows)}${lines.length ? lines.join('\n') + '\n' : ''}`;
}

/** A failed migration stops the deploy before any rollout: its error is shown as the funnel shows errors. */
export function migrationFailure(r: DeployReport): CliError | undefined {
  if (r.result !== 'migration-failed' || !r.error) return undefined;
  return new CliError(r.error.message, r.exitCode, r.error.hint ?? undefined);
}
