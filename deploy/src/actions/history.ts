import { revisionLabel } from '../aws/ecs.js';
import { listRevisions } from '../deploy/revisions.js';
import type { Context } from '../context.js';
import { ExitCode } from '../exit-codes.js';
import { shortActor, shortDigest } from '../output/format.js';
import { table } from '../output/table.js';
import type { ServiceName } from '../targets/schema.js';

export async function historyAction(input: { service: ServiceName; limit: number }, ctx: Context): Promise<ExitCode> {
  const { revisions } = await listRevisions(ctx.aws.ecs, ctx.targets.ecs_cluster_name, ctx.targets.services[input.service], input.limit);
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
