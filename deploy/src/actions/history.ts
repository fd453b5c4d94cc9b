import { ListTaskDefinitionsCommand } from '@aws-sdk/client-ecs';
import { describeService, describeTaskDefinition, revisionLabel } from '../aws/ecs.js';
import type { Context } from '../context.js';
import { ExitCode } from '../exit-codes.js';
import { table } from '../output/table.js';
import type { ServiceName } from '../targets/schema.js';
import { provenance, shortActor, shortDigest, type Provenance } from './common.js';

export interface Revision extends Provenance {
  taskDefinition: string;
  revision: number;
  image: string | null;
  running: boolean;
}

/** Revisions of a service's family, newest first, with the provenance tags the deploy wrote. */
export async function listRevisions(ctx: Context, key: ServiceName, limit: number): Promise<{ revisions: Revision[]; live: string }> {
  const t = ctx.targets.services[key];
  const svc = await describeService(ctx.aws.ecs, ctx.targets.ecs_cluster_name, t.service_name);
  const arns: string[] = [];
  let token: string | undefined;
  do {
    const res = await ctx.aws.ecs.send(new ListTaskDefinitionsCommand({ familyPrefix: t.task_family, sort: 'DESC', nextToken: token }));
    // familyPrefix matches prefixes: keep the exact family only
    arns.push(...(res.taskDefinitionArns ?? []).filter((a) => a.split('/').pop()!.replace(/:\d+$/, '') === t.task_family));
    token = res.nextToken;
  } while (token && arns.length < limit);
  const revisions: Revision[] = [];
  for (const arn of arns.slice(0, limit)) {
    const { taskDefinition: td, tags } = await describeTaskDefinition(ctx.aws.ecs, arn);
    revisions.push({
      taskDefinition: arn,
      revision: td.revision ?? Number(arn.split(':').pop()),
      image: td.containerDefinitions?.find((c) => c.name === t.container_name)?.image ?? null,
      running: arn === svc.taskDefinition,
      ...provenance(td, t.container_name, tags),
    });
  }
  return { revisions, live: svc.taskDefinition! };
}

export async function historyAction(input: { service: ServiceName; limit: number }, ctx: Context): Promise<ExitCode> {
  const { revisions } = await listRevisions(ctx, input.service, input.limit);
  if (ctx.common.json) {
    ctx.json({ command: 'history', service: input.service, revisions });
    return ExitCode.Ok;
  }
  ctx.print(
    table(
      ['', 'revision', 'commit', 'digest', 'actor', 'time'],
      revisions.map((r) => [
        r.running ? '▶' : ' ',
        revisionLabel(r.taskDefinition),
        r.commit?.slice(0, 12) ?? '— (not deployed by the CLI)',
        shortDigest(r.digest),
        shortActor(r.actor),
        r.time ?? '—',
      ]),
    ) + '▶ = running now\n',
  );
  return ExitCode.Ok;
}
