import { ecrDigest } from '../aws/ecr.js';
import { describeService, revisionLabel } from '../aws/ecs.js';
import { describeTaskDefinition, describeTerraformRevision, settingsView, viewChanges } from '../aws/task-definition.js';
import type { Context } from '../context.js';
import { ExitCode } from '../exit-codes.js';
import type { ServiceName } from '../targets/schema.js';

export interface DiffInput {
  service: ServiceName;
  exitCode: boolean;
}

/**
 * What has not shipped yet: the revision `deploy` would register (Terraform's latest, `task_definition_arn`, with
 * HEAD's image) against the live one, field by field: image, environment, secrets, cpu/memory, roles, and any
 * other setting Terraform changed. `--exit-code` exits 1 when they differ (like `git diff --exit-code`).
 */
export async function diffAction(input: DiffInput, ctx: Context): Promise<ExitCode> {
  const { aws, targets, deps } = ctx;
  const t = targets.services[input.service];
  const svc = await describeService(aws.ecs, targets.ecs_cluster_name, t.service_name);
  const { taskDefinition: live } = await describeTaskDefinition(aws.ecs, svc.taskDefinition!);
  const base = await describeTerraformRevision(
    aws.ecs,
    t.task_definition_arn,
    `services.${input.service}.task_definition_arn`,
    t.container_name,
  );

  // The image `deploy` would pin: by digest once the commit is in ECR.
  const commit = await deps.git.head();
  const dirty = await deps.git.isDirty();
  const digest = await ecrDigest(aws.ecr, t.ecr_repository_url, commit);
  const image = digest
    ? `${t.ecr_repository_url}@${digest}`
    : `${t.ecr_repository_url}:${commit} (not in ECR yet: digest known after build and push)`;

  const next = { ...settingsView(base.taskDefinition, t.container_name), image };
  const changes = viewChanges(settingsView(live, t.container_name), next).map((c) => ({ key: c.key, live: c.from, next: c.to }));

  if (ctx.common.json) {
    ctx.json({
      command: 'diff',
      service: input.service,
      live: live.taskDefinitionArn,
      base: base.taskDefinition.taskDefinitionArn,
      commit,
      dirty,
      differs: changes.length > 0,
      changes,
    });
  } else {
    const lines = [
      `--- live  ${revisionLabel(live.taskDefinitionArn)} (${t.service_name})`,
      `+++ next  what \`deploy\` would register for commit ${commit.slice(0, 12)}${dirty ? ' (working tree dirty)' : ''}: Terraform's ${revisionLabel(base.taskDefinition.taskDefinitionArn)} with that image`,
    ];
    if (!changes.length) lines.push('  (no difference: deploy would be a no-change)');
    for (const c of changes) {
      if (c.live !== undefined) lines.push(`- ${c.key} = ${c.live}`);
      if (c.next !== undefined) lines.push(`+ ${c.key} = ${c.next}`);
    }
    ctx.print(lines.join('\n'));
  }
  return input.exitCode && changes.length ? ExitCode.Error : ExitCode.Ok;
}
