import { describeService, inProgressDeployment, revisionLabel, streamPrefix, describeTaskDefinition, updateService } from '../aws/ecs.js';
import type { Context } from '../context.js';
import { CliError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import { seconds, table } from '../output/table.js';
import type { FailedTask } from '../rollout/diagnose.js';
import { followDeployment } from '../rollout/follow.js';
import type { ServiceName } from '../targets/schema.js';
import { shortDigest } from './common.js';
import { listRevisions, type Revision } from './history.js';
import { rollBack } from './deploy.js';

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
  reason: string | null;
  failedTasks: FailedTask[];
  restoredBy: 'ecs' | 'deploy-cli' | null;
}

/** Picks the revision to go back to. */
export function pickRevision(revisions: Revision[], live: string, to: string | undefined, family: string): Revision {
  if (!to) {
    const liveIdx = revisions.findIndex((r) => r.taskDefinition === live);
    const liveRev = revisions[liveIdx];
    const older = revisions.filter((r) => r.revision < (liveRev?.revision ?? Infinity));
    const previous = older.find((r) => r.digest !== liveRev?.digest) ?? older[0];
    if (!previous) throw new CliError(`${family} has no revision older than ${revisionLabel(live)} to roll back to`, ExitCode.Preflight);
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
  if (!/^[0-9a-f]{7,40}$/i.test(to)) throw new CliError(`--to expects a commit (7+ hex chars) or a revision, got "${to}"`, ExitCode.Usage);
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

export async function rollbackAction(input: RollbackInput, ctx: Context): Promise<ExitCode> {
  const { aws, targets, deps, progress } = ctx;
  const cluster = targets.ecs_cluster_name;
  const plans = await progress.step('Find the revisions to go back to', async (step) => {
    const out = [];
    for (const key of input.services) {
      const t = targets.services[key];
      const { revisions, live } = await listRevisions(ctx, key, 100);
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
      out.push({ key, t, svc, live, target, prefix: streamPrefix(td, t.container_name) });
    }
    return out;
  });

  const results: RollbackResult[] = [];
  await progress
    .parallel(
      plans.map((p) => ({
        title: `Roll back ${p.t.service_name} to ${revisionLabel(p.target.taskDefinition)}`,
        run: async (step) => {
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
          };
          results.push(r);
          if (p.live === p.target.taskDefinition) {
            step.skip(`already runs ${revisionLabel(p.live)}`);
            return;
          }
          const { deploymentId } = await updateService(aws.ecs, cluster, p.t.service_name, p.target.taskDefinition);
          r.deploymentId = deploymentId;
          step.update(`deployment ${deploymentId}`);
          const v = await followDeployment(
            {
              ecs: aws.ecs,
              elbv2: aws.elbv2,
              logs: aws.logs,
              cluster,
              serviceName: p.t.service_name,
              deploymentId,
              taskDefinitionArn: p.target.taskDefinition,
              containerName: p.t.container_name,
              logGroup: p.t.log_group_name,
              streamPrefix: p.prefix,
              maxFailedTasks: input.maxFailedTasks,
              deadline: ctx.now() + input.timeoutMs,
              intervalMs: deps.timing.pollMs,
              maxIntervalMs: deps.timing.maxPollMs,
              now: ctx.now,
              sleep: deps.sleep,
            },
            step,
          );
          r.outcome = v.outcome;
          r.failedTasks = v.failedTasks;
          if (v.outcome === 'completed') return;
          r.reason = v.reason;
          // The older revision did not come up: put back what ran before this command (unless ECS already did).
          const back = await rollBack(
            ctx,
            { target: p.t, service: p.svc, streamPrefix: p.prefix },
            v.outcome === 'failed' && v.rolledBackByEcs,
            input.timeoutMs,
            step,
          );
          r.restoredBy = back.by;
          throw new Error(
            `${v.reason}; ${back.outcome === 'completed' ? `${revisionLabel(p.live)} runs again` : `restoring ${revisionLabel(p.live)} ${back.outcome}`}`,
          );
        },
      })),
    )
    .catch(() => undefined);

  const failed = results.some((r) => r.outcome === 'failed' || r.outcome === 'timeout');
  const code = !failed ? ExitCode.Ok : results.some((r) => r.outcome === 'timeout') ? ExitCode.Timeout : ExitCode.RollbackFailed;
  if (ctx.common.json) ctx.json({ command: 'rollback', exitCode: code, services: results });
  else {
    ctx.print(
      table(
        ['service', 'from', 'to', 'commit', 'digest', 'result'],
        results.map((r) => [
          r.service,
          revisionLabel(r.from),
          revisionLabel(r.to),
          r.commit?.slice(0, 12) ?? '—',
          shortDigest(r.digest),
          r.outcome,
        ]),
      ) +
        results
          .filter((r) => r.reason)
          .map((r) => `  ${r.service}: ${r.reason}\n`)
          .join(''),
    );
  }
  void seconds;
  return code;
}
