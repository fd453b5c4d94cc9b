import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';

/**
 * The repository stands alone and its docs stay reachable: nothing cites a design document kept outside the
 * repository, every `docs/….md#anchor` named in code and every relative link in a markdown file resolves to a
 * file and an anchor that exist, and the README stays short enough to read in five minutes.
 */
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const SELF = relative(ROOT, fileURLToPath(import.meta.url));
const README_MAX_LINES = 150;

/** The design notes the project started from live outside the repository; their names must not come back. */
const OLD_NOTES = [['DES', 'IGN'].join(''), ['RELIA', 'BILITY'].join('')];
const OLD_FOLDER = ['sha', 'red'].join('');
const OUTSIDE_DOCUMENT = new RegExp(`\\b(?:${OLD_NOTES.join('|')})(?:\\.md)?\\b|(?:\\.\\./|/)${OLD_FOLDER}/`);
/** `docs/<file>.md` or `docs/<file>.md#anchor` at the start of a path (not inside `../docs/…`, which is a link). */
const DOCS_REFERENCE = /(?<![\w./-])docs\/([\w-]+\.md)(?:#([\p{L}\p{N}_-]+))?/gu;
/** Inline markdown links and images: `[text](target)`, `![alt](target "title")`. */
const MARKDOWN_LINK = /!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g;

type File = { path: string; text: string };

/** Anchors GitHub makes for a markdown file: one per heading (with -1, -2 … for repeats), plus explicit ids. */
export function anchorsOf(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  const withoutCode = markdown.replace(/^```[\s\S]*?^```/gm, '');
  for (const [, heading] of withoutCode.matchAll(/^#{1,6}\s+(.+?)\s*#*\s*$/gm)) {
    const slug = heading!
      .replace(/<[^>]+>/g, '')
      .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/\s/g, '-');
    const count = seen.get(slug) ?? 0;
    anchors.add(count === 0 ? slug : `${slug}-${count}`);
    seen.set(slug, count + 1);
  }
  for (const [, id] of markdown.matchAll(/<a\s+(?:id|name)="([^"]+)"/g)) anchors.add(id!);
  return anchors;
}

/** Every broken reference in `files`, as "path: what". `exists` and `read` see the repository. */
export function problemsIn(files: File[], exists: (path: string) => boolean, read: (path: string) => string): string[] {
  const problems: string[] = [];
  const anchorCache = new Map<string, Set<string>>();
  const anchors = (path: string) => anchorCache.get(path) ?? anchorCache.set(path, anchorsOf(read(path))).get(path)!;
  const check = (from: string, target: string, anchor: string | undefined, shown: string) => {
    if (target.startsWith('..') || target.startsWith(sep)) return problems.push(`${from}: ${shown} points outside the repository`);
    if (!exists(target)) return problems.push(`${from}: ${shown} does not exist`);
    if (anchor && target.endsWith('.md') && !anchors(target).has(anchor)) problems.push(`${from}: ${shown} names no such anchor`);
  };

  for (const { path, text } of files) {
    if (path === SELF) continue;
    const outside = OUTSIDE_DOCUMENT.exec(text);
    if (outside) problems.push(`${path}: cites "${outside[0]}", a document outside the repository (cite docs/ instead)`);
    for (const [shown, file, anchor] of text.matchAll(DOCS_REFERENCE)) check(path, `docs/${file}`, anchor, shown);
    if (!path.endsWith('.md')) continue;
    for (const [, link] of text.matchAll(MARKDOWN_LINK)) {
      if (/^[a-z][a-z+.-]*:/i.test(link!)) continue; // http:, https:, mailto:
      const [target, anchor] = link!.split('#', 2) as [string, string | undefined];
      const resolved = target === '' ? path : normalize(join(dirname(path), decodeURIComponent(target)));
      check(path, resolved, anchor, link!);
    }
  }
  return [...new Set(problems)];
}

function repositoryFiles(): File[] {
  const listed = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: ROOT, encoding: 'utf8' });
  return listed
    .split('\0')
    .filter((path) => path && !path.startsWith('node_modules') && path !== 'package-lock.json' && existsSync(join(ROOT, path)))
    .filter((path) => statSync(join(ROOT, path)).isFile())
    .map((path) => ({ path, text: readFileSync(join(ROOT, path), 'utf8') }))
    .filter(({ text }) => !text.includes('\0'));
}

describe('the repository stands alone and its docs resolve', () => {
  const files = repositoryFiles();
  const exists = (path: string) => existsSync(join(ROOT, path));
  const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');

  it('every reference and link resolves, and none leaves the repository', () => {
    expect(files.length).toBeGreaterThan(100);
    expect(problemsIn(files, exists, read)).toEqual([]);
  });

  it(`README.md has at most ${README_MAX_LINES} lines`, () => {
    expect(read('README.md').trimEnd().split('\n').length).toBeLessThanOrEqual(README_MAX_LINES);
  });
});

describe('each check catches what it is for', () => {
  const docs: Record<string, string> = {
    'docs/a.md': '# A title\n\n## Étape deux: «ok»\n\n| <a id="r-1"></a>R-1 | x |\n',
    'b.md': '',
    'docs/c.md': '',
  };
  const exists = (path: string) => path in docs || path === 'docs';
  const read = (path: string) => docs[path] ?? '';
  const problems = (path: string, text: string) => problemsIn([{ path, text }], exists, read);

  it('accepts what resolves', () => {
    expect(problems('src/x.ts', '// see docs/a.md#a-title and docs/a.md#r-1 and docs/a.md#étape-deux-ok')).toEqual([]);
    expect(problems('docs/c.md', '[a](a.md#r-1) [b](../b.md) [top](#) [web](https://example.com/DOCS.md)')).toEqual([]);
  });

  it.each([
    ['a design note outside the repository', 'src/x.ts', `// the contract in ${'DESIGN'}.md`, /outside the repository/],
    ['a reliability row by the old name', 'x.tf', `# (${'RELIABILITY'} I4)`, /outside the repository/],
    ['a path to the old folder', 'Dockerfile', `# (../${OLD_FOLDER}/x)`, /outside the repository/],
    ['a docs file that does not exist', 'src/x.ts', '// docs/nope.md', /does not exist/],
    ['an anchor that does not exist', 'src/x.ts', '// docs/a.md#r-2', /no such anchor/],
    ['a markdown link to a missing file', 'docs/c.md', '[x](missing.md)', /does not exist/],
    ['a markdown link to a missing anchor', 'docs/c.md', '[x](a.md#nope)', /no such anchor/],
    ['a markdown link out of the repository', 'README.md', '[x](../elsewhere/notes.md)', /outside the repository/],
  ])('%s', (_name, path, text, expected) => {
    expect(problems(path, text).join('\n')).toMatch(expected);
  });
});
