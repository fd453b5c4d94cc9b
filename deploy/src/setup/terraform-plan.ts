import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CliError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import type { Step } from '../output/progress.js';
import { TerraformError } from '../targets/terraform.js';
import type { SetupContext } from './context.js';

/** The parts of `terraform show -json <plan>` we read (Terraform docs, "JSON Output Format": plan representation). */
export interface PlanDocument {
  format_version?: string;
  resource_changes?: ResourceChange[];
  output_changes?: Record<string, { actions?: string[] }>;
}

export interface ResourceChange {
  address: string;
  mode?: 'managed' | 'data';
  type: string;
  change: {
    actions: string[];
    before?: Record<string, unknown> | null;
    after?: Record<string, unknown> | null;
    after_unknown?: Record<string, unknown>;
  };
  /** The attribute paths that force the replacement (Terraform's "JSON Output Format", resource_changes). */
  replace_paths?: (string | number)[][];
}

export interface PlanSummary {
  add: number;
  change: number;
  destroy: number;
  /** Terraform 1.7+ `removed` blocks: leave the state, keep the object. */
  forget: number;
  /** Addresses destroyed, and replaced (destroyed and created again): shown before anyone confirms. */
  destroyed: string[];
  replaced: string[];
  outputChanges: number;
  /** Anything to apply at all (resources or outputs); false: "No changes", apply is skipped. */
  changed: boolean;
}

/**
 * Counts as Terraform's own "Plan: X to add, Y to change, Z to destroy." does: a replacement (["delete","create"]
 * or ["create","delete"]) is one add and one destroy; "no-op" and data sources' "read" are not changes.
 */
export function summarisePlan(doc: PlanDocument): PlanSummary {
  const major = Number((doc.format_version ?? '1.0').split('.')[0]);
  if (major !== 1) {
    throw new CliError(
      `terraform show -json printed plan format ${doc.format_version}; this CLI reads format 1.x`,
      ExitCode.Terraform,
      'use Terraform 1.x, or update the deploy CLI',
    );
  }
  const s: PlanSummary = { add: 0, change: 0, destroy: 0, forget: 0, destroyed: [], replaced: [], outputChanges: 0, changed: false };
  for (const rc of doc.resource_changes ?? []) {
    if (rc.mode === 'data') continue;
    const a = rc.change.actions;
    if (a.includes('create') && a.includes('delete')) {
      s.add++;
      s.destroy++;
      s.replaced.push(rc.address);
    } else if (a.includes('create')) s.add++;
    else if (a.includes('update')) s.change++;
    else if (a.includes('delete')) {
      s.destroy++;
      s.destroyed.push(rc.address);
    } else if (a.includes('forget')) s.forget++;
  }
  s.outputChanges = Object.values(doc.output_changes ?? {}).filter((o) => (o.actions ?? []).some((x) => x !== 'no-op')).length;
  s.changed = s.add + s.change + s.destroy + s.forget + s.outputChanges > 0;
  return s;
}

export function planLine(s: PlanSummary): string {
  return `Plan: ${s.add} to add, ${s.change} to change, ${s.destroy} to destroy${s.forget ? `, ${s.forget} to forget` : ''}.`;
}

/** Resources a plan deletes, with their attributes before (what destroy inspects: repositories, instances, ALBs). */
export function deletions(doc: PlanDocument): ResourceChange[] {
  return (doc.resource_changes ?? []).filter((rc) => rc.mode !== 'data' && rc.change.actions.includes('delete'));
}

/** A change Terraform would apply without complaint that breaks the running stack: refused unless allowed. */
export interface PlanHazard {
  address: string;
  cause: string;
  fix: string;
}

const replaces = (rc: ResourceChange) => rc.change.actions.includes('create') && rc.change.actions.includes('delete');

/**
 * What `init` must not apply silently (issue 23):
 *  - a replaced aws_ecs_service (a ForceNew argument changed): ECS creates the new service on Terraform's own
 *    revision, whose image tag (`bootstrap`) was never pushed, so its tasks cannot start until the next deploy;
 *  - a new master secret version while the instance is not sent a password in the same plan (e.g. a
 *    `-replace` of the version alone): the secret would name a password RDS never received, and `migrate`
 *    could not log in (modules/database: both are sent one generation together).
 */
export function planHazards(doc: PlanDocument): PlanHazard[] {
  const managed = (doc.resource_changes ?? []).filter((rc) => rc.mode !== 'data');
  const hazards: PlanHazard[] = [];
  for (const rc of managed.filter((x) => x.type === 'aws_ecs_service' && replaces(x))) {
    const forcedBy = (rc.replace_paths ?? []).map((p) => p.join('.')).filter(Boolean);
    hazards.push({
      address: rc.address,
      cause: `terraform plan replaces ${rc.address}${forcedBy.length ? ` (${forcedBy.join(', ')} cannot change in place)` : ''}: the new service would start on Terraform's revision, image tag bootstrap, never pushed — an outage until the next deploy`,
      fix: `undo that change, or accept the outage with --replace-services (init deploys the current commit right after the apply)`,
    });
  }
  // A service deleted at one address and created at another in the same module: modules/service keeps a rolling
  // service at aws_ecs_service.this[0] and a canary/linear/blue-green one at .progressive[0], so switching an
  // env's delivery strategy without moving the state would delete the running service and create an empty one.
  const services = managed.filter((x) => x.type === 'aws_ecs_service');
  for (const gone of services.filter((x) => x.change.actions.length === 1 && x.change.actions[0] === 'delete')) {
    const module = gone.address.slice(0, gone.address.lastIndexOf('aws_ecs_service'));
    const created = services.find((x) => x.address.startsWith(module) && x.change.actions.length === 1 && x.change.actions[0] === 'create');
    if (!created) continue;
    hazards.push({
      address: gone.address,
      cause: `terraform plan deletes ${gone.address} and creates ${created.address}: the delivery strategy changed (rolling <-> canary, linear or blue/green), and applied as planned ECS would delete the running service`,
      fix: `move the state first: terraform state mv '${gone.address}' '${created.address}' (in the env folder), then re-run`,
    });
  }
  const secretVersions = managed.filter((x) => x.type === 'aws_secretsmanager_secret_version' && x.change.actions.includes('create'));
  for (const sv of secretVersions) {
    const module = sv.address.slice(0, sv.address.lastIndexOf('aws_secretsmanager_secret_version'));
    const db = managed.find((x) => x.type === 'aws_db_instance' && x.address === `${module}aws_db_instance.this`);
    if (!db) continue; // a secret of something else, or an instance created later in the same state
    const a = db.change;
    const passwordSent =
      a.actions.includes('create') ||
      a.after_unknown?.password_wo_version === true ||
      (a.before?.password_wo_version ?? null) !== (a.after?.password_wo_version ?? null);
    if (!passwordSent) {
      hazards.push({
        address: sv.address,
        cause: `terraform plan writes a new master password to ${sv.address} but not to ${db.address}: the secret would hold a password RDS never received`,
        fix: 'bump db_master_password_version instead (both get the new password in one apply); never -replace the secret version alone',
      });
    }
  }
  return hazards;
}

export interface SavedPlan {
  file: string;
  doc: PlanDocument;
  summary: PlanSummary;
  /** Removes the plan file (it can hold sensitive values) and its folder. */
  discard(): Promise<void>;
}

function terraformFailure(ctx: SetupContext, what: string, err: unknown, hint: string): never {
  if (err instanceof TerraformError) throw new CliError(`${what} failed: ${err.message}`, ExitCode.Terraform, hint, { cause: err });
  throw err;
}

/** `terraform plan -out` into a private temporary folder, then its JSON; the summary is logged on the step. */
export async function makePlan(ctx: SetupContext, opts: { destroy: boolean; replaceServices?: boolean }): Promise<SavedPlan> {
  const dir = await mkdtemp(join(tmpdir(), 'deploy-plan-'));
  const file = join(dir, opts.destroy ? 'destroy.tfplan' : 'init.tfplan');
  const discard = () => rm(dir, { recursive: true, force: true });
  try {
    return await ctx.progress.step(opts.destroy ? 'terraform plan -destroy' : 'terraform plan', async (step) => {
      try {
        await ctx.deps.terraform.plan(ctx.config.dir, file, {
          destroy: opts.destroy,
          // Terraform's progress while it refreshes; the plan's summary comes from its JSON below.
          onLine: (l) => /^(Refreshing state|Reading|Acquiring state lock)/.test(l.trim()) && step.update(l.trim()),
        });
      } catch (err) {
        terraformFailure(
          ctx,
          `terraform plan${opts.destroy ? ' -destroy' : ''}`,
          err,
          `fix what Terraform names above (variables: ${ctx.rel(join(ctx.config.dir, 'terraform.tfvars'))}), then re-run`,
        );
      }
      let doc: PlanDocument;
      try {
        doc = (await ctx.deps.terraform.showJson(ctx.config.dir, file)) as PlanDocument;
      } catch (err) {
        terraformFailure(ctx, 'terraform show -json', err, 'run `terraform show -json <plan>` by hand to see why');
      }
      const summary = summarisePlan(doc);
      step.update(summary.changed ? planLine(summary) : 'No changes: the infrastructure matches the configuration');
      for (const a of summary.replaced) step.log(`replace ${a}`);
      if (!opts.destroy) for (const a of summary.destroyed) step.log(`destroy ${a}`);
      if (!opts.destroy) {
        const hazards = planHazards(doc).filter((h) => !(opts.replaceServices && h.address.includes('aws_ecs_service')));
        const first = hazards[0];
        if (first) {
          for (const h of hazards.slice(1)) step.log(`also: ${h.cause}`);
          throw new CliError(first.cause, ExitCode.Terraform, `${first.fix}; nothing was applied`);
        }
      }
      return { file, doc, summary, discard };
    });
  } catch (err) {
    await discard();
    throw err;
  }
}

/**
 * `terraform apply <plan>` with Terraform's own lines as live progress: each "… complete" line counts one of the
 * plan's resources. A failure is Terraform's error line, exit 10; what was created so far stays in the state.
 */
export async function applyPlan(ctx: SetupContext, plan: SavedPlan, title: string, failureHint: string): Promise<void> {
  const total = plan.summary.add + plan.summary.change + plan.summary.destroy;
  let done = 0;
  await ctx.progress.step(title, async (step: Step) => {
    step.update(planLine(plan.summary));
    try {
      await ctx.deps.terraform.apply(ctx.config.dir, plan.file, (raw) => {
        const l = raw.trim();
        if (!l) return;
        if (/: (Creation|Modifications|Destruction) complete/.test(l)) done++;
        step.update(`[${done}/${total}] ${l.slice(0, 200)}`);
      });
    } catch (err) {
      terraformFailure(ctx, 'terraform apply', err, failureHint);
    }
    step.update(`${done}/${total} done`);
  });
}
