import { Command } from 'commander';
import { z } from 'zod';
import { pauseAction, resumeAction } from '../actions/pause.js';
import { addCommonOptions, commonSchema, durationSchema, openContext } from '../context.js';
import type { CommandModule } from './command.js';

export const pauseOptionsSchema = commonSchema.extend({ force: z.boolean().default(false), timeout: durationSchema.default(20 * 60_000) });

export const pauseCommand: CommandModule = {
  name: 'pause',
  register(program, run) {
    for (const [name, action, description] of [
      ['pause', pauseAction, 'scale both services to 0 and stop the RDS instance (dev/staging; production needs --force)'],
      ['resume', resumeAction, 'start the database, wait for it, restore the desired counts from before `pause`, wait until stable'],
    ] as const) {
      program.addCommand(
        addCommonOptions(new Command(name))
          .description(description)
          .option('--force', 'allow it for an env marked production')
          .option('--timeout <duration>', 'how long to wait', '20m')
          .action((opts: Record<string, unknown>) => {
            const o = pauseOptionsSchema.parse(opts);
            return run(opts, openContext, (ctx) => action({ force: o.force, timeoutMs: o.timeout }, ctx));
          }),
      );
    }
  },
};
