import { ListTaskDefinitionsCommand, type ECSClient } from '@aws-sdk/client-ecs';
import { readProvenance, type Provenance } from './provenance.js';
import type { ServiceTarget } from '../targets/schema.js';
import { describeService } from '../aws/ecs.js';
import { describeTaskDefinition } from '../aws/task-definition.js';

export interface Revision extends Provenance {
  taskDefinition: string;
  revision: number;
  image: string | null;
  running: boolean;
}

/** Revisions of a service's family, newest first, with the provenance tags the deploy wrote. */
export async function listRevisions(
  ecs: ECSClient,
  cluster: string,
  t: ServiceTarget,
  limit: number,
): Promise<{ revisions: Revision[]; live: string }> {
  const svc = await describeService(ecs, cluster, t.service_name);
  const arns: string[] = [];
  let token: string | undefined;
  do {
    const res = await ecs.send(new ListTaskDefinitionsCommand({ familyPrefix: t.task_family, sort: 'DESC', nextToken: token }));
    // familyPrefix matches prefixes (library-dev-writer would match library-dev-writer-x): keep the exact family only
    arns.push(...(res.taskDefinitionArns ?? []).filter((a) => a.split('/').pop()!.replace(/:\d+$/, '') === t.task_family));
    token = res.nextToken;
  } while (token && arns.length < limit);
  const revisions: Revision[] = [];
  for (const arn of arns.slice(0, limit)) {
    const { taskDefinition: td, tags } = await describeTaskDefinition(ecs, arn);
    revisions.push({
      taskDefinition: arn,
      revision: td.revision ?? Number(arn.split(':').pop()),
      image: td.containerDefinitions?.find((c) => c.name === t.container_name)?.image ?? null,
      running: arn === svc.taskDefinition,
      ...readProvenance(td, t.container_name, tags),
    });
  }
  return { revisions, live: svc.taskDefinition! };
}
