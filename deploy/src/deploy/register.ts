import type { TaskDefinition } from '@aws-sdk/client-ecs';
import { revisionLabel } from '../aws/ecs.js';
import { registerTaskDefinition, withImage } from '../aws/task-definition.js';
import type { Context } from '../context.js';
import type { ServiceName } from '../targets/schema.js';
import { provenanceTags } from './provenance.js';
import type { ImageResult, PreflightResult, ServicePlan } from './types.js';

/**
 * One new revision per changing service: Terraform's revision with the image pinned by digest and the
 * provenance tags (commit, digest, image tag, actor, time). Writer first, as the rollout.
 */
export async function registerRevisions(
  ctx: Context,
  pre: PreflightResult,
  plans: ServicePlan[],
  images: ImageResult[],
): Promise<Map<ServiceName, TaskDefinition>> {
  const registered = new Map<ServiceName, TaskDefinition>();
  for (const p of plans) {
    const image = images.find((i) => i.service === p.key)!;
    const tags = provenanceTags({ commit: pre.commit, digest: image.digest!, imageTag: pre.imageTag, actor: pre.actor, time: pre.time });
    const td = await ctx.progress.step(`Register ${p.target.task_family} revision`, async (step) => {
      const td = await registerTaskDefinition(ctx.aws.ecs, withImage(p.base, p.target.container_name, image.pinned!, tags));
      step.update(`${revisionLabel(td.taskDefinitionArn)} from Terraform's ${revisionLabel(p.base.taskDefinition.taskDefinitionArn)}`);
      return td;
    });
    registered.set(p.key, td);
  }
  return registered;
}

/** The writer rolls out first: it owns the schema the reader reads. */
export function writerFirst<T extends { key: ServiceName }>(plans: T[]): T[] {
  return [...plans].sort((a, b) => (a.key === 'writer' ? -1 : b.key === 'writer' ? 1 : 0));
}
