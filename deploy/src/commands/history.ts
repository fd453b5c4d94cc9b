import { z } from 'zod';
import { historyAction } from '../actions/history.js';
import { commonSchema } from '../context.js';
import { serviceArgSchema } from '../targets/schema.js';
import { defineCommand } from './define.js';

export const historyOptionsSchema = commonSchema.extend({
  service: serviceArgSchema,
  limit: z.coerce.number().int().min(1).max(100).default(10),
});

export const historyCommand = defineCommand({
  name: 'history',
  description: 'past revisions of a service with commit, digest, actor and time, newest first',
  argument: ['<service>', 'reader or writer'],
  options: (cmd) => cmd.option('--limit <n>', 'how many revisions', '10'),
  schema: historyOptionsSchema,
  action: (o, ctx) => historyAction({ service: o.service, limit: o.limit }, ctx),
});
