import { describe, expect, it } from '@jest/globals';
import { Command } from 'commander';
import type { z } from 'zod';
import { COMMANDS, loadCommands } from './loader.js';

/**
 * A command's options are declared twice, for commander (flags, help, the default --help shows) and for zod (what
 * the action may rely on, and the defaults a caller without commander gets, such as init's first deploy). These
 * tests hold the two to one meaning: every option reaches the schema, and a default means the same on both sides.
 */
describe('command options: commander and the zod schema agree', () => {
  const program = new Command();
  loadCommands(program, async () => undefined);
  const commands = COMMANDS.map((command) => ({
    name: command.name,
    cmd: program.commands.find((c) => c.name() === command.name)!,
    shape: (command.schema as z.ZodObject).shape as Record<string, z.ZodType>,
  }));

  it.each(commands)('$name: every option and argument has a key in the schema (zod would drop it silently)', ({ cmd, shape }) => {
    const names = [...cmd.options.map((o) => o.attributeName()), ...cmd.registeredArguments.map((a) => a.name())];
    expect(names.length).toBeGreaterThan(0);
    expect(names.filter((name) => !(name in shape))).toEqual([]);
  });

  const defaults = commands.flatMap(({ name, cmd, shape }) =>
    cmd.options.filter((o) => o.defaultValue !== undefined).map((option) => ({ name, flag: option.long!, option, shape })),
  );
  it.each(defaults)('$name $flag: the default --help shows is the default the schema applies', ({ option, shape }) => {
    const schema = shape[option.attributeName()]!;
    expect(schema.parse(option.defaultValue)).toEqual(schema.parse(undefined));
  });
});
