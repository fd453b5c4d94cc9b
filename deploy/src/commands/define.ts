import { Command } from 'commander';
import type { z } from 'zod';
import { addCommonOptions, openContext, type BaseContext, type Context } from '../context.js';
import type { ExitCode } from '../exit-codes.js';
import type { CommandModule, OpenContext } from './command.js';

/** One command: its words on the command line, how they are checked, and what runs with them. */
export interface CommandSpec<S extends z.ZodType, C extends BaseContext> {
  name: string;
  description: string;
  alias?: string;
  /** A positional argument, e.g. `['<service>', 'reader or writer']`; its value is checked under its name. */
  argument?: [string, string];
  /** The command's own options, after the ones every command has. */
  options?: (cmd: Command) => Command;
  /** Checks the options (and the argument) before anything is read or called. */
  schema: S;
  /** Where the context comes from: Terraform's outputs (default), or the env's root for init and destroy. */
  open?: OpenContext<C>;
  action: (options: z.infer<S>, ctx: C) => Promise<ExitCode>;
}

/** The commander wiring every command shares, written once. */
export function defineCommand<S extends z.ZodType, C extends BaseContext = Context>(spec: CommandSpec<S, C>): CommandModule {
  const argumentName = spec.argument?.[0].replace(/[<>[\]]/g, '');
  return {
    name: spec.name,
    schema: spec.schema,
    register(program, run) {
      const cmd = addCommonOptions(new Command(spec.name)).description(spec.description);
      if (spec.alias) cmd.alias(spec.alias);
      if (spec.argument) cmd.argument(...spec.argument);
      spec.options?.(cmd);
      // commander calls the action with the arguments, then the options, then the command.
      cmd.action((...args: unknown[]) => {
        const opts = args.at(-2) as Record<string, unknown>;
        const checked = spec.schema.parse(argumentName ? { ...opts, [argumentName]: args[0] } : opts);
        const open = (spec.open ?? openContext) as OpenContext<C>;
        return run(opts, open, (ctx) => spec.action(checked, ctx));
      });
      program.addCommand(cmd);
    },
  };
}
