import { verifyAction } from '../actions/verify.js';
import { commonSchema } from '../context.js';
import { defineCommand } from './define.js';

export const verifyCommand = defineCommand({
  name: 'verify',
  alias: 'doctor',
  description: 'check that everything the outputs name exists and fits together; one line per check, a fix for each failure',
  schema: commonSchema,
  action: (_o, ctx) => verifyAction(ctx),
});
