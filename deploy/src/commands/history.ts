import { Command } from 'commander';
import { z } from 'zod';
import { serviceArgSchema } from '../targets/schema.js';
import { historyAction } from '../actions/history.js';
import { addCommonOptions, commonSchema, openContext } from '../context.js';
import type { CommandModule } from './command.js';

export const historyOptionsSchema = commonSchema.extend({
  service: serviceArgSchema,
  limit: z.coerce.number().int().min(1).max(100).default(10),
});

export const historyCommand: CommandModule = {
  name: 'history',
  register(program, run) {
    program.addCommand(
      addCommonOptions(new Command('history'))
        .description('past revisions of a service with commit, digest, actor and time, newest first')
        .argument('<service>', 'reader or writer')
        .option('--limit <n>', 'how many revisions', '10')
        .action((service: string, opts: Record<string, unknown>) => {
          const o = historyOptionsSchema.parse({ ...opts, service });
          return run(opts, openContext, (ctx) => historyAction({ service: o.service, limit: o.limit }, ctx));
        }),
    );
  },
};
