import { DescribeImagesCommand } from '@aws-sdk/client-ecr';
import type { ContainerDefinition, TaskDefinition } from '@aws-sdk/client-ecs';
import { describeService, describeTaskDefinition, revisionLabel, withImage } from '../aws/ecs.js';
import type { Context } from '../context.js';
import { ExitCode } from '../exit-codes.js';
import { parseRepositoryUrl, type ServiceName } from '../targets/schema.js';

export interface DiffInput {
  service: ServiceName;
  exitCode: boolean;
}

/** The parts of a container definition a deploy can change or a person cares about, normalised for comparison. */
function view(
  c: ContainerDefinition | undefined,
  td: Pick<TaskDefinition, 'cpu' | 'memory' | 'executionRoleArn' | 'taskRoleArn'>,
): Record<string, string> {
  const out: Record<string, string> = {};
  out.image = c?.image ?? '';
  for (const e of [...(c?.environment ?? [])].sort((a, b) => (a.name ?? '').localeCompare(b.name ?? '')))
    out[`environment.${e.name}`] = e.value ?? '';
  for (const s of [...(c?.secrets ?? [])].sort((a, b) => (a.name ?? '').localeCompare(b.name ?? '')))
    out[`secrets.${s.name}`] = s.valueFrom ?? '';
  out.cpu = td.cpu ?? '';
  out.memory = td.memory ?? '';
  out.executionRoleArn = td.executionRoleArn ?? '';
  out.taskRoleArn = td.taskRoleArn ?? '';
  if (c?.command) out.command = JSON.stringify(c.command);
  return out;
}

export function diffViews(a: Record<string, string>, b: Record<string, string>): { key: string; live?: string; next?: string }[] {
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort((x, y) =>
    x === 'image' ? -1 : y === 'image' ? 1 : x.localeCompare(y),
  );
  return keys.filter((k) => a[k] !== b[k]).map((k) => ({ key: k, live: a[k], next: b[k] }));
}

export async function diffAction(input: DiffInput, ctx: Context): Promise<ExitCode> {
  const { aws, targets, deps } = ctx;
  const t = targets.services[input.service];
  const svc = await describeService(aws.ecs, targets.ecs_cluster_name, t.service_name);
  const { taskDefinition: live } = await describeTaskDefinition(aws.ecs, svc.taskDefinition!);
  const { taskDefinition: latest } = await describeTaskDefinition(aws.ecs, t.task_family);

  // What `deploy` would register: the live revision with the image of HEAD (by digest once it is in ECR).
  const commit = await deps.git.head();
  const dirty = await deps.git.isDirty();
  const repo = parseRepositoryUrl(t.ecr_repository_url);
  let image = `${t.ecr_repository_url}:${commit} (not in ECR yet: digest known after build and push)`;
  try {
    const res = await aws.ecr.send(
      new DescribeImagesCommand({ repositoryName: repo.repositoryName, registryId: repo.registryId, imageIds: [{ imageTag: commit }] }),
    );
    const d = res.imageDetails?.[0]?.imageDigest;
    if (d) image = `${t.ecr_repository_url}@${d}`;
  } catch (err) {
    if ((err as { name?: string }).name !== 'ImageNotFoundException') throw err;
  }
  const next = withImage(live, t.container_name, image, []);
  const liveView = view(
    live.containerDefinitions?.find((c) => c.name === t.container_name),
    live,
  );
  const nextView = view(
    next.containerDefinitions?.find((c) => c.name === t.container_name),
    next as TaskDefinition,
  );
  const changes = diffViews(liveView, nextView);
  // Terraform may have registered a newer revision (new env or secret) that the service does not run: the CLI
  // copies the LIVE revision, so such a change ships only after Terraform updates the service. Show it.
  const drift =
    latest.taskDefinitionArn !== live.taskDefinitionArn
      ? diffViews(
          liveView,
          view(
            latest.containerDefinitions?.find((c) => c.name === t.container_name),
            latest,
          ),
        ).filter((c) => c.key !== 'image')
      : [];

  if (ctx.common.json) {
    ctx.json({
      command: 'diff',
      service: input.service,
      live: live.taskDefinitionArn,
      commit,
      dirty,
      differs: changes.length > 0,
      changes,
      latestRevision: latest.taskDefinitionArn,
      driftFromLatest: drift,
    });
  } else {
    const lines = [
      `--- live  ${revisionLabel(live.taskDefinitionArn)} (${t.service_name})`,
      `+++ next  what \`deploy\` would register for commit ${commit.slice(0, 12)}${dirty ? ' (working tree dirty)' : ''}`,
    ];
    if (!changes.length) lines.push('  (no difference: deploy would be a no-change)');
    for (const c of changes) {
      if (c.live !== undefined) lines.push(`- ${c.key} = ${c.live}`);
      if (c.next !== undefined) lines.push(`+ ${c.key} = ${c.next}`);
    }
    if (drift.length) {
      lines.push(
        '',
        `note: ${revisionLabel(latest.taskDefinitionArn)} (newest in the family, not running) differs from the live revision:`,
      );
      for (const c of drift) lines.push(`  ${c.key}: ${c.live ?? '(absent)'} → ${c.next ?? '(absent)'}`);
    }
    ctx.print(lines.join('\n'));
  }
  return input.exitCode && changes.length ? ExitCode.Error : ExitCode.Ok;
}
