import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from '@jest/globals';

/**
 * `npm run lint:layers` (.dependency-cruiser.mjs) on a tiny tree laid out like the repository: clean, it
 * passes; with one back-edge per rule, it exits non-zero and names every rule that broke.
 */
const root = fileURLToPath(new URL('..', import.meta.url));
const depcruise = join(root, 'node_modules/.bin/depcruise');
const config = join(root, '.dependency-cruiser.mjs');

const LIBS = ['contracts', 'persistence'];
const CLEAN_TREE: Record<string, string> = {
  'package.json': JSON.stringify({
    type: 'module',
    imports: Object.fromEntries(LIBS.map((lib) => [`#libs/${lib}`, { source: `./libs/${lib}/src/index.ts` }])),
  }),
  'tsconfig.json': JSON.stringify({ compilerOptions: { module: 'nodenext', moduleResolution: 'nodenext', customConditions: ['source'] } }),
  'libs/contracts/src/index.ts': 'export const BOOK = 1;\n',
  'libs/persistence/src/index.ts': "export { findBook } from './book-repository.js';\n",
  'libs/persistence/src/book-repository.ts': "import { BOOK } from '#libs/contracts';\nexport const findBook = () => BOOK;\n",
  'apps/reader/src/books/books.module.ts': "import './books.controller.js';\nimport './books.service.js';\n",
  'apps/reader/src/books/books.controller.ts': "import { get } from './books.service.js';\nexport const route = get;\n",
  'apps/reader/src/books/books.service.ts': "import { findBook } from '#libs/persistence';\nexport const get = findBook;\n",
  'apps/writer/src/main.ts': "import { BOOK } from '#libs/contracts';\nexport const main = BOOK;\n",
  'deploy/src/aws/ecs.ts': 'export const describe = 1;\n',
  'deploy/src/rollout/poller.ts': "import { describe } from '../aws/ecs.js';\nexport const poll = describe;\n",
  'deploy/src/output/progress.ts': "import { describe } from '../aws/ecs.js';\nexport const progress = describe;\n",
};

/** Each back-edge, and the rule that must refuse it. */
const BACK_EDGES: Array<{ rule: string; file: string; line: string }> = [
  { rule: 'only-modules-import-controllers', file: 'apps/reader/src/books/books.service.ts', line: "import './books.controller.js';" },
  {
    rule: 'controllers-reach-the-database-through-services',
    file: 'apps/reader/src/books/books.controller.ts',
    line: "import '#libs/persistence';",
  },
  {
    rule: 'apps-enter-libs-by-their-front-door',
    file: 'apps/writer/src/main.ts',
    line: "import '../../../libs/persistence/src/book-repository.js';",
  },
  { rule: 'apps-do-not-import-each-other', file: 'apps/writer/src/main.ts', line: "import '../../reader/src/books/books.service.js';" },
  { rule: 'libs-do-not-import-apps', file: 'libs/persistence/src/book-repository.ts', line: "import '../../../apps/writer/src/main.js';" },
  { rule: 'contracts-import-no-other-lib', file: 'libs/contracts/src/index.ts', line: "import '#libs/persistence';" },
  {
    rule: 'no-import-cycles',
    file: 'libs/persistence/src/book-repository.ts',
    line: "import type { findBook as again } from './index.js';",
  },
  { rule: 'deploy-aws-imports-no-layer-above', file: 'deploy/src/aws/ecs.ts', line: "import '../rollout/poller.js';" },
  { rule: 'deploy-output-imports-no-layer-above', file: 'deploy/src/output/progress.ts', line: "import '../rollout/poller.js';" },
];

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function layTree(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'layers-'));
  dirs.push(dir);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

function lint(dir: string): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(depcruise, ['apps', 'libs', 'deploy/src', '--config', config], { cwd: dir, timeout: 60_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, output: stdout + stderr });
    });
  });
}

describe('the layer rules (.dependency-cruiser.mjs)', () => {
  it('pass a tree whose imports all go down the layers', async () => {
    const { code, output } = await lint(layTree(CLEAN_TREE));
    expect({ code, output }).toEqual({ code: 0, output: expect.stringContaining('no dependency violations found') });
  }, 60_000);

  it('fail (non-zero exit) on each back-edge, naming its rule', async () => {
    const tree = { ...CLEAN_TREE };
    for (const { file, line } of BACK_EDGES) tree[file] = `${line}\n${tree[file]}`;
    const { code, output } = await lint(layTree(tree));
    expect(code).not.toBe(0);
    for (const { rule, file } of BACK_EDGES) expect(output).toMatch(new RegExp(`error ${rule}: ${file.replace(/\./g, '\\.')} →`));
  }, 60_000);
});
