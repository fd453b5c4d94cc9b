import type { Command } from 'commander';
import type { CommandModule, Run } from './command.js';
import { deployCommand } from './deploy.js';
import { destroyCommand } from './destroy.js';
import { diffCommand } from './diff.js';
import { historyCommand } from './history.js';
import { initCommand } from './init.js';
import { logsCommand } from './logs.js';
import { migrateCommand } from './migrate.js';
import { pauseCommand, resumeCommand } from './pause.js';
import { rollbackCommand } from './rollback.js';
import { statusCommand } from './status.js';
import { verifyCommand } from './verify.js';

/** Every command of the program, in the order `--help` lists them. */
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
  resumeCommand,
  initCommand,
  destroyCommand,
];

export function loadCommands(program: Command, run: Run): void {
  for (const c of COMMANDS) c.register(program, run);
}

const HELP = new Set(['-h', '--help']);

/**
 * `deploy` is the default command when the arguments start with an option (`npm run deploy -- --env dev`) or
 * are empty. A first word is always a command name, so a typo (`statuss`) reaches commander as an unknown
 * command, which it reports with the nearest name (showSuggestionAfterError), instead of being handed to
 * `deploy` as an argument it does not take ("too many arguments for 'deploy'").
 */
export function withDefaultCommand(argv: string[]): string[] {
  const first = argv[0];
  return first === undefined || (first.startsWith('-') && !HELP.has(first)) ? ['deploy', ...argv] : argv;
}
