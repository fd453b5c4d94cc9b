import { Option } from 'commander';
import { z } from 'zod';
import { deployAction } from '../actions/deploy.js';
import { commonSchema, durationSchema } from '../context.js';
import { defineCommand } from './define.js';

export const deployOptionsSchema = commonSchema.extend({
  service: z.enum(['reader', 'writer', 'all']).default('all'),
  dryRun: z.boolean().default(false),
  atomic: z.boolean().default(false),
  maxFailedTasks: z.coerce.number().int().min(1).optional(),
  timeout: durationSchema.default(15 * 60_000),
  migrationTimeout: durationSchema.default(10 * 60_000),
  force: z.boolean().default(false),
  allowDirty: z.boolean().default(false),
  platform: z
    .string()
    .regex(/^[a-z0-9]+\/[a-z0-9]+(\/[a-z0-9]+)?(,[a-z0-9]+\/[a-z0-9]+(\/[a-z0-9]+)?)*$/, 'expected os/arch, e.g. linux/amd64')
    .optional(),
  smoke: z.boolean().default(true),
  dockerfile: z.string().optional(),
});

export const deployCommand = defineCommand({
  name: 'deploy',
  description: 'build, push, migrate and roll out both services; follow our deployment; roll back on failure (default command)',
  options: (cmd) =>
    cmd
      .addOption(new Option('-s, --service <name>', 'deploy one service only').choices(['reader', 'writer', 'all']).default('all'))
      .option('--dry-run', 'print the exact plan (images, tags, digests, revisions, migration, services); change nothing')
      .option('--atomic', 'if one service fails, roll both back')
      .option('--max-failed-tasks <n>', 'roll back once N tasks of the new revision failed, without waiting for the circuit breaker')
      .option(
        '--timeout <duration>',
        'give up on a rollout after this long, then roll back (e.g. 10m); the bake times in the delivery output come on top',
        '15m',
      )
      .option('--migration-timeout <duration>', 'how long the migration task may run', '10m')
      .option('--force', 'deploy even when the digest already runs, or on top of a deployment in progress')
      .option('--allow-dirty', 'deploy a dirty working tree (the tag gets a -dirty-<time> suffix)')
      .option(
        '--platform <os/arch>',
        'docker buildx --platform (default: from the live task definition’s runtimePlatform, else linux/amd64)',
      )
      .option('--no-smoke', 'skip the smoke check through the ALB after the rollout')
      .option('--dockerfile <path>', 'Dockerfile (default: ./Dockerfile)'),
  schema: deployOptionsSchema,
  action: (o, ctx) => deployAction(deployInput(o), ctx),
});

/** The deploy's input from options not yet checked (init's first deploy: the deploy command's defaults). */
export function toDeployInput(opts: Record<string, unknown>) {
  return deployInput(deployOptionsSchema.parse(opts));
}

function deployInput(o: z.infer<typeof deployOptionsSchema>) {
  return {
    services: o.service === 'all' ? (['reader', 'writer'] as const).slice() : [o.service],
    dryRun: o.dryRun,
    atomic: o.atomic,
    maxFailedTasks: o.maxFailedTasks,
    timeoutMs: o.timeout,
    migrationTimeoutMs: o.migrationTimeout,
    force: o.force,
    allowDirty: o.allowDirty,
    platform: o.platform,
    smoke: o.smoke,
    dockerfile: o.dockerfile,
  };
}
