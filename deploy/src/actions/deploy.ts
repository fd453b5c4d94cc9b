import { setOutageAlarmActions } from '../aws/alarms.js';
import { revisionLabel } from '../aws/ecs.js';
import type { Context } from '../context.js';
import { buildAndPush, knownImages, mirrorCollector } from '../deploy/images.js';
import { migrationGate } from '../deploy/migration-gate.js';
import { planText, predictRevisions } from '../deploy/plan.js';
import { preflight } from '../deploy/preflight.js';
import { registerRevisions, writerFirst } from '../deploy/register.js';
import { composeReport, migrationFailure, summaryText, type DeployReport, type DeployResult, type ReportSlices } from '../deploy/report.js';
import { isUnchanged, type DeployInput, type ImageResult, type PreflightResult, type ServicePlan } from '../deploy/types.js';
import type { CliError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import { shortDigest } from '../output/format.js';
import { migrationBase, migrationCommand, migrationLogGroup } from '../rollout/migration.js';
import { rollBackAll } from '../rollout/rollback.js';
import { rollOut } from '../rollout/rollout.js';
import { smokeStep } from '../rollout/smoke.js';

export type { DeployInput } from '../deploy/types.js';

/** `deploy`: runs the phases, then prints the report (the JSON document with --json, else the summary table). */
export async function deployAction(input: DeployInput, ctx: Context): Promise<ExitCode> {
  const { report, plan } = await runDeploy(input, ctx);
  if (ctx.common.json) ctx.json(report);
  else if (plan) ctx.print(plan);
  else if (report.result !== 'migration-failed') ctx.print(summaryText(report));
  const failure = migrationFailure(report);
  if (failure) ctx.printError(failure);
  return report.exitCode;
}

/** A deploy's outcome as data: the report, and a dry run's plan text. Nothing is printed on stdout. */
export interface DeployRun {
  report: DeployReport;
  plan?: string;
}

/**
 * preflight → images → migration gate → register → rollout (+ smoke) → rollback → report (docs/reliability.md#deploy-cli, W-1…W-7).
 * Each phase returns its typed result; the report is composed from those slices once, at the end.
 */
export async function runDeploy(input: DeployInput, ctx: Context): Promise<DeployRun> {
  const started = ctx.now();
  const pre = await preflight(input, ctx);
  const slices: ReportSlices = { pre, images: knownImages(pre), changing: [], atomic: input.atomic };
  const finish = (result: DeployResult, exitCode: ExitCode, error?: CliError): DeployRun => ({
    report: composeReport(ctx, slices, { result, exitCode, durationMs: ctx.now() - started, error }),
  });

  // W-5: the image already runs and Terraform changed nothing → no change (exit 0), before building anything.
  slices.changing = changingServices(input, pre, slices.images).map((p) => p.key);
  if (!slices.changing.length) {
    ctx.progress.note(`no change: ${pre.plans.map((p) => `${p.key} already runs ${shortDigest(pre.inEcr.get(p.key))}`).join(', ')}`);
    return finish('no-change', ExitCode.Ok);
  }
  if (input.dryRun) return dryRun(ctx, input, pre, slices, finish);

  slices.images = await buildAndPush(ctx, input, pre);
  // Every image a task pulls must be in this account's registry before anything starts (issue 23).
  const collector = await mirrorCollector(ctx, pre);
  if (collector?.mirrored) ctx.progress.note(`tracing collector mirrored: ${collector.source} → ${collector.image}`);
  const changing = writerFirst(changingServices(input, pre, slices.images));
  slices.changing = changing.map((p) => p.key);
  if (!changing.length) {
    ctx.progress.note('no change: the built images equal the running ones');
    return finish('no-change', ExitCode.Ok);
  }

  slices.gate = await migrationGate(ctx, input, pre, changing, slices.images);
  if (slices.gate.ran && !slices.gate.ok) {
    return finish('migration-failed', slices.gate.error.exitCode, slices.gate.error);
  }

  slices.registered = await registerRevisions(ctx, pre, changing, slices.images);
  const rollout = (slices.rollout = await rollOut(
    ctx,
    changing.map((p) => ({
      key: p.key,
      target: p.target,
      previous: p.service.taskDefinition!,
      taskDefinitionArn: slices.registered!.get(p.key)!.taskDefinitionArn!,
      streamPrefix: p.streamPrefix,
    })),
    input,
  ));
  if (rollout.interrupted) {
    ctx.progress.note('interrupted: watch with `deploy status`, go back with `deploy rollback <service>`');
    return finish('interrupted', ExitCode.Interrupted);
  }

  // Smoke check through the ALB; a service scaled to 0 (e.g. after `deploy pause`) has no task to answer.
  const completed = rollout.services.filter((r) => r.verdict.outcome === 'completed');
  for (const r of completed.filter((x) => x.verdict.desired === 0)) {
    ctx.progress.note(`smoke check skipped for ${ctx.targets.services[r.key].service_name}: desired count is 0 (paused?)`);
  }
  // A service whose lifecycle hook ran the smoke check on ECS's side, on test traffic before any production traffic,
  // is not checked twice; the others (ROLLING, or no hook) are checked through the ALB as before.
  const hooked = completed.filter((r) => ctx.targets.services[r.key].delivery.hook);
  if (hooked.length) {
    const names = hooked.map((r) => ctx.targets.services[r.key].service_name).join(', ');
    ctx.progress.note(`smoke check of ${names}: done by the lifecycle hook on test traffic`);
  }
  const answering = completed.filter((r) => r.verdict.desired > 0 && !hooked.includes(r)).map((r) => r.key);
  if (input.smoke && answering.length && (completed.length === rollout.services.length || !input.atomic)) {
    slices.smoke = await smokeStep(ctx, answering);
  }
  const failed = rollout.services.filter(
    (r) => r.verdict.outcome !== 'completed' || slices.smoke?.some((s) => s.service === r.key && !s.ok),
  );
  if (!failed.length) {
    // The outage alarms start with their actions off (Terraform's bootstrap revision never becomes healthy); a
    // healthy rollout of running services is when they start to mean something. Not while paused (desired 0):
    // `deploy resume` turns them on then.
    if (ctx.targets.outage_alarm_names?.length && rollout.services.every((r) => r.verdict.desired > 0)) {
      await ctx.progress.step("Turn on the outage alarms' actions", async (step) => {
        step.update((await setOutageAlarmActions(ctx.aws.cloudwatch, ctx.targets.outage_alarm_names, true)).join(', '));
      });
    }
    return finish('deployed', ExitCode.Ok);
  }

  // W-3: roll back the failed services, or every changed one with --atomic.
  const toRollBack = input.atomic ? rollout.services : failed;
  slices.rollback = await rollBackAll(
    ctx,
    toRollBack.map((r) => {
      const p = changing.find((x) => x.key === r.key)!;
      const v = r.verdict;
      const byEcs = v.outcome === 'failed' && v.rolledBackByEcs;
      const reason = v.outcome === 'completed' ? 'rolled back' : v.reason;
      const settledByEcs = 'serviceDeployment' in v ? v.serviceDeployment?.rollback?.outcome : undefined;
      return {
        key: r.key,
        target: p.target,
        previous: p.service.taskDefinition!,
        streamPrefix: p.streamPrefix,
        changed: !!r.deploymentId,
        byEcs,
        settledByEcs,
        reason,
      };
    }),
    input.timeoutMs,
  );
  if ([...slices.rollback.values()].some((rb) => rb && rb.outcome !== 'completed'))
    return finish('rollback-failed', ExitCode.RollbackFailed);
  return failed.some((r) => r.verdict.outcome === 'timeout')
    ? finish('timeout', ExitCode.Timeout)
    : finish('rolled-back', ExitCode.RolledBack);
}

/** Services to roll out: a new image, or Terraform's revision changed a setting; everything with --force. */
function changingServices(input: DeployInput, pre: PreflightResult, images: ImageResult[]): ServicePlan[] {
  return pre.plans.filter((p) => input.force || !isUnchanged(p, images.find((i) => i.service === p.key)?.pinned ?? null));
}

async function dryRun(
  ctx: Context,
  input: DeployInput,
  pre: PreflightResult,
  slices: ReportSlices,
  finish: (result: DeployResult, exitCode: ExitCode) => DeployRun,
): Promise<DeployRun> {
  const changing = pre.plans.filter((p) => slices.changing.includes(p.key));
  const m = ctx.targets.migration;
  const next = await predictRevisions(ctx, [...changing.map((p) => p.target.task_family), m.task_family]);
  slices.planned = new Map(changing.map((p) => [p.key, next.get(p.target.task_family)!]));
  // The migrate revision a deploy would start from must exist and have a command, dry run or not.
  const { taskDefinition: migrate } = await migrationBase(ctx.aws.ecs, m);
  const migration = {
    ...migrationCommand(migrate, m.container_name),
    base: revisionLabel(migrate.taskDefinitionArn),
    logGroup: migrationLogGroup(migrate, m),
  };
  return { ...finish('dry-run', ExitCode.Ok), plan: planText(ctx, input, pre, slices.images, changing, next, migration) };
}
