import { Command, CommanderError } from 'commander';
import { deployCommand } from './commands/deploy.js';
import { diffCommand } from './commands/diff.js';
import { historyCommand } from './commands/history.js';
import { logsCommand } from './commands/logs.js';
import { migrateCommand } from './commands/migrate.js';
import { pauseCommand } from './commands/pause.js';
import { rollbackCommand } from './commands/rollback.js';
import { statusCommand } from './commands/status.js';
import { verifyCommand } from './commands/verify.js';
import type { CommandModule } from './commands/loader.js';
import { commonSchema, openContext } from './context.js';
import type { Deps } from './deps.js';
import { toCliError } from './errors.js';
import { ExitCode } from './exit-codes.js';

export const COMMANDS: CommandModule[] = [
  deployCommand,
  statusCommand,
  logsCommand,
  historyCommand,
  rollbackCommand,
  migrateCommand,
  verifyCommand,
  diffCommand,
  pauseCommand,
];

/**
 * Builds the program and runs it; returns the exit code instead of exiting, so output always finishes
 * (main.ts sets process.exitCode). Every error goes through one funnel: one line on stderr plus a fix.
 */
export async function runCli(argv: string[], deps: Deps, commands: CommandModule[] = COMMANDS): Promise<number> {
  let exitCode: number = ExitCode.Ok;
  let json = argv.includes('--json');

  const program = new Command('deploy')
    .description('Ship the reader and writer services to ECS Fargate and operate them (see deploy/README.md)')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureOutput({
      writeOut: (s) => deps.stdout.write(s),
      writeErr: (s) => deps.stderr.write(s),
    });

  const run = async (opts: Record<string, unknown>, action: (ctx: import('./context.js').Context) => Promise<ExitCode>) => {
    const common = commonSchema.parse(opts);
    json = common.json;
    const ctx = await openContext(deps, common);
    try {
      exitCode = await action(ctx);
    } finally {
      ctx.progress.close();
    }
  };

  for (const c of commands) c.register(program, run);
  program.commands.forEach((c) =>
    c.exitOverride().configureOutput({ writeOut: (s) => deps.stdout.write(s), writeErr: (s) => deps.stderr.write(s) }),
  );

  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') return ExitCode.Ok;
      return ExitCode.Usage;
    }
    const e = toCliError(err);
    deps.stderr.write(`✖ ${e.message}\n${e.hint ? `  fix: ${e.hint}\n` : ''}`);
    if (json && !(err as { documentPrinted?: boolean }).documentPrinted) {
      deps.stdout.write(
        `${JSON.stringify({ ok: false, exitCode: e.exitCode, error: { message: e.message, hint: e.hint ?? null } }, null, 2)}\n`,
      );
    }
    return e.exitCode;
  }
  return exitCode;
}
