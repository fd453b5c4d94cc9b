import { DescribeTargetHealthCommand, type ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import type { Task } from '@aws-sdk/client-ecs';
import type { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { taskId, taskPrivateIp } from '../aws/ecs.js';
import { awslogsStream, lastLogLines } from '../aws/logs.js';

/** Why one task failed: everything a person needs to act, in one record. */
export interface FailedTask {
  taskId: string;
  taskDefinition: string;
  stopCode?: string;
  stoppedReason?: string;
  container?: string;
  exitCode?: number;
  containerReason?: string;
  targetHealth?: string;
  lastLogLines: string[];
}

export interface TargetHealthSeen {
  state: string;
  reason?: string;
  description?: string;
}

/** Remembers the last non-healthy target-health reason per IP: a stopped task is already deregistered. */
export class TargetHealthTracker {
  private readonly seen = new Map<string, TargetHealthSeen>();
  constructor(
    private readonly elbv2: ElasticLoadBalancingV2Client,
    private readonly targetGroupArns: string[],
  ) {}

  async refresh(): Promise<void> {
    for (const arn of this.targetGroupArns) {
      const res = await this.elbv2.send(new DescribeTargetHealthCommand({ TargetGroupArn: arn }));
      for (const d of res.TargetHealthDescriptions ?? []) {
        const ip = d.Target?.Id;
        const h = d.TargetHealth;
        if (!ip || !h?.State) continue;
        if (h.State !== 'healthy' || !this.seen.has(ip))
          this.seen.set(ip, { state: h.State, reason: h.Reason, description: h.Description });
      }
    }
  }

  describe(ip: string | undefined): string | undefined {
    if (!ip) return undefined;
    const h = this.seen.get(ip);
    if (!h) return undefined;
    return [h.state, h.reason, h.description].filter(Boolean).join(' — ');
  }
}

export async function diagnoseTask(
  task: Task,
  opts: { containerName: string; logs: CloudWatchLogsClient; logGroup: string; streamPrefix?: string; health?: TargetHealthTracker },
): Promise<FailedTask> {
  const id = taskId(task.taskArn ?? '');
  const container = task.containers?.find((c) => c.name === opts.containerName) ?? task.containers?.[0];
  const lines = opts.streamPrefix
    ? await lastLogLines(opts.logs, opts.logGroup, awslogsStream(opts.streamPrefix, opts.containerName, id), 5).catch(() => [])
    : [];
  return {
    taskId: id,
    taskDefinition: task.taskDefinitionArn?.split('/').pop() ?? '?',
    stopCode: task.stopCode,
    stoppedReason: task.stoppedReason,
    container: container?.name,
    exitCode: container?.exitCode,
    containerReason: container?.reason,
    targetHealth: opts.health?.describe(taskPrivateIp(task)),
    lastLogLines: lines,
  };
}

/** Multi-line, human form of a failed task (printed inline while following the rollout). */
export function formatFailedTask(f: FailedTask): string[] {
  const out = [
    `task ${f.taskId} (${f.taskDefinition}) stopped: ${f.stopCode ?? 'unknown stop code'} — ${f.stoppedReason ?? 'no reason given'}`,
  ];
  if (f.container) {
    const exit = f.exitCode === undefined ? 'no exit code (never started?)' : `exit code ${f.exitCode}`;
    out.push(`  container ${f.container}: ${exit}${f.containerReason ? ` — ${f.containerReason}` : ''}`);
  }
  if (f.targetHealth) out.push(`  target health: ${f.targetHealth}`);
  if (/CannotPullContainerError|pull image/i.test(`${f.stoppedReason ?? ''} ${f.containerReason ?? ''}`)) {
    out.push(
      '  hint: the task could not pull its image: check the execution role (ecr:GetDownloadUrlForLayer), the NAT/VPC endpoints, and that the digest exists',
    );
  }
  if (/ResourceInitializationError|secret/i.test(f.stoppedReason ?? '')) {
    out.push('  hint: the execution role could not read a secret or reach Secrets Manager: run `deploy verify`');
  }
  for (const l of f.lastLogLines) out.push(`  log │ ${l}`);
  return out;
}
