import { DescribeTasksCommand, RunTaskCommand, waitUntilTasksStopped, type Task, type TaskDefinition } from '@aws-sdk/client-ecs';
import { CliError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import type { AwsClients } from '../aws/clients.js';
import { revisionLabel, streamPrefix, taskId } from '../aws/ecs.js';
import { awslogsStream, readForward } from '../aws/logs.js';
import type { Step } from '../output/progress.js';
import type { Targets } from '../targets/schema.js';
import type { Timing } from '../deps.js';

export const MIGRATE_COMMAND = ['migrate'];

export interface MigrationResult {
  taskArn: string;
  taskDefinition: string;
  exitCode: number | null;
  stopCode?: string;
  stoppedReason?: string;
  durationMs: number;
  logLines: number;
}

export interface MigrationInput {
  aws: AwsClients;
  targets: Targets;
  /** The writer revision (or migration family revision) carrying the new image. */
  taskDefinition: TaskDefinition;
  logGroup: string;
  timeoutMs: number;
  timing: Timing;
  now: () => number;
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  startedBy?: string;
}

/** The RunTask request: one Fargate task, container command overridden to ["migrate"], network from the outputs. */
export function migrationRunTaskInput(targets: Targets, taskDefinitionArn: string, startedBy = 'deploy-cli/migrate') {
  const m = targets.migration;
  return {
    cluster: targets.ecs_cluster_name,
    taskDefinition: taskDefinitionArn,
    launchType: 'FARGATE' as const,
    count: 1,
    startedBy,
    networkConfiguration: {
      awsvpcConfiguration: {
        subnets: m.subnet_ids,
        securityGroups: m.security_group_ids,
        assignPublicIp: m.assign_public_ip ? ('ENABLED' as const) : ('DISABLED' as const),
      },
    },
    overrides: { containerOverrides: [{ name: m.container_name, command: MIGRATE_COMMAND }] },
  };
}

/**
 * Runs the migration gate: RunTask, stream its log stream while the SDK waiter waits for STOPPED,
 * then the migration container's exit code decides. Throws CliError(Migration) on any failure.
 */
export async function runMigration(input: MigrationInput, step: Step): Promise<MigrationResult> {
  const { aws, targets } = input;
  const started = input.now();
  const tdArn = input.taskDefinition.taskDefinitionArn!;
  const container = targets.migration.container_name;
  const run = await aws.ecs.send(new RunTaskCommand(migrationRunTaskInput(targets, tdArn, input.startedBy)));
  const task = run.tasks?.[0];
  if (!task?.taskArn) {
    const f = run.failures?.[0];
    throw new CliError(
      `the migration task did not start: ${f?.reason ?? 'unknown'}${f?.detail ? ` (${f.detail})` : ''}`,
      ExitCode.Migration,
      'no service was changed; check `deploy verify`',
    );
  }
  const id = taskId(task.taskArn);
  step.update(`task ${id} from ${revisionLabel(tdArn)} running ${JSON.stringify(MIGRATE_COMMAND)}`);

  // Stream the task's log lines while the waiter waits.
  const prefix = streamPrefix(input.taskDefinition, container);
  const stream = prefix ? awslogsStream(prefix, container, id) : undefined;
  let token: string | undefined;
  let logLines = 0;
  const drain = async () => {
    if (!stream) return;
    const r = await readForward(aws.logs, input.logGroup, stream, token).catch(() => ({ lines: [] as string[], token }));
    token = r.token;
    for (const l of r.lines) {
      logLines++;
      step.log(l);
    }
  };
  const stopLogs = new AbortController();
  const tail = (async () => {
    while (!stopLogs.signal.aborted) {
      await drain();
      await input.sleep(input.timing.logPollMs, stopLogs.signal).catch(() => undefined);
    }
  })();

  let waited: Awaited<ReturnType<typeof waitUntilTasksStopped>> | undefined;
  let waitError: unknown;
  try {
    waited = await waitUntilTasksStopped(
      {
        client: aws.ecs,
        maxWaitTime: Math.max(1, Math.ceil(input.timeoutMs / 1000)),
        minDelay: input.timing.waiterMinDelaySec,
        maxDelay: input.timing.waiterMaxDelaySec,
      },
      { cluster: targets.ecs_cluster_name, tasks: [task.taskArn] },
    );
  } catch (err) {
    waitError = err;
  } finally {
    stopLogs.abort();
    await tail;
    await drain();
  }
  if (waitError || waited?.state !== 'SUCCESS') {
    throw new CliError(
      `the migration task ${id} did not stop within ${Math.round(input.timeoutMs / 1000)}s`,
      ExitCode.Migration,
      `no service was changed; the task may still be running: \`aws ecs stop-task --cluster ${targets.ecs_cluster_name} --task ${id}\``,
      { cause: waitError },
    );
  }

  const described = await aws.ecs.send(new DescribeTasksCommand({ cluster: targets.ecs_cluster_name, tasks: [task.taskArn] }));
  const stopped: Task | undefined = described.tasks?.[0];
  const c = stopped?.containers?.find((x) => x.name === container);
  const result: MigrationResult = {
    taskArn: task.taskArn,
    taskDefinition: revisionLabel(tdArn),
    exitCode: c?.exitCode ?? null,
    stopCode: stopped?.stopCode,
    stoppedReason: stopped?.stoppedReason,
    durationMs: input.now() - started,
    logLines,
  };
  if (result.exitCode !== 0) {
    const why =
      result.exitCode === null
        ? `never ran: ${stopped?.stopCode ?? ''} ${stopped?.stoppedReason ?? ''}${c?.reason ? ` — ${c.reason}` : ''}`.trim()
        : `exited ${result.exitCode}${c?.reason ? ` (${c.reason})` : ''}`;
    const pull = /CannotPullContainer|pull image/i.test(`${stopped?.stoppedReason ?? ''} ${c?.reason ?? ''}`);
    const err = new CliError(
      `migration failed: task ${id} ${why}`,
      ExitCode.Migration,
      pull
        ? 'the task could not pull the image: check the execution role ECR permissions and the NAT/VPC endpoints; no service was changed'
        : 'no service was changed; read the log lines above, fix the migration, deploy again',
    );
    (err as CliError & { migration?: MigrationResult }).migration = result;
    throw err;
  }
  step.update(`task ${id} exited 0 (${logLines} log lines)`);
  return result;
}
