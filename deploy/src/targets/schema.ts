import { z } from 'zod';

/** The Terraform → deploy contract (docs/deploy-contract.md#terraform-outputs). Names come from here and nowhere else. */
const nonEmpty = z.string().min(1);

/** A task-definition ARN with its revision: `arn:aws:ecs:<region>:<account>:task-definition/<family>:<revision>`. */
const taskDefinitionArn = nonEmpty.regex(
  /^arn:aws[\w-]*:ecs:[\w-]+:\d{12}:task-definition\/[\w-]{1,255}:\d+$/,
  'expected a task-definition ARN with its revision (…:task-definition/<family>:<revision>)',
);

/** The family named in a task-definition ARN. */
export function familyOf(arn: string): string {
  return arn.slice(arn.lastIndexOf('/') + 1, arn.lastIndexOf(':'));
}

/** Terraform's revision must belong to the family the output names: the CLI registers into that family. */
const inFamily = (o: { task_family: string; task_definition_arn: string }) => familyOf(o.task_definition_arn) === o.task_family;
const inFamilyError = { message: 'names a revision of another family than task_family', path: ['task_definition_arn'] };

export const serviceTargetSchema = z
  .object({
    service_name: nonEmpty,
    task_family: nonEmpty,
    container_name: nonEmpty,
    ecr_repository_url: nonEmpty.regex(/^[^/]+\/.+$/, 'expected <registry>/<repository>'),
    log_group_name: nonEmpty,
    /** The revision Terraform registered last: the base of every deploy (docs/deploy-contract.md). */
    task_definition_arn: taskDefinitionArn,
  })
  .refine(inFamily, inFamilyError);

export const targetsSchema = z.object({
  aws_region: nonEmpty,
  ecs_cluster_name: nonEmpty,
  services: z.object({ reader: serviceTargetSchema, writer: serviceTargetSchema }),
  /**
   * Our Terraform: its own family (`<name>-migrate`), the writer image with the master DB credentials, command
   * ["migrate"], and the revision it registered last. Older outputs name only the family, container and
   * network (docs/deploy-contract.md#terraform-outputs): without `task_definition_arn` the base is the family's latest ACTIVE revision, without
   * `log_group_name` the container's awslogs-group (rollout/migration.ts).
   */
  migration: z
    .object({
      task_family: nonEmpty,
      container_name: nonEmpty,
      task_definition_arn: taskDefinitionArn.optional(),
      log_group_name: nonEmpty.optional(),
      subnet_ids: z.array(nonEmpty).min(1),
      security_group_ids: z.array(nonEmpty).min(1),
      assign_public_ip: z.boolean(),
    })
    .refine((m) => m.task_definition_arn === undefined || inFamily({ ...m, task_definition_arn: m.task_definition_arn }), inFamilyError),
  database: z.object({
    instance_identifier: nonEmpty,
    endpoint: nonEmpty,
    read_endpoint: z.string().nullable(),
    secret_arn: nonEmpty,
  }),
  environment: nonEmpty,
  app_url: z.url(),
  /**
   * The tracing collector's image (issue 23): the pinned upstream image and this stack's repository it is mirrored
   * into under the same tag, before the first rollout (deploy/images.ts). Null with tracing off; absent from
   * outputs of a stack older than this contract.
   */
  otel_collector: z
    .object({
      source_image: nonEmpty,
      repository_url: nonEmpty.regex(/^[^/]+\/.+$/, 'expected <registry>/<repository>'),
      tag: nonEmpty,
    })
    .nullable()
    .optional(),
  /** Alarms a pause or the bootstrap period trips on purpose: pause disables their actions, resume and a healthy rollout enable them. */
  outage_alarm_names: z.array(nonEmpty).optional(),
});

export type Targets = z.infer<typeof targetsSchema>;
export type ServiceTarget = z.infer<typeof serviceTargetSchema>;
export type MigrationTarget = Targets['migration'];
export const SERVICE_NAMES = ['reader', 'writer'] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];
export const serviceArgSchema = z.enum(SERVICE_NAMES, { error: () => 'expected reader or writer' });

export function isProduction(t: Pick<Targets, 'environment'>): boolean {
  return /^prod(uction)?$/i.test(t.environment);
}

/** ECR repository URL `123.dkr.ecr.eu-west-1.amazonaws.com/library/reader` → registry id and repository name. */
export function parseRepositoryUrl(url: string): { registry: string; registryId: string; repositoryName: string } {
  const slash = url.indexOf('/');
  const registry = url.slice(0, slash);
  return { registry, registryId: registry.split('.')[0] ?? '', repositoryName: url.slice(slash + 1) };
}
