// What Terraform declares (a module's default, an env root's setting), read from its source so that a copy
// elsewhere (the bench's task environment, the images suite's task size) cannot drift from it.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = fileURLToPath(new URL('..', import.meta.url));

/**
 * The default of an object input's attribute: `<name> = optional(<type>, <value>)` in `file` (relative to the
 * repository root). Throws when the attribute or its default is gone, rather than letting a caller fall back.
 */
export function optionalDefault(file, name) {
  const source = readFileSync(join(repoRoot, file), 'utf8');
  const value = new RegExp(`\\b${name}\\s*=\\s*optional\\(\\w+,\\s*"?([^")\\s]+)"?\\)`).exec(source)?.[1];
  if (value === undefined) throw new Error(`${file} has no ${name} = optional(<type>, <default>)`);
  return value;
}

/** A plain assignment's value, `<name> = <number or "string">`, the first in `file` (an env root's settings). */
export function assignedValue(file, name) {
  const source = readFileSync(join(repoRoot, file), 'utf8');
  const value = new RegExp(`^\\s*${name}\\s*=\\s*"?([\\w.-]+)"?\\s*(#.*)?$`, 'm').exec(source)?.[1];
  if (value === undefined) throw new Error(`${file} has no ${name} = <value>`);
  return value;
}
