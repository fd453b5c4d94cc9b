import { z } from 'zod';
import { initAction } from '../actions/init.js';
import { commonSchema } from '../context.js';
import { openSetupContextFor } from '../setup/context.js';
import { defineCommand } from './define.js';
import { toDeployInput } from './deploy.js';

export const initOptionsSchema = commonSchema.extend({
  force: z.boolean().default(false),
  allowDirty: z.boolean().default(false),
  smoke: z.boolean().default(true),
  replaceServices: z.boolean().default(false),
});

export const initCommand = defineCommand({
  name: 'init',
  description:
    'set up an env from nothing: state bucket, backend.hcl, terraform init/plan/apply (asks first), the first deploy; safe to re-run',
  options: (cmd) =>
    cmd
      .option('--force', 'with --yes: apply to production without a prompt')
      .option('--allow-dirty', 'deploy a dirty working tree (the tag gets a -dirty-<time> suffix)')
      .option('--no-smoke', 'skip the smoke check after the first deploy')
      .option(
        '--replace-services',
        'apply a plan that replaces an ECS service (it starts on the never-pushed bootstrap image until the deploy that follows)',
      ),
  schema: initOptionsSchema,
  open: openSetupContextFor('init'),
  action: (o, ctx) => {
    // The first deploy is the deploy command with its defaults; --force means production here, not a forced deploy.
    const deploy = toDeployInput({ allowDirty: o.allowDirty, smoke: o.smoke });
    return initAction({ force: o.force, allowDirty: o.allowDirty, deploy, replaceServices: o.replaceServices }, ctx);
  },
});
