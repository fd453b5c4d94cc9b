import { Command } from 'commander';
import { migrateAction } from '../actions/migrate.js';
import { addCommonOptions, commonSchema, durationSchema, openContext } from '../context.js';
import type { CommandModule } from './command.js';

export const migrateOptionsSchema = commonSchema.extend({ timeout: durationSchema.default(10 * 60_000) });

export const migrateCommand: CommandModule = {
  name: 'migrate',
  register(program, run) {
    program.addCommand(
      addCommonOptions(new Command('migrate'))
        .description(
          'run only the migration task (the migrate family Terraform registered, with the writer image that runs now), stream its logs, exit with its verdict',
        )
        .option('--timeout <duration>', 'how long the task may run', '10m')
        .action((opts: Record<string, unknown>) => {
          const o = migrateOptionsSchema.parse(opts);
          return run(opts, openContext, (ctx) => migrateAction({ timeoutMs: o.timeout }, ctx));
        }),
    );
  },
};
