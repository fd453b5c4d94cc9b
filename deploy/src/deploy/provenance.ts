import type { Tag, TaskDefinition } from '@aws-sdk/client-ecs';

/** Tag keys written on every task definition the CLI registers; `history`, `status` and `rollback --to` read them. */
export const TAG = {
  commit: 'deploy:commit',
  digest: 'deploy:digest',
  imageTag: 'deploy:image-tag',
  actor: 'deploy:actor',
  time: 'deploy:time',
} as const;

/** Where a revision's image came from (absent on a revision Terraform registered). */
export interface Provenance {
  commit: string | null;
  digest: string | null;
  actor: string | null;
  time: string | null;
}

export interface ProvenanceInput {
  commit: string;
  digest: string;
  imageTag: string;
  actor: string;
  time: Date;
}

/** The tags for a new revision. ECS tag values are at most 256 characters (ECS API reference, Tag). */
export function provenanceTags(p: ProvenanceInput): Tag[] {
  return [
    { key: TAG.commit, value: p.commit },
    { key: TAG.digest, value: p.digest },
    { key: TAG.imageTag, value: p.imageTag },
    { key: TAG.actor, value: p.actor.slice(0, 256) },
    { key: TAG.time, value: p.time.toISOString() },
  ];
}

export function readProvenance(td: TaskDefinition, containerName: string, tags: Tag[]): Provenance {
  const tag = (k: string) => tags.find((t) => t.key === k)?.value ?? null;
  const image = td.containerDefinitions?.find((c) => c.name === containerName)?.image ?? '';
  return {
    commit: tag(TAG.commit),
    digest: tag(TAG.digest) ?? (image.includes('@') ? image.slice(image.indexOf('@') + 1) : null),
    actor: tag(TAG.actor),
    time: tag(TAG.time) ?? td.registeredAt?.toISOString() ?? null,
  };
}

/** A revision the CLI deployed (it carries a commit), as opposed to one Terraform registered with a placeholder image. */
export function deployedByCli(tags: Tag[]): boolean {
  return tags.some((t) => t.key === TAG.commit);
}
