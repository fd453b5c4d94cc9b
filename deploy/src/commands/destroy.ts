import { z } from 'zod';
import { destroyAction } from '../actions/destroy.js';
import { commonSchema } from '../context.js';
import { openSetupContextFor } from '../setup/context.js';
import { defineCommand } from './define.js';

export const destroyOptionsSchema = commonSchema.extend({ destroyProduction: z.boolean().default(false) });

export const destroyCommand = defineCommand({
  name: 'destroy',
  description:
    'delete an env (terraform destroy) after saying what goes; clears images and deletion protection first; keeps the state bucket',
  options: (cmd) => cmd.option('--destroy-production', 'with --yes: allow destroying an env marked production'),
  schema: destroyOptionsSchema,
  open: openSetupContextFor('destroy'),
  action: (o, ctx) => destroyAction({ destroyProduction: o.destroyProduction }, ctx),
});
