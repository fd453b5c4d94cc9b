import { Command } from 'commander';
import { z } from 'zod';
import { logsAction } from '../actions/logs.js';
import { serviceArgSchema } from '../targets/schema.js';
import { addCommonOptions, commonSchema, durationSchema, openContext } from '../context.js';
import type { CommandModule } from './command.js';

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

export const logsCommand: CommandModule = {
  name: 'logs',
  register(program, run) {
    program.addCommand(
      addCommonOptions(new Command('logs'))
        .description('recent logs of a service; --follow uses CloudWatch Logs Live Tail (falls back to polling)')
        .argument('<service>', 'reader or writer')
        .option('--since <duration>', 'how far back to start, e.g. 10m, 2h', '10m')
        .option('-f, --follow', 'keep streaming new lines')
        .option('--follow-for <duration>', 'stop following after this long (default: until Ctrl-C)')
        .option('--task <id>', 'only this task’s log stream')
        .option('--limit <n>', 'at most this many recent lines', '500')
        .option('--pretty', 'pretty-print JSON log lines (default on a TTY)')
        .option('--no-pretty', 'print lines raw (default when not a TTY)')
        .action((service: string, opts: Record<string, unknown>) => {
          const o = logsOptionsSchema.parse({ ...opts, service });
          return run(opts, openContext, (ctx) =>
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
          );
        }),
    );
  },
};
