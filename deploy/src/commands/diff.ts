import { z } from 'zod';
import { diffAction } from '../actions/diff.js';
import { commonSchema } from '../context.js';
import { serviceArgSchema } from '../targets/schema.js';
import { defineCommand } from './define.js';

export const diffOptionsSchema = commonSchema.extend({ service: serviceArgSchema, exitCode: z.boolean().default(false) });

export const diffCommand = defineCommand({
  name: 'diff',
  description: 'the live task definition against what `deploy` would register (image, digest, environment, secrets)',
  argument: ['<service>', 'reader or writer'],
  options: (cmd) => cmd.option('--exit-code', 'exit 1 when they differ'),
  schema: diffOptionsSchema,
  action: (o, ctx) => diffAction({ service: o.service, exitCode: o.exitCode }, ctx),
});
