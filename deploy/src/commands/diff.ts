import { Command } from 'commander';
import { z } from 'zod';
import { serviceArgSchema } from '../targets/schema.js';
import { diffAction } from '../actions/diff.js';
import { addCommonOptions, commonSchema, openContext } from '../context.js';
import type { CommandModule } from './command.js';

export const diffOptionsSchema = commonSchema.extend({ service: serviceArgSchema, exitCode: z.boolean().default(false) });

export const diffCommand: CommandModule = {
  name: 'diff',
  register(program, run) {
    program.addCommand(
      addCommonOptions(new Command('diff'))
        .description('the live task definition against what `deploy` would register (image, digest, environment, secrets)')
        .argument('<service>', 'reader or writer')
        .option('--exit-code', 'exit 1 when they differ')
        .action((service: string, opts: Record<string, unknown>) => {
          const o = diffOptionsSchema.parse({ ...opts, service });
          return run(opts, openContext, (ctx) => diffAction({ service: o.service, exitCode: o.exitCode }, ctx));
        }),
    );
  },
};
