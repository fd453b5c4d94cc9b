import { z } from 'zod';
import { rollbackAction } from '../actions/rollback.js';
import { commonSchema, durationSchema } from '../context.js';
import { defineCommand } from './define.js';

export const rollbackOptionsSchema = commonSchema
  .extend({
    service: z.enum(['reader', 'writer']).optional(),
    all: z.boolean().default(false),
    to: z.string().min(1).optional(),
    timeout: durationSchema.default(15 * 60_000),
    maxFailedTasks: z.coerce.number().int().min(1).optional(),
    force: z.boolean().default(false),
  })
  .refine((o) => !!o.service !== o.all, { message: 'name one service, or pass --all', path: ['service'] })
  .refine((o) => !(o.all && o.to && !/^[0-9a-f]{7,40}$/i.test(o.to)), {
    message: '--all with --to needs a commit (revisions differ per service)',
    path: ['to'],
  });

export const rollbackCommand = defineCommand({
  name: 'rollback',
  description: 'go back to the previous revision (or --to <commit|revision>) without rebuilding; follows the deployment like `deploy`',
  argument: ['[service]', 'reader or writer'],
  options: (cmd) =>
    cmd
      .option('--all', 'both services')
      .option('--to <commit|revision>', 'a commit (7+ hex) or a revision (12, family:12, ARN)')
      .option('--timeout <duration>', 'give up after this long', '15m')
      .option('--max-failed-tasks <n>', 'give up once N tasks failed')
      .option('--force', 'even while a deployment is in progress'),
  schema: rollbackOptionsSchema,
  action: (o, ctx) =>
    rollbackAction(
      {
        services: o.all ? ['reader', 'writer'] : [o.service!],
        to: o.to,
        timeoutMs: o.timeout,
        maxFailedTasks: o.maxFailedTasks,
        force: o.force,
      },
      ctx,
    ),
});
