import { z } from 'zod';

/** The Terraform → deploy contract (shared/DESIGN.md). Names come from here and nowhere else. */
const nonEmpty = z.string().min(1);

export const serviceTargetSchema = z.object({
  service_name: nonEmpty,
  task_family: nonEmpty,
  container_name: nonEmpty,
  ecr_repository_url: nonEmpty.regex(/^[^/]+\/.+$/, 'expected <registry>/<repository>'),
  log_group_name: nonEmpty,
});

export const targetsSchema = z.object({
  aws_region: nonEmpty,
  ecs_cluster_name: nonEmpty,
  services: z.object({ reader: serviceTargetSchema, writer: serviceTargetSchema }),
  migration: z.object({
    task_family: nonEmpty,
    container_name: nonEmpty,
    subnet_ids: z.array(nonEmpty).min(1),
    security_group_ids: z.array(nonEmpty).min(1),
    assign_public_ip: z.boolean(),
  }),
  database: z.object({
    instance_identifier: nonEmpty,
    endpoint: nonEmpty,
    read_endpoint: z.string().nullable(),
    secret_arn: nonEmpty,
  }),
  environment: nonEmpty,
  app_url: z.url(),
});

export type Targets = z.infer<typeof targetsSchema>;
export type ServiceTarget = z.infer<typeof serviceTargetSchema>;
export const SERVICE_NAMES = ['reader', 'writer'] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

export function isProduction(t: Pick<Targets, 'environment'>): boolean {
  return /^prod(uction)?$/i.test(t.environment);
}

/** ECR repository URL `123.dkr.ecr.eu-west-1.amazonaws.com/library/reader` → registry id and repository name. */
export function parseRepositoryUrl(url: string): { registry: string; registryId: string; repositoryName: string } {
  const slash = url.indexOf('/');
  const registry = url.slice(0, slash);
  return { registry, registryId: registry.split('.')[0] ?? '', repositoryName: url.slice(slash + 1) };
}
