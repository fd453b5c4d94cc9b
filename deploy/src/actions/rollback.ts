import { describeService, inProgressDeployment, revisionLabel, serviceDeploymentId } from '../aws/ecs.js';
import { listRevisions, type Revision } from '../deploy/revisions.js';
import { describeTaskDefinition, streamPrefix } from '../aws/task-definition.js';
import type { Context } from '../context.js';
import { CliError, toCliError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import { shortDigest } from '../output/format.js';
import type { Step } from '../output/progress.js';
import { table } from '../output/table.js';
import type { FailedTask } from '../rollout/diagnose.js';
import { inFlightServiceDeployment, rollBack, stopInFlight, switchTo } from '../rollout/rollback.js';
import type { ServiceName, ServiceTarget } from '../targets/schema.js';

export interface RollbackInput {
  services: ServiceName[];
  /** commit (prefix, ≥ 7 chars), revision number, family:revision or task-definition ARN; default: the previous revision. */
  to?: string;
  timeoutMs: number;
  maxFailedTasks?: number;
  force: boolean;
}

interface RollbackResult {
  service: ServiceName;
  serviceName: string;
  from: string;
  to: string;
  commit: string | null;
  digest: string | null;
  deploymentId: string | null;
  outcome: 'completed' | 'failed' | 'timeout' | 'unchanged';
  /** CANARY, LINEAR, BLUE_GREEN: the in-flight service deployment this rollback stopped (StopServiceDeployment). */
  stoppedServiceDeployment: string | null;
  reason: string | null;
  failedTasks: FailedTask[];
  restoredBy: 'ecs' | 'deploy-cli' | null;
}

/**
 * Picks the revision to go back to. By default the newest older revision the CLI deployed (it carries a commit)
 * with another digest: a revision Terraform registered has a placeholder image and never ran.
 */
export function pickRevision(revisions: Revision[], live: string, to: string | undefined, family: string): Revision {
  if (!to) {
    const liveRev = revisions.find((r) => r.taskDefinition === live);
    const older = revisions.filter((r) => r.revision < (liveRev?.revision ?? Infinity) && r.commit);
    const previous = older.find((r) => r.digest !== liveRev?.digest) ?? older[0];
    if (!previous) {
      throw new CliError(
        `${family} has no revision older than ${revisionLabel(live)} that the CLI deployed, to roll back to`,
        ExitCode.Preflight,
        '`deploy history <service>` lists the revisions; pass --to <revision> to pick one yourself',
      );
    }
    return previous;
  }
  const asRevision = /^(?:arn:.*\/)?(?:([\w-]+):)?(\d+)$/.exec(to);
  if (asRevision && (!asRevision[1] || asRevision[1] === family) && to.length < 7) {
    const r = revisions.find((x) => x.revision === Number(asRevision[2]));
    if (r) return r;
    throw new CliError(
      `revision ${family}:${asRevision[2]} is not among the ${revisions.length} newest revisions`,
      ExitCode.Preflight,
      '`deploy history <service> --limit 100` lists them',
    );
  }
  if (to.startsWith('arn:') || /^[\w-]+:\d+$/.test(to)) {
    const r = revisions.find((x) => x.taskDefinition === to || revisionLabel(x.taskDefinition) === to);
    if (r) return r;
    throw new CliError(
      `task definition ${to} is not a recent revision of ${family}`,
      ExitCode.Preflight,
      '`deploy history <service>` lists them',
    );
  }
  if (!/^[0-9a-f]{7,40}$/i.test(to)) {
    throw new CliError(
      `--to expects a commit (7+ hex chars) or a revision, got "${to}"`,
      ExitCode.Usage,
      'e.g. --to a1b2c3d, --to 12 or --to library-dev-reader:12',
    );
  }
  const r = revisions.find((x) => x.commit?.toLowerCase().startsWith(to.toLowerCase()));
  if (!r) {
    throw new CliError(
      `no revision of ${family} carries commit ${to}`,
      ExitCode.Preflight,
      'that commit was never deployed here (see `deploy history <service>`); deploy it with `deploy` instead',
    );
  }
  return r;
}

/** ECS still deploys the service: stop that service deployment with ROLLBACK and wait until the old revision serves again. */
async function stopDeployment(
  ctx: Context,
  key: ServiceName,
  t: ServiceTarget,
  live: string,
  timeoutMs: number,
  step: Step,
): Promise<RollbackResult> {
  const r: RollbackResult = {
    service: key,
    serviceName: t.service_name,
    from: live,
    to: live,
    commit: null,
    digest: null,
    deploymentId: null,
    outcome: 'failed',
    reason: null,
    failedTasks: [],
    restoredBy: 'ecs',
    stoppedServiceDeployment: null,
  };
  try {
    const stopped = await stopInFlight(ctx, t, timeoutMs, step);
    const svc = await describeService(ctx.aws.ecs, ctx.targets.ecs_cluster_name, t.service_name);
    r.to = svc.taskDefinition ?? live;
    if (!stopped) {
      step.skip(`nothing in flight any more: ${revisionLabel(r.to)} runs`);
      return Object.assign(r, { outcome: 'unchanged', restoredBy: null });
    }
    Object.assign(r, { stoppedServiceDeployment: stopped.arn, outcome: stopped.outcome, reason: stopped.reason });
    if (stopped.outcome === 'completed') step.update(`ROLLBACK_SUCCESSFUL: ${revisionLabel(r.to)} serves again`);
    else step.fail(`rollback ${stopped.outcome}: ${stopped.reason ?? ''}`);
  } catch (err) {
    Object.assign(r, { outcome: 'failed', reason: toCliError(err).message });
    step.fail(r.reason!);
  }
  return r;
}

export async function rollbackAction(input: RollbackInput, ctx: Context): Promise<ExitCode> {
  const { aws, targets, progress } = ctx;
  const cluster = targets.ecs_cluster_name;
  const plans = await progress.step('Find the revisions to go back to', async (step) => {
    type Plan = { key: ServiceName; t: ServiceTarget; live: string } & (
      { inFlight: string; target?: undefined; prefix?: undefined } | { inFlight?: undefined; target: Revision; prefix: string | undefined }
    );
    const out: Plan[] = [];
    for (const key of input.services) {
      const t = targets.services[key];
      const { revisions, live } = await listRevisions(aws.ecs, cluster, t, 100);
      const inFlight = await inFlightServiceDeployment(ctx, t);
      if (inFlight) {
        if (input.to)
          throw new CliError(
            `${t.service_name} is still deploying (${serviceDeploymentId(inFlight)}); --to cannot apply until it ends`,
            ExitCode.Usage,
            'run `deploy rollback <service>` without --to: it stops that deployment and ECS puts the running revision back',
          );
        step.update(`${key}: service deployment ${serviceDeploymentId(inFlight)} in flight → StopServiceDeployment with ROLLBACK`);
        out.push({ key, t, live, inFlight });
        continue;
      }
      const svc = await describeService(aws.ecs, cluster, t.service_name);
      const busy = inProgressDeployment(svc);
      if (busy && !input.force) {
        throw new CliError(
          `a deployment of ${t.service_name} is still in progress (${busy.id})`,
          ExitCode.Preflight,
          'wait for it (`deploy status`), or pass --force',
        );
      }
      const target = pickRevision(revisions, live, input.to, t.task_family);
      step.update(
        `${key}: ${revisionLabel(live)} → ${revisionLabel(target.taskDefinition)} (commit ${target.commit?.slice(0, 12) ?? '—'})`,
      );
      const { taskDefinition: td } = await describeTaskDefinition(aws.ecs, target.taskDefinition);
      out.push({ key, t, live, target, prefix: streamPrefix(td, t.container_name) });
    }
    return out;
  });

  const results = await progress.parallel(
    plans.map((p) => ({
      title:
        p.inFlight !== undefined
          ? `Roll back ${p.t.service_name}: stop service deployment ${serviceDeploymentId(p.inFlight)}`
          : `Roll back ${p.t.service_name} to ${revisionLabel(p.target.taskDefinition)}`,
      run: async (step: Step): Promise<RollbackResult> => {
        if (p.inFlight !== undefined) return stopDeployment(ctx, p.key, p.t, p.live, input.timeoutMs, step);
        const r: RollbackResult = {
          service: p.key,
          serviceName: p.t.service_name,
          from: p.live,
          to: p.target.taskDefinition,
          commit: p.target.commit,
          digest: p.target.digest,
          deploymentId: null,
          outcome: 'unchanged',
          reason: null,
          failedTasks: [],
          restoredBy: null,
          stoppedServiceDeployment: null,
        };
        if (p.live === p.target.taskDefinition) {
          step.skip(`already runs ${revisionLabel(p.live)}`);
          return r;
        }
        try {
          const to = {
            taskDefinitionArn: p.target.taskDefinition,
            streamPrefix: p.prefix,
            timeoutMs: input.timeoutMs,
            maxFailedTasks: input.maxFailedTasks,
          };
          const { deploymentId, verdict: v } = await switchTo(ctx, p.t, to, step);
          Object.assign(r, { deploymentId, outcome: v.outcome, failedTasks: v.failedTasks });
          if (v.outcome === 'completed') return r;
          r.reason = v.reason;
          // The older revision did not come up: put back what ran before this command (unless ECS already did).
          const back = await rollBack(
            ctx,
            { target: p.t, previous: p.live, streamPrefix: p.prefix },
            v.outcome === 'failed' && v.rolledBackByEcs,
            input.timeoutMs,
            step,
          );
          r.restoredBy = back.by;
          step.fail(
            `${v.reason}; ${back.outcome === 'completed' ? `${revisionLabel(p.live)} runs again` : `restoring ${revisionLabel(p.live)} ${back.outcome}`}`,
          );
        } catch (err) {
          Object.assign(r, { outcome: 'failed', reason: toCliError(err).message });
          step.fail(r.reason!);
        }
        return r;
      },
    })),
  );

  const failed = results.some((r) => r.outcome === 'failed' || r.outcome === 'timeout');
  const code = !failed ? ExitCode.Ok : results.some((r) => r.outcome === 'timeout') ? ExitCode.Timeout : ExitCode.RollbackFailed;
  if (ctx.common.json) ctx.json({ command: 'rollback', exitCode: code, services: results });
  else {
    const rows = results.map((r) => [
      r.service,
      revisionLabel(r.from),
      revisionLabel(r.to),
      r.commit?.slice(0, 12) ?? '—',
      shortDigest(r.digest),
      r.outcome,
    ]);
    const reasons = results.filter((r) => r.reason).map((r) => `  ${r.service}: ${r.reason}\n`);
    ctx.print(table(['service', 'from', 'to', 'commit', 'digest', 'result'], rows) + reasons.join(''));
  }
  return code;
}
