import { Command } from 'commander';
import { verifyAction } from '../actions/verify.js';
import { addCommonOptions, commonSchema, openContext } from '../context.js';
import type { CommandModule } from './command.js';

export const verifyCommand: CommandModule = {
  name: 'verify',
  register(program, run) {
    program.addCommand(
      addCommonOptions(new Command('verify'))
        .alias('doctor')
        .description('check that everything the outputs name exists and fits together; one line per check, a fix for each failure')
        .action((opts: Record<string, unknown>) => {
          commonSchema.parse(opts);
          return run(opts, openContext, (ctx) => verifyAction(ctx));
        }),
    );
  },
};
