import type { Service, TaskDefinition } from '@aws-sdk/client-ecs';
import type { DescribedTaskDefinition, SettingChange } from '../aws/task-definition.js';
import type { ServiceName, ServiceTarget } from '../targets/schema.js';

export interface DeployInput {
  services: ServiceName[];
  dryRun: boolean;
  atomic: boolean;
  maxFailedTasks?: number;
  timeoutMs: number;
  migrationTimeoutMs: number;
  force: boolean;
  allowDirty: boolean;
  /** docker buildx --platform; default: the CPU architecture of Terraform's revision. */
  platform?: string;
  smoke: boolean;
  dockerfile?: string;
}

/** One service as preflight found it: what runs, what Terraform wants, which image to ship. */
export interface ServicePlan {
  key: ServiceName;
  target: ServiceTarget;
  service: Service;
  /** The revision the service runs now. */
  live: TaskDefinition;
  liveImage?: string;
  /** The revision Terraform registered last (`task_definition_arn`): every new revision starts from it. */
  base: DescribedTaskDefinition;
  /** What Terraform changed since the live revision, image and tags aside; not empty = a change to roll out. */
  settingChanges: SettingChange[];
  /** `repo:tag` of the commit's image. */
  imageRef: string;
  /** docker buildx --platform for this image. */
  platform: string;
  /** awslogs stream prefix of the new revision (Terraform's). */
  streamPrefix?: string;
}

export interface PreflightResult {
  commit: string;
  imageTag: string;
  dirty: boolean;
  actor: string;
  /** When the deploy started: the `deploy:time` of every revision it registers. */
  time: Date;
  plans: ServicePlan[];
  /** Digests ECR already holds under the commit tag: those images are neither built nor pushed. */
  inEcr: Map<ServiceName, string>;
}

/** The image a service will run. */
export interface ImageResult {
  service: ServiceName;
  /** repo:tag */
  image: string;
  /** sha256:…, known when the tag was in ECR or after the push; null only in a dry run. */
  digest: string | null;
  /** repo@sha256:… */
  pinned: string | null;
  built: boolean;
}

/** Same image as running and nothing changed in Terraform's revision: nothing to roll out (W-5). */
export function isUnchanged(plan: ServicePlan, pinned: string | null): boolean {
  return pinned !== null && plan.liveImage === pinned && plan.settingChanges.length === 0;
}
