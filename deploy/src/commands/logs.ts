import { z } from 'zod';
import { logsAction } from '../actions/logs.js';
import { serviceArgSchema } from '../targets/schema.js';
import { commonSchema, durationSchema } from '../context.js';
import { defineCommand } from './define.js';

export const logsOptionsSchema = commonSchema.extend({
  service: serviceArgSchema,
  since: durationSchema.default(10 * 60_000),
  follow: z.boolean().default(false),
  followFor: durationSchema.optional(),
  task: z
    .string()
    .regex(/^[\w/:.-]+$/, 'expected a task id or ARN')
    .optional(),
  limit: z.coerce.number().int().min(1).max(10_000).default(500),
  pretty: z.boolean().optional(),
});

export const logsCommand = defineCommand({
  name: 'logs',
  description: 'recent logs of a service; --follow uses CloudWatch Logs Live Tail (falls back to polling)',
  argument: ['<service>', 'reader or writer'],
  options: (cmd) =>
    cmd
      .option('--since <duration>', 'how far back to start, e.g. 10m, 2h', '10m')
      .option('-f, --follow', 'keep streaming new lines')
      .option('--follow-for <duration>', 'stop following after this long (default: until Ctrl-C)')
      .option('--task <id>', 'only this task’s log stream')
      .option('--limit <n>', 'at most this many recent lines', '500')
      .option('--pretty', 'pretty-print JSON log lines (default on a TTY)')
      .option('--no-pretty', 'print lines raw (default when not a TTY)'),
  schema: logsOptionsSchema,
  action: (o, ctx) =>
    logsAction(
      {
        service: o.service,
        sinceMs: o.since,
        follow: o.follow,
        followForMs: o.followFor,
        task: o.task,
        limit: o.limit,
        pretty: o.pretty ?? (ctx.deps.interactive && !o.json),
      },
      ctx,
    ),
});
