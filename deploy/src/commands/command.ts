import type { Command } from 'commander';
import type { Context } from '../context.js';
import type { ExitCode } from '../exit-codes.js';

/** Runs an action with a Context built from the command's common options; the exit code is the action's return. */
export type RunAction = (opts: Record<string, unknown>, action: (ctx: Context) => Promise<ExitCode>) => Promise<void>;

export interface CommandModule {
  name: string;
  register(program: Command, run: RunAction): void;
}
