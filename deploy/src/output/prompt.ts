import { createInterface } from 'node:readline/promises';
import type { Readable, Writable } from 'node:stream';
import { CliError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';

export interface ConfirmOptions {
  /** Whether the flags given already answer yes (default: --yes). Production asks unless more flags are given. */
  assumeYes?: boolean;
  /** The fix named when there is no TTY to ask on (default: pass --yes). */
  nonInteractiveHint?: string;
}

/** What a prompt needs of a command's context: its --yes, and the terminal to ask on. */
export interface PromptContext {
  common: { yes: boolean };
  deps: { stdin: Readable & { isTTY?: boolean }; stderr: Writable; interactive: boolean };
}

/** Asks for confirmation on a TTY; without one, the flags must say yes (never hang on a prompt in CI). */
export async function confirm(ctx: PromptContext, question: string, opts: ConfirmOptions = {}): Promise<void> {
  if (opts.assumeYes ?? ctx.common.yes) return;
  const { stdin, stderr, interactive } = ctx.deps;
  if (!interactive || !stdin.isTTY) {
    throw new CliError(
      `${question} — refusing without a TTY`,
      ExitCode.Usage,
      opts.nonInteractiveHint ?? 'pass --yes to confirm non-interactively',
    );
  }
  const rl = createInterface({ input: stdin, output: stderr });
  try {
    const answer = await rl.question(`${question} [y/N] `);
    if (!/^y(es)?$/i.test(answer.trim())) throw new CliError('cancelled', ExitCode.Usage, 'nothing was changed; run it again and answer y');
  } finally {
    rl.close();
  }
}
