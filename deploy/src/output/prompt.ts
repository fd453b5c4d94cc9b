import { createInterface } from 'node:readline/promises';
import type { Context } from '../context.js';
import { CliError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';

/** Asks for confirmation on a TTY; without one, --yes is required (never hang on a prompt in CI). */
export async function confirm(ctx: Context, question: string): Promise<void> {
  if (ctx.common.yes) return;
  const { stdin, stderr, interactive } = ctx.deps;
  if (!interactive || !stdin.isTTY) {
    throw new CliError(`${question} — refusing without a TTY`, ExitCode.Usage, 'pass --yes to confirm non-interactively');
  }
  const rl = createInterface({ input: stdin, output: stderr });
  try {
    const answer = await rl.question(`${question} [y/N] `);
    if (!/^y(es)?$/i.test(answer.trim())) throw new CliError('cancelled', ExitCode.Usage, 'nothing was changed; run it again and answer y');
  } finally {
    rl.close();
  }
}
