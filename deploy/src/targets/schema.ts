import { DeploymentLifecycleHookStage, DeploymentStrategy } from '@aws-sdk/client-ecs';
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

/** ECS's DeploymentStrategy values (ECS API Reference, DeploymentConfiguration: strategy), as the SDK lists them. */
const DEPLOYMENT_STRATEGIES = Object.values(DeploymentStrategy) as [DeploymentStrategy, ...DeploymentStrategy[]];
/** Stages a lifecycle hook may attach to (ECS API Reference, DeploymentLifecycleHook: lifecycleStages). */
const HOOK_STAGES = Object.values(DeploymentLifecycleHookStage) as [DeploymentLifecycleHookStage, ...DeploymentLifecycleHookStage[]];

const arn = (pattern: RegExp, form: string) => nonEmpty.regex(pattern, `expected ${form}`);
const targetGroupArn = arn(
  /^arn:aws[\w-]*:elasticloadbalancing:[\w-]+:\d{12}:targetgroup\/[\w-]+\/[0-9a-f]+$/,
  'a target group ARN (…:targetgroup/<name>/<id>)',
);
const listenerRuleArn = arn(
  /^arn:aws[\w-]*:elasticloadbalancing:[\w-]+:\d{12}:listener-rule\/app\/[\w-]+\/[0-9a-f]+\/[0-9a-f]+\/[0-9a-f]+$/,
  'an ALB listener rule ARN (…:listener-rule/app/<lb>/<id>/<id>/<id>)',
);
const roleArn = arn(/^arn:aws[\w-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/, 'an IAM role ARN (arn:aws:iam::<account>:role/<name>)');
const functionArn = arn(/^arn:aws[\w-]*:lambda:[\w-]+:\d{12}:function:[\w-]+$/, 'a Lambda function ARN (…:function:<name>)');
/** ECS's bake times: 0 to 1440 minutes (ECS API Reference, CanaryConfiguration and LinearConfiguration). */
const minutes = z.number().int().min(0).max(1440);
/** Traffic percentages are multiples of 0.1 (ECS API Reference, CanaryConfiguration: canaryPercent). */
const percent = (min: number) =>
  z
    .number()
    .min(min)
    .max(100)
    .refine((v) => Math.abs(v * 10 - Math.round(v * 10)) < 1e-9, 'expected a multiple of 0.1');

/**
 * How ECS deploys a service (docs/deploy-contract.md#delivery): Terraform owns every resource named here, the CLI
 * sets the strategy with UpdateService. ROLLING needs nothing else; the others need the load balancer's pair.
 */
export const deliverySchema = z
  .object({
    strategy: z.enum(DEPLOYMENT_STRATEGIES),
    bake_time_minutes: minutes,
    canary: z.object({ percent: percent(0.1), bake_time_minutes: minutes }).nullable(),
    // LinearConfiguration: stepPercent from 3.0 to 100.0 (ECS API Reference).
    linear: z.object({ step_percent: percent(3), step_bake_time_minutes: minutes }).nullable(),
    load_balancer: z
      .object({
        target_group_arn: targetGroupArn,
        alternate_target_group_arn: targetGroupArn,
        production_listener_rule_arn: listenerRuleArn,
        test_listener_rule_arn: listenerRuleArn,
        role_arn: roleArn,
      })
      .nullable(),
    hook: z.object({ function_arn: functionArn, role_arn: roleArn, lifecycle_stages: z.array(z.enum(HOOK_STAGES)).min(1) }).nullable(),
    rollback_alarm_names: z.array(nonEmpty),
    test_traffic_header: z.object({ name: nonEmpty, value: nonEmpty }).nullable(),
  })
  .superRefine((d, ctx) => {
    const rule = (ok: boolean, path: string, message: string) => ok || ctx.addIssue({ code: 'custom', path: [path], message });
    rule((d.canary !== null) === (d.strategy === 'CANARY'), 'canary', 'set for strategy CANARY, and only for it');
    rule((d.linear !== null) === (d.strategy === 'LINEAR'), 'linear', 'set for strategy LINEAR, and only for it');
    rule(
      (d.load_balancer !== null) === (d.strategy !== 'ROLLING'),
      'load_balancer',
      'set for CANARY, LINEAR and BLUE_GREEN, null for ROLLING',
    );
    rule(d.hook === null || d.strategy !== 'ROLLING', 'hook', 'a lifecycle hook needs CANARY, LINEAR or BLUE_GREEN');
    const lb = d.load_balancer;
    rule(!lb || lb.target_group_arn !== lb.alternate_target_group_arn, 'load_balancer', 'the two target groups must differ');
  });
export type Delivery = z.infer<typeof deliverySchema>;

/** A stack older than the `delivery` output deploys as it always did. */
export const ROLLING: Delivery = {
  strategy: 'ROLLING',
  bake_time_minutes: 0,
  canary: null,
  linear: null,
  load_balancer: null,
  hook: null,
  rollback_alarm_names: [],
  test_traffic_header: null,
};

/** ECS's blue/green family (BLUE_GREEN, CANARY, LINEAR): ECS runs the deployment as service deployments with traffic shifts. */
export function isProgressive(d: Delivery): boolean {
  return d.strategy !== 'ROLLING';
}

export const serviceTargetSchema = z
  .object({
    service_name: nonEmpty,
    task_family: nonEmpty,
    container_name: nonEmpty,
    ecr_repository_url: nonEmpty.regex(/^[^/]+\/.+$/, 'expected <registry>/<repository>'),
    log_group_name: nonEmpty,
    /** The revision Terraform registered last: the base of every deploy (docs/deploy-contract.md). */
    task_definition_arn: taskDefinitionArn,
    /** How ECS deploys it; absent from outputs older than this contract: ROLLING. */
    delivery: deliverySchema.default(ROLLING),
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
