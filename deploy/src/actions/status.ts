import { DescribeAlarmsCommand, type MetricAlarm } from '@aws-sdk/client-cloudwatch';
import { DescribeTargetHealthCommand, type TargetHealthDescription } from '@aws-sdk/client-elastic-load-balancing-v2';
import {
  describeServiceDeployment,
  describeServices,
  listServiceDeployments,
  primaryDeployment,
  revisionLabel,
  serviceDeploymentId,
  UNFINISHED_SERVICE_DEPLOYMENT,
} from '../aws/ecs.js';
import { describeTaskDefinition } from '../aws/task-definition.js';
import type { Context } from '../context.js';
import { ExitCode } from '../exit-codes.js';
import type { ServiceName } from '../targets/schema.js';
import { readProvenance, type Provenance } from '../deploy/provenance.js';
import { hhmmss, shortActor, shortDigest } from '../output/format.js';
import { seconds } from '../output/table.js';
import { describeProgress } from '../rollout/service-deployment.js';
import { strategyText } from '../rollout/strategy.js';
import { isProgressive, type ServiceTarget } from '../targets/schema.js';

export interface StatusInput {
  services: ServiceName[];
  events: number;
}

export interface ServiceStatus {
  service: ServiceName;
  serviceName: string;
  healthy: boolean;
  problems: string[];
  taskDefinition: string;
  image: string | null;
  provenance: Provenance;
  running: number;
  pending: number;
  desired: number;
  deployments: {
    id: string;
    status: string;
    rolloutState: string | null;
    rolloutStateReason: string | null;
    taskDefinition: string;
    running: number;
    desired: number;
    failedTasks: number;
  }[];
  /** CANARY, LINEAR, BLUE_GREEN: the newest ECS service deployment, in flight or how it ended. */
  serviceDeployment: ServiceDeploymentStatus | null;
  targets: { targetGroupArn: string; target: string; state: string; reason: string | null; description: string | null }[];
  alarms: { name: string; state: string; reason: string | null }[];
  events: { at: string; message: string }[];
}

export interface ServiceDeploymentStatus {
  arn: string;
  strategy: string;
  inFlight: boolean;
  status: string;
  statusReason: string | null;
  stage: string | null;
  /** Percent of production and test traffic the new revision gets. */
  production: number;
  test: number;
  /** Since ECS started it (to now while in flight, else to when it finished). */
  elapsedMs: number;
  /** How long ECS waits on purpose: the bake time after the production shift. */
  bakeTimeMinutes: number;
  line: string;
}

/** The newest service deployment of a service of ECS's blue/green family, as `status` shows it. */
async function newestServiceDeployment(ctx: Context, t: ServiceTarget): Promise<ServiceDeploymentStatus | null> {
  if (!isProgressive(t.delivery)) return null;
  const [newest] = await listServiceDeployments(ctx.aws.ecs, ctx.targets.ecs_cluster_name, t.service_name);
  if (!newest?.serviceDeploymentArn) return null;
  const sd = await describeServiceDeployment(ctx.aws.ecs, newest.serviceDeploymentArn);
  const p = describeProgress(sd);
  const inFlight = UNFINISHED_SERVICE_DEPLOYMENT.includes(sd.status!);
  const end = inFlight ? ctx.now() : ((sd.finishedAt ?? sd.stoppedAt ?? sd.updatedAt)?.getTime() ?? ctx.now());
  return {
    arn: newest.serviceDeploymentArn,
    strategy: strategyText(t.delivery),
    inFlight,
    status: sd.status ?? '?',
    statusReason: sd.statusReason ?? null,
    stage: p.stage,
    production: p.production,
    test: p.test,
    elapsedMs: end - (sd.startedAt ?? sd.createdAt ?? new Date(end)).getTime(),
    bakeTimeMinutes: sd.deploymentConfiguration?.bakeTimeInMinutes ?? t.delivery.bake_time_minutes,
    line: p.line,
  };
}

export interface StatusReport {
  command: 'status';
  env: string;
  cluster: string;
  appUrl: string;
  healthy: boolean;
  services: ServiceStatus[];
}

/** Alarms of a service: those whose dimensions name its ECS service or its target group, or whose name carries the service name. */
function belongsTo(alarm: MetricAlarm, serviceName: string, targetGroupArns: string[]): boolean {
  const tgSuffixes = targetGroupArns.map((a) => a.slice(a.indexOf('targetgroup/')));
  const dims = [...(alarm.Dimensions ?? []), ...(alarm.Metrics ?? []).flatMap((m) => m.MetricStat?.Metric?.Dimensions ?? [])];
  return (
    dims.some(
      (d) => (d.Name === 'ServiceName' && d.Value === serviceName) || (d.Name === 'TargetGroup' && tgSuffixes.includes(d.Value ?? '')),
    ) || (alarm.AlarmName ?? '').includes(serviceName)
  );
}

async function allAlarms(ctx: Context): Promise<MetricAlarm[]> {
  const out: MetricAlarm[] = [];
  let token: string | undefined;
  do {
    const res = await ctx.aws.cloudwatch.send(new DescribeAlarmsCommand({ NextToken: token, MaxRecords: 100 }));
    out.push(...(res.MetricAlarms ?? []));
    token = res.NextToken;
  } while (token);
  return out;
}

export async function collectStatus(ctx: Context, input: StatusInput): Promise<StatusReport> {
  const { aws, targets } = ctx;
  const names = input.services.map((k) => targets.services[k].service_name);
  const [services, alarms] = await Promise.all([describeServices(aws.ecs, targets.ecs_cluster_name, names), allAlarms(ctx)]);
  const out: ServiceStatus[] = [];
  for (const [i, key] of input.services.entries()) {
    const t = targets.services[key];
    const svc = services[i]!;
    const primary = primaryDeployment(svc);
    const tdArn = primary?.taskDefinition ?? svc.taskDefinition!;
    const { taskDefinition: td, tags } = await describeTaskDefinition(aws.ecs, tdArn);
    const tgs = (svc.loadBalancers ?? []).map((lb) => lb.targetGroupArn!).filter(Boolean);
    const health: ServiceStatus['targets'] = [];
    for (const tg of tgs) {
      const res = await aws.elbv2.send(new DescribeTargetHealthCommand({ TargetGroupArn: tg }));
      for (const d of (res.TargetHealthDescriptions ?? []) as TargetHealthDescription[]) {
        health.push({
          targetGroupArn: tg,
          target: `${d.Target?.Id}:${d.Target?.Port ?? ''}`,
          state: d.TargetHealth?.State ?? 'unknown',
          reason: d.TargetHealth?.Reason ?? null,
          description: d.TargetHealth?.Description ?? null,
        });
      }
    }
    const mine = alarms.filter((a) => belongsTo(a, t.service_name, tgs));
    const problems: string[] = [];
    const running = svc.runningCount ?? 0;
    const desired = svc.desiredCount ?? 0;
    if (running < desired) problems.push(`${running}/${desired} tasks running`);
    for (const d of svc.deployments ?? [])
      if (d.rolloutState === 'FAILED') problems.push(`deployment ${d.id} FAILED: ${d.rolloutStateReason ?? ''}`.trim());
    const unhealthy = health.filter((h) => h.state === 'unhealthy' || h.state === 'unavailable');
    if (unhealthy.length)
      problems.push(`${unhealthy.length} unhealthy target(s): ${unhealthy.map((h) => `${h.target} ${h.reason ?? h.state}`).join(', ')}`);
    for (const a of mine.filter((x) => x.StateValue === 'ALARM')) problems.push(`alarm ${a.AlarmName} is in ALARM`);
    const serviceDeployment = await newestServiceDeployment(ctx, t);
    if (serviceDeployment?.inFlight && serviceDeployment.status.startsWith('ROLLBACK'))
      problems.push(`ECS is rolling back ${serviceDeploymentId(serviceDeployment.arn)}: ${serviceDeployment.statusReason ?? ''}`.trim());
    if (serviceDeployment?.status === 'ROLLBACK_FAILED')
      problems.push(`ECS could not roll back: ${serviceDeployment.statusReason ?? ''}`.trim());
    out.push({
      service: key,
      serviceName: t.service_name,
      healthy: problems.length === 0,
      problems,
      taskDefinition: tdArn,
      image: td.containerDefinitions?.find((c) => c.name === t.container_name)?.image ?? null,
      provenance: readProvenance(td, t.container_name, tags),
      running,
      pending: svc.pendingCount ?? 0,
      desired,
      deployments: (svc.deployments ?? []).map((d) => ({
        id: d.id!,
        status: d.status ?? '?',
        rolloutState: d.rolloutState ?? null,
        rolloutStateReason: d.rolloutStateReason ?? null,
        taskDefinition: d.taskDefinition!,
        running: d.runningCount ?? 0,
        desired: d.desiredCount ?? 0,
        failedTasks: d.failedTasks ?? 0,
      })),
      serviceDeployment,
      targets: health,
      alarms: mine.map((a) => ({ name: a.AlarmName!, state: a.StateValue ?? '?', reason: a.StateReason ?? null })),
      events: (svc.events ?? []).slice(0, input.events).map((e) => ({ at: e.createdAt?.toISOString() ?? '', message: e.message ?? '' })),
    });
  }
  return {
    command: 'status',
    env: targets.environment,
    cluster: targets.ecs_cluster_name,
    appUrl: targets.app_url,
    healthy: out.every((s) => s.healthy),
    services: out,
  };
}

export function renderStatus(r: StatusReport): string {
  const lines = [`env ${r.env} · cluster ${r.cluster} · ${r.appUrl} · ${r.healthy ? 'HEALTHY' : 'UNHEALTHY'}`];
  for (const s of r.services) {
    const p = s.provenance;
    lines.push(
      '',
      `${s.service} (${s.serviceName}) — ${s.healthy ? 'healthy' : 'UNHEALTHY'}`,
      `  revision   ${revisionLabel(s.taskDefinition)}  commit ${p.commit?.slice(0, 12) ?? '—'}  digest ${shortDigest(p.digest)}  by ${shortActor(p.actor)} at ${p.time ?? '—'}`,
      `  tasks      ${s.running} running / ${s.pending} pending / ${s.desired} desired`,
      '  deployments',
      ...s.deployments.map(
        (d) =>
          `    ${d.status.padEnd(8)}${d.id}  ${revisionLabel(d.taskDefinition)}  ${d.rolloutState ?? '?'}  ${d.running}/${d.desired}${d.failedTasks ? `  ${d.failedTasks} failed` : ''}`,
      ),
      ...serviceDeploymentLines(s.serviceDeployment),
      '  targets',
      ...(s.targets.length
        ? s.targets.map(
            (t) =>
              `    ${t.state === 'healthy' ? '✔' : '✖'} ${t.target.padEnd(16)}${t.state}${t.reason ? `  ${t.reason}` : ''}${t.description ? ` — ${t.description}` : ''}`,
          )
        : ['    (none registered)']),
      '  alarms',
      ...(s.alarms.length
        ? s.alarms.map(
            (a) => `    ${a.state === 'ALARM' ? '✖' : '✔'} ${a.name}  ${a.state}${a.state === 'ALARM' && a.reason ? ` — ${a.reason}` : ''}`,
          )
        : ['    (none found)']),
      '  events',
      ...s.events.map((e) => `    ${hhmmss(Date.parse(e.at))}  ${e.message}`),
    );
    if (s.problems.length) lines.push('  problems', ...s.problems.map((x) => `    ✖ ${x}`));
  }
  return lines.join('\n') + '\n';
}

function serviceDeploymentLines(sd: ServiceDeploymentStatus | null): string[] {
  if (!sd) return [];
  const id = serviceDeploymentId(sd.arn);
  const bake = sd.stage === 'BAKE_TIME' ? `, bake time ${sd.bakeTimeMinutes}m` : '';
  const when = sd.inFlight ? `running for ${seconds(sd.elapsedMs)}${bake}` : `took ${seconds(sd.elapsedMs)}`;
  return [
    `  ${sd.inFlight ? 'in flight ' : 'last      '}${id} (${sd.strategy}), ${when}`,
    `    ${sd.line}`,
    ...(sd.statusReason && !sd.line.includes(sd.statusReason) ? [`    ${sd.statusReason}`] : []),
  ];
}

export async function statusAction(input: StatusInput, ctx: Context): Promise<ExitCode> {
  const report = await collectStatus(ctx, input);
  if (ctx.common.json) ctx.json(report);
  else ctx.print(renderStatus(report));
  return report.healthy ? ExitCode.Ok : ExitCode.Unhealthy;
}
