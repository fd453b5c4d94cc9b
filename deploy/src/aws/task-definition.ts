import {
  DescribeTaskDefinitionCommand,
  RegisterTaskDefinitionCommand,
  type ContainerDefinition,
  type ECSClient,
  type RegisterTaskDefinitionCommandInput,
  type Tag,
  type TaskDefinition,
} from '@aws-sdk/client-ecs';
import { CliError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';

/** A task definition as DescribeTaskDefinition returns it, with its tags (`include: ['TAGS']`). */
export interface DescribedTaskDefinition {
  taskDefinition: TaskDefinition;
  tags: Tag[];
}

/** `ref` is a family (its latest ACTIVE revision), `family:revision` or a full ARN (ECS API reference, DescribeTaskDefinition). */
export async function describeTaskDefinition(ecs: ECSClient, ref: string): Promise<DescribedTaskDefinition> {
  const res = await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: ref, include: ['TAGS'] }));
  if (!res.taskDefinition)
    throw new CliError(`task definition ${ref} not found`, ExitCode.Preflight, 'check --env and the Terraform outputs');
  return { taskDefinition: res.taskDefinition, tags: res.tags ?? [] };
}

/**
 * The revision a Terraform output names (`services.<svc>.task_definition_arn`, `migration.task_definition_arn`):
 * exactly that ARN, never the family's latest, which is usually a revision the CLI registered.
 */
export async function describeTerraformRevision(ecs: ECSClient, arn: string, output: string, containerName: string) {
  let found: DescribedTaskDefinition;
  try {
    found = await describeTaskDefinition(ecs, arn);
  } catch (err) {
    // ECS answers ClientException "Unable to describe task definition." for a revision that does not exist.
    if ((err as { name?: string }).name !== 'ClientException') throw err;
    throw new CliError(
      `Terraform's revision ${arn} (output ${output}) does not exist: ${(err as Error).message}`,
      ExitCode.Preflight,
      'run `terraform apply` for this env so the output names a registered revision, then re-run',
      { cause: err },
    );
  }
  requireContainer(found.taskDefinition, containerName, output);
  return found;
}

export function requireContainer(td: TaskDefinition, containerName: string, output = 'container_name'): ContainerDefinition {
  const c = td.containerDefinitions?.find((x) => x.name === containerName);
  if (!c) {
    throw new CliError(
      `container "${containerName}" is not in task definition ${td.taskDefinitionArn}`,
      ExitCode.Preflight,
      `make the Terraform outputs agree: ${output} and the container_name next to it must describe the same task definition`,
    );
  }
  return c;
}

/**
 * What RegisterTaskDefinition accepts (its request syntax in the ECS API reference). Everything else
 * DescribeTaskDefinition returns is read-only and is never sent back: taskDefinitionArn, revision, status,
 * requiresAttributes, compatibilities, registeredAt/By, deregisteredAt, deleteRequestedAt (the list
 * aws-actions/amazon-ecs-deploy-task-definition's index.js drops, IGNORED_TASK_DEFINITION_ATTRIBUTES).
 */
const REGISTER_FIELDS = [
  'family',
  'taskRoleArn',
  'executionRoleArn',
  'networkMode',
  'containerDefinitions',
  'volumes',
  'placementConstraints',
  'requiresCompatibilities',
  'cpu',
  'memory',
  'pidMode',
  'ipcMode',
  'proxyConfiguration',
  'inferenceAccelerators',
  'ephemeralStorage',
  'runtimePlatform',
  'enableFaultInjection',
] as const satisfies readonly (keyof RegisterTaskDefinitionCommandInput & keyof TaskDefinition)[];

/** Only the settings: the register-able fields of a described revision (no tags, nothing read-only). */
function settingsOf(td: TaskDefinition): Omit<RegisterTaskDefinitionCommandInput, 'tags'> {
  const input: Record<string, unknown> = {};
  for (const k of REGISTER_FIELDS) if (td[k] !== undefined) input[k] = td[k];
  return input as unknown as Omit<RegisterTaskDefinitionCommandInput, 'tags'>;
}

/**
 * A new revision from `base` with only what the CLI owns replaced: the image of one container, and the tags.
 * The tags are the base's own (Terraform's: the provider's default tags, kept for cost allocation) without any
 * `deploy:` ones, plus `tags`; keys starting with `aws:` are reserved for AWS and refused by the API, so they are
 * not copied. Each key is authorized as ecs:TagResource on creation (ECS Developer Guide, "Grant permission to tag
 * resources on creation"): the deployer policy allows exactly `deploy:*` and the env root's default tag keys.
 */
export function withImage(
  base: DescribedTaskDefinition,
  containerName: string,
  image: string,
  tags: Tag[],
): RegisterTaskDefinitionCommandInput {
  requireContainer(base.taskDefinition, containerName);
  const input = settingsOf(base.taskDefinition);
  input.containerDefinitions = (base.taskDefinition.containerDefinitions ?? []).map((c): ContainerDefinition =>
    c.name === containerName ? { ...c, image } : c,
  );
  const kept = base.tags.filter((t) => !/^(aws|deploy):/i.test(t.key ?? ''));
  return { ...input, tags: [...kept, ...tags] };
}

export async function registerTaskDefinition(ecs: ECSClient, input: RegisterTaskDefinitionCommandInput): Promise<TaskDefinition> {
  const res = await ecs.send(new RegisterTaskDefinitionCommand(input));
  return res.taskDefinition!;
}

export function containerImage(td: TaskDefinition, containerName: string): string | undefined {
  return td.containerDefinitions?.find((c) => c.name === containerName)?.image;
}

export function streamPrefix(td: TaskDefinition, containerName: string): string | undefined {
  return td.containerDefinitions?.find((c) => c.name === containerName)?.logConfiguration?.options?.['awslogs-stream-prefix'];
}

/** The platform a revision runs on: building another one gives "exec format error" at start. */
export function platformOf(td: TaskDefinition): string {
  return td.runtimePlatform?.cpuArchitecture === 'ARM64' ? 'linux/arm64' : 'linux/amd64';
}

// ── comparing revisions ───────────────────────────────────────────────────────────────────────────

export interface SettingChange {
  /** `image`, `environment.DB_SSL`, `secrets.DB_PASSWORD`, `cpu`, `taskRoleArn`, `container.healthCheck.interval`, … */
  key: string;
  /** Absent when the setting is new. */
  from?: string;
  /** Absent when the setting was removed. */
  to?: string;
}

const isEmpty = (v: unknown): boolean =>
  v === undefined ||
  v === null ||
  v === '' ||
  (Array.isArray(v) && v.length === 0) ||
  (typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length === 0);

function flatten(value: unknown, path: string, out: Record<string, string>): void {
  if (isEmpty(value)) return;
  if (Array.isArray(value)) {
    const named = value.every((x) => x && typeof x === 'object' && typeof (x as { name?: unknown }).name === 'string');
    if (!named) {
      out[path] = JSON.stringify(value);
      return;
    }
    for (const x of value as { name: string }[]) flatten({ ...x, name: undefined }, `${path}.${x.name}`, out);
    return;
  }
  if (typeof value === 'object') {
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) flatten(v, path ? `${path}.${k}` : k, out);
    return;
  }
  out[path] = String(value);
}

/**
 * Every setting of a revision as `key → value`, keyed for people: the named container's image, environment
 * and secrets by variable name, its other fields under `container.`, other containers under
 * `containers.<name>.`, task-level fields by name. Empty values count as absent, as in the ECS console.
 */
export function settingsView(td: TaskDefinition, containerName: string): Record<string, string> {
  const out: Record<string, string> = {};
  const { containerDefinitions = [], family: _family, ...task } = settingsOf(td);
  flatten(task, '', out);
  for (const c of containerDefinitions) {
    const { name, image, environment, secrets, ...rest } = c;
    const prefix = name === containerName ? '' : `containers.${name}.`;
    if (image) out[`${prefix}image`] = image;
    for (const e of environment ?? []) out[`${prefix}environment.${e.name}`] = e.value ?? '';
    for (const x of secrets ?? []) out[`${prefix}secrets.${x.name}`] = x.valueFrom ?? '';
    flatten(rest, name === containerName ? 'container' : `containers.${name}`, out);
  }
  return out;
}

/** Field-by-field differences between two views, `image` first, then by key. */
export function viewChanges(from: Record<string, string>, to: Record<string, string>): SettingChange[] {
  const keys = [...new Set([...Object.keys(from), ...Object.keys(to)])].sort((x, y) =>
    x === 'image' ? -1 : y === 'image' ? 1 : x.localeCompare(y),
  );
  return keys.filter((k) => from[k] !== to[k]).map((k) => ({ key: k, from: from[k], to: to[k] }));
}

/** What differs between two revisions in anything but the named container's image (and the tags). */
export function settingChanges(from: TaskDefinition, to: TaskDefinition, containerName: string): SettingChange[] {
  return viewChanges(settingsView(from, containerName), settingsView(to, containerName)).filter((c) => c.key !== 'image');
}
