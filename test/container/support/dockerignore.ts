import { posix } from 'node:path';

/**
 * .dockerignore with Docker's matching rules (moby/patternmatcher): one pattern a line, `#` comments,
 * paths cleaned and relative to the context root, `*` and `?` within one path segment, `**` across any
 * number of segments, `!` re-includes, the last matching pattern wins, and a pattern that matches a
 * directory matches everything below it.
 */
export interface IgnoreRule {
  pattern: string;
  negated: boolean;
  regex: RegExp;
}

export function parseDockerignore(text: string): IgnoreRule[] {
  const rules: IgnoreRule[] = [];
  for (const line of text.split(/\r?\n/)) {
    let pattern = line.trim();
    if (pattern === '' || pattern.startsWith('#')) continue;
    const negated = pattern.startsWith('!');
    if (negated) pattern = pattern.slice(1).trim();
    pattern = posix.normalize(pattern).replace(/^\/+/, '').replace(/\/+$/, '');
    if (pattern === '.' || pattern === '') continue;
    rules.push({ pattern, negated, regex: patternRegex(pattern) });
  }
  return rules;
}

function patternRegex(pattern: string): RegExp {
  let source = '^';
  for (let i = 0; i < pattern.length; i++) {
    const char = pattern[i]!;
    if (char === '*') {
      if (pattern[i + 1] === '*') {
        i++;
        if (pattern[i + 1] === '/') {
          i++;
          source += '(?:.*/)?';
        } else source += '.*';
      } else source += '[^/]*';
    } else if (char === '?') source += '[^/]';
    else if (char === '[') {
      const end = pattern.indexOf(']', i + 1);
      if (end < 0) throw new Error(`unterminated [ in .dockerignore pattern ${pattern}`);
      const body = pattern
        .slice(i + 1, end)
        .replace(/^!/, '^')
        .replace(/\\/g, '\\\\');
      source += `[${body}]`;
      i = end;
    } else if (char === '\\' && i + 1 < pattern.length) source += escapeRegex(pattern[++i]!);
    else source += escapeRegex(char);
  }
  return new RegExp(`${source}$`);
}

function escapeRegex(char: string): string {
  return /[.+^${}()|[\]\\]/.test(char) ? `\\${char}` : char;
}

/** True when `path` (relative, with /) stays out of the build context. */
export function isIgnored(rules: IgnoreRule[], path: string): boolean {
  const segments = posix.normalize(path).split('/');
  const candidates = segments.map((_, i) => segments.slice(0, i + 1).join('/'));
  let ignored = false;
  for (const rule of rules) {
    if (candidates.some((candidate) => rule.regex.test(candidate))) ignored = !rule.negated;
  }
  return ignored;
}
