import type { Command } from 'commander';
import type { Context } from '../context.js';
import type { ExitCode } from '../exit-codes.js';
import type { SetupContext } from '../setup/context.js';

/** Runs an action with a Context built from the command's common options; the exit code is the action's return. */
export type RunAction = (opts: Record<string, unknown>, action: (ctx: Context) => Promise<ExitCode>) => Promise<void>;

/** The same for `init` and `destroy`, which work from the env's Terraform root instead of its outputs. */
export type RunSetupAction = (
  opts: Record<string, unknown>,
  command: string,
  action: (ctx: SetupContext) => Promise<ExitCode>,
) => Promise<void>;

export interface CommandModule {
  name: string;
  register(program: Command, run: RunAction, runSetup: RunSetupAction): void;
}
