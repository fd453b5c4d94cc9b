import type { Command } from 'commander';
import type { z } from 'zod';
import type { BaseContext, CommonOptions } from '../context.js';
import type { Deps } from '../deps.js';
import type { ExitCode } from '../exit-codes.js';

/** Builds a command's context from its common options: Terraform's outputs (openContext) or the env's root (init, destroy). */
export type OpenContext<C extends BaseContext> = (deps: Deps, common: CommonOptions) => Promise<C>;

/** The one runner: opens the context, runs the action, closes progress; the exit code is the action's return. */
export type Run = <C extends BaseContext>(
  opts: Record<string, unknown>,
  open: OpenContext<C>,
  action: (ctx: C) => Promise<ExitCode>,
) => Promise<void>;

export interface CommandModule {
  name: string;
  /** What its options (and argument) must be: the zod object `register` checks them with. */
  schema: z.ZodType;
  register(program: Command, run: Run): void;
}
