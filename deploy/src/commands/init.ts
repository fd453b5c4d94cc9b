import { Command } from 'commander';
import { z } from 'zod';
import { initAction } from '../actions/init.js';
import { addCommonOptions, commonSchema } from '../context.js';
import { openSetupContextFor } from '../setup/context.js';
import type { CommandModule } from './command.js';
import { toDeployInput } from './deploy.js';

export const initOptionsSchema = commonSchema.extend({
  force: z.boolean().default(false),
  allowDirty: z.boolean().default(false),
  smoke: z.boolean().default(true),
  replaceServices: z.boolean().default(false),
});

export const initCommand: CommandModule = {
  name: 'init',
  register(program, run) {
    program.addCommand(
      addCommonOptions(new Command('init'))
        .description(
          'set up an env from nothing: state bucket, backend.hcl, terraform init/plan/apply (asks first), the first deploy; safe to re-run',
        )
        .option('--force', 'with --yes: apply to production without a prompt')
        .option('--allow-dirty', 'deploy a dirty working tree (the tag gets a -dirty-<time> suffix)')
        .option('--no-smoke', 'skip the smoke check after the first deploy')
        .option(
          '--replace-services',
          'apply a plan that replaces an ECS service (it starts on the never-pushed bootstrap image until the deploy that follows)',
        )
        .action((opts: Record<string, unknown>) => {
          const o = initOptionsSchema.parse(opts);
          // The first deploy is the deploy command with its defaults; --force means production here, not a forced deploy.
          const deploy = toDeployInput({ allowDirty: o.allowDirty, smoke: o.smoke });
          return run(opts, openSetupContextFor('init'), (ctx) =>
            initAction({ force: o.force, allowDirty: o.allowDirty, deploy, replaceServices: o.replaceServices }, ctx),
          );
        }),
    );
  },
};
