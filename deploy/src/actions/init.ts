import { stateBucketName } from '../aws/state-bucket.js';
import { openContext } from '../context.js';
import type { DeployInput } from '../deploy/types.js';
import { ExitCode } from '../exit-codes.js';
import { migrationFailure, summaryText } from '../deploy/report.js';
import { confirm } from '../output/prompt.js';
import {
  backendPath,
  completeBackend,
  readBackend,
  stateKey,
  terraformInit,
  writeBackend,
  type Backend,
  type BackendOutcome,
} from '../setup/backend.js';
import type { SetupContext } from '../setup/context.js';
import { prerequisites } from '../setup/prerequisites.js';
import { ensureStateBucket, type StateBucketResult } from '../setup/state-bucket.js';
import { applyPlan, makePlan, planLine, type PlanSummary } from '../setup/terraform-plan.js';
import { runDeploy } from './deploy.js';

export interface InitInput {
  /** With --yes, apply production without a prompt. */
  force: boolean;
  allowDirty: boolean;
  /** The first deploy's input (the deploy command's defaults). */
  deploy: DeployInput;
  /** Apply a plan that replaces an ECS service (its tasks start on the bootstrap image until the deploy after it). */
  replaceServices?: boolean;
}

/**
 * `init --env <env>`: everything a new account needs, in order, each step idempotent: prerequisites → state bucket
 * → backend.hcl → terraform init → plan → (confirm) apply → the first deploy → the app's URL. A re-run finds
 * everything in place and says so.
 */
export async function initAction(input: InitInput, ctx: SetupContext): Promise<ExitCode> {
  const { config, env } = ctx;
  const pre = await prerequisites(ctx, { docker: true, cleanTree: { allowDirty: input.allowDirty } });

  // A backend.hcl a person wrote names the bucket; otherwise the bucket's name is derived, unique per account and
  // region (a project name S3 cannot take matters only then).
  const existing = await readBackend(ctx);
  const derived = (): Backend => ({
    bucket: stateBucketName(config.project, pre.account, ctx.region),
    key: stateKey(config.project, env),
    region: ctx.region,
    useLockfile: true,
  });
  const used = existing ? completeBackend(ctx, existing) : derived();
  const bucket = await ensureStateBucket(ctx, { bucket: used.bucket, region: used.region, account: pre.account, partition: pre.partition });
  const backendOutcome = await writeBackend(ctx, existing ? wouldWrite(derived, used) : used, existing);
  await terraformInit(ctx, used);

  const plan = await makePlan(ctx, { destroy: false, replaceServices: input.replaceServices });
  let applied = false;
  try {
    if (plan.summary.changed) {
      await confirm(ctx, `Apply this plan to ${env} (account ${pre.account}, ${ctx.region})? ${planLine(plan.summary)}`, {
        // Production asks even with --yes, unless --force says so too.
        assumeYes: ctx.common.yes && (!config.production || input.force),
        nonInteractiveHint: config.production
          ? 'production needs both --yes and --force to apply without a prompt'
          : 'pass --yes to apply without a prompt',
      });
      await applyPlan(
        ctx,
        plan,
        'terraform apply',
        `what was created so far stays in the state (s3://${used.bucket}/${used.key}); fix the cause above and run \`npm run deploy -- init --env ${env}\` again: it plans only what is missing`,
      );
      applied = true;
    } else {
      ctx.progress.note('no changes: the infrastructure matches the configuration; apply skipped');
    }
  } finally {
    await plan.discard();
  }

  // The first deploy (or, on a re-run, the usual "no change"): the deploy command's phases on the outputs just
  // applied; its report is printed here, before init's own summary.
  const deployCtx = await openContext(ctx.deps, ctx.common, ctx.progress);
  const { report } = await runDeploy(input.deploy, deployCtx);
  const deployed = report.exitCode;
  const failure = migrationFailure(report);
  if (failure) ctx.printError(failure);
  const logs = `npm run deploy -- logs reader --follow --env ${env}`;
  const appUrl = deployCtx.targets.app_url;
  if (ctx.common.json) {
    ctx.json({
      command: 'init',
      env,
      account: pre.account,
      region: ctx.region,
      exitCode: deployed,
      stateBucket: bucket,
      backend: { path: ctx.rel(backendPath(ctx)), outcome: backendOutcome, ...used },
      plan: { ...plan.summary, applied },
      deploy: report,
      appUrl,
      logs,
    });
    return deployed;
  }
  if (report.result !== 'migration-failed') ctx.print(summaryText(report));
  ctx.print(initSummary({ env, bucket, backendOutcome, summary: plan.summary, applied, deployed, deployResult: report.result }));
  if (deployed === ExitCode.Ok) ctx.print(`app: ${appUrl}\nlogs: ${logs}`);
  return deployed;
}

/** What init would write, to tell an equal backend.hcl (unchanged) from one a person chose (kept). */
function wouldWrite(derived: () => Backend, fallback: Backend): Backend {
  try {
    return derived();
  } catch {
    return { ...fallback, bucket: '' }; // no name init could derive: whatever is there was chosen by a person
  }
}

function initSummary(r: {
  env: string;
  bucket: StateBucketResult;
  backendOutcome: BackendOutcome;
  summary: PlanSummary;
  applied: boolean;
  deployed: ExitCode;
  deployResult?: string;
}): string {
  const b = r.bucket;
  const bucketLine = b.created
    ? `created with ${b.fixed.join(', ')}`
    : b.fixed.length
      ? `in place; set what was missing: ${b.fixed.join(', ')}`
      : 'in place, nothing to fix';
  const infra = r.applied
    ? `applied (${planLine(r.summary)
        .replace(/^Plan: /, '')
        .replace(/\.$/, '')})`
    : 'no changes, apply skipped';
  const nothingChanged = !b.created && !b.fixed.length && r.backendOutcome !== 'written' && !r.applied;
  return [
    `INIT ${r.env}${nothingChanged && r.deployed === ExitCode.Ok ? ' — everything was in place; nothing changed' : ''} (exit ${r.deployed})`,
    `state bucket  s3://${b.bucket} (${b.region}): ${bucketLine}; never deleted by deploy`,
    `backend       terraform/envs/${r.env}/backend.hcl: ${r.backendOutcome}`,
    `terraform     ${infra}`,
    `deploy        ${r.deployResult ?? 'failed'} (exit ${r.deployed}; summary above)`,
  ].join('\n');
}
