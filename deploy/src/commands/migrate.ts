import { migrateAction } from '../actions/migrate.js';
import { commonSchema, durationSchema } from '../context.js';
import { defineCommand } from './define.js';

export const migrateOptionsSchema = commonSchema.extend({ timeout: durationSchema.default(10 * 60_000) });

export const migrateCommand = defineCommand({
  name: 'migrate',
  description:
    'run only the migration task (the migrate family Terraform registered, with the writer image that runs now), stream its logs, exit with its verdict',
  options: (cmd) => cmd.option('--timeout <duration>', 'how long the task may run', '10m'),
  schema: migrateOptionsSchema,
  action: (o, ctx) => migrateAction({ timeoutMs: o.timeout }, ctx),
});
