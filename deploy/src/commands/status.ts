import { Command, Option } from 'commander';
import { z } from 'zod';
import { statusAction } from '../actions/status.js';
import { addCommonOptions, commonSchema, openContext } from '../context.js';
import type { CommandModule } from './command.js';

export const statusOptionsSchema = commonSchema.extend({
  service: z.enum(['reader', 'writer', 'all']).default('all'),
  events: z.coerce.number().int().min(0).max(100).default(5),
});

export const statusCommand: CommandModule = {
  name: 'status',
  register(program, run) {
    program.addCommand(
      addCommonOptions(new Command('status'))
        .description(
          'what runs, is it healthy: revision, commit, digest, counts, deployments, target health, alarms, events; exit 9 when unhealthy',
        )
        .addOption(new Option('-s, --service <name>').choices(['reader', 'writer', 'all']).default('all'))
        .option('--events <n>', 'service events to show per service', '5')
        .action((opts: Record<string, unknown>) => {
          const o = statusOptionsSchema.parse(opts);
          return run(opts, openContext, (ctx) =>
            statusAction({ services: o.service === 'all' ? ['reader', 'writer'] : [o.service], events: o.events }, ctx),
          );
        }),
    );
  },
};
