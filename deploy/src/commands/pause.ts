import { z } from 'zod';
import { pauseAction, resumeAction } from '../actions/pause.js';
import { commonSchema, durationSchema } from '../context.js';
import { defineCommand } from './define.js';

export const pauseOptionsSchema = commonSchema.extend({ force: z.boolean().default(false), timeout: durationSchema.default(20 * 60_000) });

const pauseOrResume = (name: string, description: string, action: typeof pauseAction) =>
  defineCommand({
    name,
    description,
    options: (cmd) =>
      cmd.option('--force', 'allow it for an env marked production').option('--timeout <duration>', 'how long to wait', '20m'),
    schema: pauseOptionsSchema,
    action: (o, ctx) => action({ force: o.force, timeoutMs: o.timeout }, ctx),
  });

export const pauseCommand = pauseOrResume(
  'pause',
  'scale both services to 0 and stop the RDS instance (dev/staging; production needs --force)',
  pauseAction,
);
export const resumeCommand = pauseOrResume(
  'resume',
  'start the database, wait for it, restore the desired counts from before `pause`, wait until stable',
  resumeAction,
);
