import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { describeService } from '../aws/ecs.js';
import { containerImage, describeTaskDefinition } from '../aws/task-definition.js';
import type { Context } from '../context.js';
import { provenanceTags, readProvenance, TAG } from '../deploy/provenance.js';
import { CliError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import { seconds } from '../output/table.js';
import { migrate } from '../rollout/migration.js';

/** Only the migration gate: one task of the migrate family with the writer image that is deployed now. */
export async function migrateAction(input: { timeoutMs: number }, ctx: Context): Promise<ExitCode> {
  const { aws, targets } = ctx;
  const writer = targets.services.writer;
  const svc = await describeService(aws.ecs, targets.ecs_cluster_name, writer.service_name);
  const { taskDefinition: live, tags: liveTags } = await describeTaskDefinition(aws.ecs, svc.taskDefinition!);
  const image = containerImage(live, writer.container_name);
  if (!image?.includes('@sha256:')) {
    throw new CliError(
      `the writer runs ${image ?? 'no image'}, not an image pinned by digest: nothing was deployed by the CLI yet`,
      ExitCode.Preflight,
      'run `deploy` (its migration gate runs the migration), then `deploy migrate` when you need it again',
    );
  }
  const from = readProvenance(live, writer.container_name, liveTags);
  const actor = (await aws.sts.send(new GetCallerIdentityCommand({}))).Arn ?? 'unknown';
  const tags = provenanceTags({
    commit: from.commit ?? 'unknown',
    digest: image.slice(image.indexOf('@') + 1),
    imageTag: liveTags.find((t) => t.key === TAG.imageTag)?.value ?? from.commit ?? 'unknown',
    actor,
    time: ctx.deps.now(),
  });
  const outcome = await migrate(ctx, image, tags, input.timeoutMs, 'deploy-cli/migrate-only');
  const result = outcome.result;
  const error = outcome.ok ? undefined : outcome.error;
  if (ctx.common.json) {
    ctx.json({
      command: 'migrate',
      ok: !error,
      exitCode: error?.exitCode ?? ExitCode.Ok,
      image,
      migration: result,
      error: error ? { message: error.message, hint: error.hint ?? null } : null,
    });
  } else if (result) {
    ctx.print(
      `migration ${result.taskDefinition}: task ${result.taskArn.split('/').pop()} exit ${result.exitCode ?? '—'} in ${seconds(result.durationMs)}`,
    );
  }
  if (!error) return ExitCode.Ok;
  ctx.printError(error);
  return error.exitCode;
}
