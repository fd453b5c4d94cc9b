import {
  DescribeTasksCommand,
  RunTaskCommand,
  waitUntilTasksStopped,
  type ECSClient,
  type Tag,
  type Task,
  type TaskDefinition,
} from '@aws-sdk/client-ecs';
import { revisionLabel, taskId } from '../aws/ecs.js';
import { awslogsStream, readForward } from '../aws/logs.js';
import {
  describeTerraformRevision,
  registerTaskDefinition,
  requireContainer,
  streamPrefix,
  withImage,
  type DescribedTaskDefinition,
} from '../aws/task-definition.js';
import type { Context } from '../context.js';
import { CliError, toCliError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import type { Step } from '../output/progress.js';
import type { MigrationTarget, Targets } from '../targets/schema.js';

export interface MigrationResult {
  taskArn: string;
  taskDefinition: string;
  /** The container's command: Terraform's for the migrate revision, else the container contract's ["migrate"]. */
  command: string[];
  exitCode: number | null;
  stopCode?: string;
  stoppedReason?: string;
  durationMs: number;
  logLines: number;
}

export type MigrationOutcome =
  | { ok: true; taskDefinition: string; result: MigrationResult }
  | { ok: false; taskDefinition: string | null; result: MigrationResult | null; error: CliError };

/**
 * The migration gate (W-6): register a revision of the migrate family from Terraform's (`migration.task_definition_arn`)
 * with only the writer image swapped in, run it once, stream its logs, and let its exit code decide.
 * Never throws: a failure comes back as `{ ok: false, error }` with whatever is known about the task.
 */
export async function migrate(ctx: Context, image: string, tags: Tag[], timeoutMs: number, startedBy: string): Promise<MigrationOutcome> {
  const m = ctx.targets.migration;
  let td: TaskDefinition | undefined;
  try {
    td = await ctx.progress.step(`Register ${m.task_family} revision`, async (step) => {
      const base = await migrationBase(ctx.aws.ecs, m);
      const registered = await registerTaskDefinition(ctx.aws.ecs, withImage(base, m.container_name, image, tags));
      step.update(revisionLabel(registered.taskDefinitionArn));
      return registered;
    });
    const { command } = migrationCommand(td, m.container_name);
    return await ctx.progress.step(`Migrate: run ${JSON.stringify(command)} from ${revisionLabel(td.taskDefinitionArn)}`, async (step) => {
      const outcome = await runMigration(ctx, td!, timeoutMs, startedBy, step);
      if (!outcome.ok) step.fail(outcome.error.message);
      return outcome;
    });
  } catch (err) {
    return { ok: false, taskDefinition: td ? revisionLabel(td.taskDefinitionArn) : null, result: null, error: toCliError(err) };
  }
}

/** The container contract (docs/deploy-contract.md#container-contract): the image's one-off command that applies pending migrations and exits 0. */
export const MIGRATE_COMMAND = ['migrate'];

/**
 * The revision the migrate task starts from: Terraform's (`migration.task_definition_arn`), or, where the
 * outputs name only the family (older outputs, docs/deploy-contract.md#terraform-outputs), its latest ACTIVE revision (ECS API reference,
 * DescribeTaskDefinition: "If a revision isn't specified, the latest ACTIVE revision is used").
 */
export async function migrationBase(ecs: ECSClient, m: MigrationTarget): Promise<DescribedTaskDefinition> {
  return m.task_definition_arn
    ? describeTerraformRevision(ecs, m.task_definition_arn, 'migration.task_definition_arn', m.container_name)
    : describeTerraformRevision(ecs, m.task_family, 'migration.task_family', m.container_name);
}

/** Where the migrate task logs: the output, else its container's awslogs-group (undefined: no log streaming). */
export function migrationLogGroup(td: TaskDefinition, m: MigrationTarget): string | undefined {
  return m.log_group_name ?? requireContainer(td, m.container_name).logConfiguration?.options?.['awslogs-group'];
}

/**
 * What the migrate container runs: Terraform's command for it (our migrate family sets ["migrate"]). A task
 * definition without one would start the server, so RunTask then overrides it with the contract's command.
 */
export function migrationCommand(td: TaskDefinition, containerName: string): { command: string[]; override: boolean } {
  const command = requireContainer(td, containerName, 'migration.container_name').command;
  return command?.length ? { command, override: false } : { command: MIGRATE_COMMAND, override: true };
}

/**
 * The RunTask request: one Fargate task of the migrate revision in the network the outputs name, with the
 * container's command overridden when the revision sets none (RunTask `overrides.containerOverrides[].command`).
 */
export function migrationRunTaskInput(targets: Targets, taskDefinitionArn: string, startedBy: string, commandOverride?: string[]) {
  const m = targets.migration;
  return {
    cluster: targets.ecs_cluster_name,
    taskDefinition: taskDefinitionArn,
    launchType: 'FARGATE' as const,
    count: 1,
    startedBy,
    ...(commandOverride ? { overrides: { containerOverrides: [{ name: m.container_name, command: commandOverride }] } } : {}),
    networkConfiguration: {
      awsvpcConfiguration: {
        subnets: m.subnet_ids,
        securityGroups: m.security_group_ids,
        assignPublicIp: m.assign_public_ip ? ('ENABLED' as const) : ('DISABLED' as const),
      },
    },
  };
}

async function runMigration(ctx: Context, td: TaskDefinition, timeoutMs: number, startedBy: string, step: Step): Promise<MigrationOutcome> {
  const { aws, targets, deps } = ctx;
  const started = ctx.now();
  const tdArn = td.taskDefinitionArn!;
  const label = revisionLabel(tdArn);
  const container = targets.migration.container_name;
  const { command, override } = migrationCommand(td, container);
  const cluster = targets.ecs_cluster_name;
  const run = await aws.ecs.send(new RunTaskCommand(migrationRunTaskInput(targets, tdArn, startedBy, override ? command : undefined)));
  const task = run.tasks?.[0];
  if (!task?.taskArn) {
    // RunTask reports placement problems in `failures`, not as an error (ECS API reference, RunTask).
    const f = run.failures?.[0];
    const error = new CliError(
      `the migration task did not start: ${f?.reason ?? 'unknown'}${f?.detail ? ` (${f.detail})` : ''}`,
      ExitCode.Migration,
      'no service was changed; check `deploy verify`',
    );
    return { ok: false, taskDefinition: label, result: null, error };
  }
  const id = taskId(task.taskArn);
  step.update(`task ${id} from ${label} running ${JSON.stringify(command)}`);

  // Stream the task's log lines (awslogs stream <prefix>/<container>/<task id>) while the waiter waits.
  const prefix = streamPrefix(td, container);
  const logGroup = migrationLogGroup(td, targets.migration);
  const stream = prefix && logGroup ? awslogsStream(prefix, container, id) : undefined;
  let token: string | undefined;
  let logLines = 0;
  const drain = async () => {
    if (!stream || !logGroup) return;
    const r = await readForward(aws.logs, logGroup, stream, token).catch(() => ({ lines: [] as string[], token }));
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
      await deps.sleep(deps.timing.logPollMs, stopLogs.signal).catch(() => undefined);
    }
  })();

  // The SDK's TasksStopped waiter succeeds once every task's lastStatus is STOPPED; it retries on errors and
  // throws TimeoutError after maxWaitTime (aws-sdk-js-v3 client-ecs waitUntilTasksStopped, @smithy/util-waiter).
  let waitError: unknown;
  try {
    await waitUntilTasksStopped(
      {
        client: aws.ecs,
        maxWaitTime: Math.max(1, Math.ceil(timeoutMs / 1000)),
        minDelay: deps.timing.waiterMinDelaySec,
        maxDelay: deps.timing.waiterMaxDelaySec,
      },
      { cluster, tasks: [task.taskArn] },
    );
  } catch (err) {
    waitError = err;
  } finally {
    stopLogs.abort();
    await tail;
    await drain();
  }
  // One look of our own: it names an AWS error the waiter only retried, or tells "still running" from "stopped".
  const described = await aws.ecs.send(new DescribeTasksCommand({ cluster, tasks: [task.taskArn] }));
  const stopped: Task | undefined = described.tasks?.[0];
  const c = stopped?.containers?.find((x) => x.name === container);
  const result: MigrationResult = {
    taskArn: task.taskArn,
    taskDefinition: label,
    command,
    exitCode: c?.exitCode ?? null,
    stopCode: stopped?.stopCode,
    stoppedReason: stopped?.stoppedReason,
    durationMs: ctx.now() - started,
    logLines,
  };
  if (waitError !== undefined && stopped?.lastStatus !== 'STOPPED') {
    const error = new CliError(
      `the migration task ${id} did not stop within ${Math.round(timeoutMs / 1000)}s (last status ${stopped?.lastStatus ?? 'unknown'})`,
      ExitCode.Migration,
      `no service was changed; the task may still be running: \`aws ecs stop-task --cluster ${cluster} --task ${id}\`, then raise --migration-timeout`,
      { cause: waitError },
    );
    return { ok: false, taskDefinition: label, result, error };
  }
  // The essential container's exit code decides (Task.containers[].exitCode; null when it never ran).
  if (result.exitCode !== 0) return { ok: false, taskDefinition: label, result, error: migrationFailure(id, result, c?.reason) };
  step.update(`task ${id} exited 0 (${logLines} log lines)`);
  return { ok: true, taskDefinition: label, result };
}

function migrationFailure(id: string, r: MigrationResult, containerReason: string | undefined): CliError {
  const why =
    r.exitCode === null
      ? `never ran: ${r.stopCode ?? ''} ${r.stoppedReason ?? ''}${containerReason ? ` — ${containerReason}` : ''}`.trim()
      : `exited ${r.exitCode}${containerReason ? ` (${containerReason})` : ''}`;
  const pull = /CannotPullContainer|pull image/i.test(`${r.stoppedReason ?? ''} ${containerReason ?? ''}`);
  return new CliError(
    `migration failed: task ${id} ${why}`,
    ExitCode.Migration,
    pull
      ? 'the task could not pull the image: check the execution role ECR permissions and the NAT/VPC endpoints; no service was changed'
      : 'no service was changed; read the log lines above, fix the migration, deploy again',
  );
}
