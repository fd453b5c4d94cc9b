// Pure text helpers for the gateway's nginx config: no test framework, so scripts outside Jest (the canary
// drill's `down`) can import them.

/**
 * Replaces each `from` with `to` in the config, requiring exactly one occurrence of each, so a change in the
 * file's shape fails loudly instead of testing something else.
 */
export function substitute(config: string, replacements: Array<[from: string, to: string]>): string {
  return replacements.reduce((text, [from, to]) => {
    const count = text.split(from).length - 1;
    if (count !== 1) throw new Error(`expected "${from}" exactly once in the gateway config, found it ${count} times`);
    return text.replace(from, to);
  }, config);
}
