import { Option } from 'commander';
import { z } from 'zod';
import { statusAction } from '../actions/status.js';
import { commonSchema } from '../context.js';
import { defineCommand } from './define.js';

export const statusOptionsSchema = commonSchema.extend({
  service: z.enum(['reader', 'writer', 'all']).default('all'),
  events: z.coerce.number().int().min(0).max(100).default(5),
});

export const statusCommand = defineCommand({
  name: 'status',
  description:
    'what runs, is it healthy: revision, commit, digest, counts, deployments, target health, alarms, events; exit 9 when unhealthy',
  options: (cmd) =>
    cmd
      .addOption(new Option('-s, --service <name>').choices(['reader', 'writer', 'all']).default('all'))
      .option('--events <n>', 'service events to show per service', '5'),
  schema: statusOptionsSchema,
  action: (o, ctx) => statusAction({ services: o.service === 'all' ? ['reader', 'writer'] : [o.service], events: o.events }, ctx),
});
