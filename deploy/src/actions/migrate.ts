import { describeService, describeTaskDefinition, revisionLabel } from '../aws/ecs.js';
import type { Context } from '../context.js';
import { CliError, toCliError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import { seconds } from '../output/table.js';
import { MIGRATE_COMMAND, runMigration, type MigrationResult } from '../rollout/migration.js';

/** Only the migration gate: one `migrate` task from the writer revision that runs now. */
export async function migrateAction(input: { timeoutMs: number }, ctx: Context): Promise<ExitCode> {
  const { aws, targets, deps } = ctx;
  const writer = targets.services.writer;
  const svc = await describeService(aws.ecs, targets.ecs_cluster_name, writer.service_name);
  const source = targets.migration.task_family === writer.task_family ? svc.taskDefinition! : targets.migration.task_family;
  const { taskDefinition } = await describeTaskDefinition(aws.ecs, source);
  let result: MigrationResult | undefined;
  let error: CliError | undefined;
  try {
    result = await ctx.progress.step(
      `Migrate: run ${JSON.stringify(MIGRATE_COMMAND)} from ${revisionLabel(taskDefinition.taskDefinitionArn)}`,
      (step) =>
        runMigration(
          {
            aws,
            targets,
            taskDefinition,
            logGroup: writer.log_group_name,
            timeoutMs: input.timeoutMs,
            timing: deps.timing,
            now: ctx.now,
            sleep: deps.sleep,
            startedBy: 'deploy-cli/migrate-only',
          },
          step,
        ),
    );
  } catch (err) {
    error = toCliError(err);
    result = (err as { migration?: MigrationResult }).migration;
  }
  if (ctx.common.json) {
    ctx.json({
      command: 'migrate',
      ok: !error,
      exitCode: error?.exitCode ?? 0,
      migration: result ? { ...result, command: MIGRATE_COMMAND } : null,
      error: error ? { message: error.message, hint: error.hint ?? null } : null,
    });
  } else if (result) {
    ctx.print(
      `migration ${result.taskDefinition}: task ${result.taskArn.split('/').pop()} exit ${result.exitCode ?? '—'} in ${seconds(result.durationMs)}`,
    );
  }
  if (error) throw Object.assign(error, { documentPrinted: ctx.common.json });
  return ExitCode.Ok;
}
