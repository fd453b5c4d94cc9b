import { Command, CommanderError } from 'commander';
import type { Run } from './commands/command.js';
import { loadCommands, withDefaultCommand } from './commands/loader.js';
import { commonSchema } from './context.js';
import type { Deps } from './deps.js';
import { errorDocument, formatError, toCliError } from './errors.js';
import { ExitCode } from './exit-codes.js';

/**
 * Builds the program and runs it; returns the exit code instead of exiting, so output always finishes
 * (main.ts sets process.exitCode). Every error goes through one funnel: one line on stderr plus a fix.
 */
export async function runCli(argv: string[], deps: Deps): Promise<number> {
  let exitCode: number = ExitCode.Ok;
  let json = argv.includes('--json');
  const output = { writeOut: (s: string) => deps.stdout.write(s), writeErr: (s: string) => deps.stderr.write(s) };

  const program = new Command('deploy')
    .description('Ship the reader and writer services to ECS Fargate and operate them (see deploy/README.md)')
    .showHelpAfterError('(run with --help for usage)')
    .showSuggestionAfterError()
    .exitOverride()
    .configureOutput(output);

  const run: Run = async (opts, open, action) => {
    const common = commonSchema.parse(opts);
    json = common.json;
    const ctx = await open(deps, common);
    try {
      exitCode = await action(ctx);
    } finally {
      ctx.progress.close();
    }
  };

  loadCommands(program, run);
  program.commands.forEach((c) => c.exitOverride().configureOutput(output));

  try {
    await program.parseAsync(withDefaultCommand(argv), { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) {
      // commander already printed its message (and a suggestion for an unknown command)
      return ['commander.helpDisplayed', 'commander.version', 'commander.help'].includes(err.code) ? ExitCode.Ok : ExitCode.Usage;
    }
    const e = toCliError(err);
    deps.stderr.write(formatError(e));
    if (json) deps.stdout.write(`${JSON.stringify(errorDocument(e), null, 2)}\n`);
    return e.exitCode;
  }
  return exitCode;
}
