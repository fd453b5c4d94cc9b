import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { Command } from 'commander';
import { loadCommands } from '../src/commands/loader.js';

/**
 * deploy/README.md shows each command's `--help` as the CLI prints it, with the options every command shares
 * shown once. This keeps the README and the program in step: a changed flag fails here. To rewrite the blocks
 * from the program: `UPDATE_DEPLOY_README=1 npm run jest -- deploy/test/readme-help.spec.ts`.
 */
const README = new URL('../README.md', import.meta.url);
const WIDTH = 80;

/** Every command's help at a fixed width, as `npm run deploy -- <command> --help` prints it without a TTY. */
function helpByCommand(): Map<string, string> {
  const program = new Command('deploy');
  const unused = async () => undefined;
  loadCommands(program, unused);
  return new Map(
    program.commands.map((command) => [command.name(), command.configureOutput({ getOutHelpWidth: () => WIDTH }).helpInformation()]),
  );
}

type Entry = { flags: string; lines: string[] };

/** The help's option entries: a line indented by two spaces starts one, deeper lines continue it. */
function optionEntries(help: string): { before: string[]; entries: Entry[] } {
  const [before, options = ''] = help.trimEnd().split('\nOptions:\n');
  const entries: Entry[] = [];
  for (const line of options.split('\n')) {
    if (/^ {2}\S/.test(line)) entries.push({ flags: line.trim().split(/\s{2,}/)[0]!, lines: [line] });
    else entries.at(-1)?.lines.push(line);
  }
  return { before: before!.split('\n'), entries };
}

/** The README's blocks: the options every command has (help aside), then each command without them. */
export function helpBlocks(helps: Map<string, string>): Map<string, string> {
  const parsed = new Map([...helps].map(([name, help]) => [name, optionEntries(help)]));
  const everywhere = (flags: string) =>
    flags !== '-h, --help' && [...parsed.values()].every((p) => p.entries.some((e) => e.flags === flags));
  // Shown as the command with the fewest options prints them (the narrowest column).
  const first = [...parsed.values()].reduce((a, b) => (b.entries.length < a.entries.length ? b : a));
  const blocks = new Map([['common', first.entries.filter((e) => everywhere(e.flags)).flatMap((e) => e.lines)]]);
  for (const [name, { before, entries }] of parsed) {
    const own = entries.filter((e) => !everywhere(e.flags) && e.flags !== '-h, --help').flatMap((e) => e.lines);
    blocks.set(name, own.length ? [...before, 'Options:', ...own] : before);
  }
  return new Map([...blocks].map(([name, lines]) => [name, lines.join('\n').trimEnd()]));
}

/** `<!-- help: name -->` followed by a ```text block: the block's body, replaced by `replace` when given. */
const MARKED_BLOCK = /<!-- help: ([\w-]+) -->\n```text\n([\s\S]*?)\n```/g;

describe('deploy/README.md shows the CLI as it is', () => {
  const blocks = helpBlocks(helpByCommand());
  let readme = readFileSync(README, 'utf8');
  if (process.env.UPDATE_DEPLOY_README) {
    readme = readme.replace(MARKED_BLOCK, (whole, name: string) =>
      blocks.has(name) ? `<!-- help: ${name} -->\n\`\`\`text\n${blocks.get(name)}\n\`\`\`` : whole,
    );
    writeFileSync(README, readme);
  }
  const shown = new Map([...readme.matchAll(MARKED_BLOCK)].map(([, name, body]) => [name!, body!]));

  it('has a block for the common options and for every command, and no other', () => {
    expect([...shown.keys()].sort()).toEqual([...blocks.keys()].sort());
  });

  it.each([...blocks.keys()])('%s', (name) => {
    expect(shown.get(name)).toBe(blocks.get(name));
  });

  it('notices a changed flag', () => {
    const helps = helpByCommand();
    helps.set('status', helps.get('status')!.replace('--events <n>', '--event-count <n>'));
    expect(helpBlocks(helps).get('status')).not.toBe(shown.get('status'));
  });
});
