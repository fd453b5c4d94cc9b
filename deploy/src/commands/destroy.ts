import { Command } from 'commander';
import { z } from 'zod';
import { destroyAction } from '../actions/destroy.js';
import { addCommonOptions, commonSchema } from '../context.js';
import { openSetupContextFor } from '../setup/context.js';
import type { CommandModule } from './command.js';

export const destroyOptionsSchema = commonSchema.extend({ destroyProduction: z.boolean().default(false) });

export const destroyCommand: CommandModule = {
  name: 'destroy',
  register(program, run) {
    program.addCommand(
      addCommonOptions(new Command('destroy'))
        .description(
          'delete an env (terraform destroy) after saying what goes; clears images and deletion protection first; keeps the state bucket',
        )
        .option('--destroy-production', 'with --yes: allow destroying an env marked production')
        .action((opts: Record<string, unknown>) => {
          const o = destroyOptionsSchema.parse(opts);
          return run(opts, openSetupContextFor('destroy'), (ctx) => destroyAction({ destroyProduction: o.destroyProduction }, ctx));
        }),
    );
  },
};
