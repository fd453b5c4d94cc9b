import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { expectWith } from '../support/expect-with.js';
import { instructionsOf, parseDockerfile, splitWords } from './support/dockerfile.js';
import { isIgnored, parseDockerignore } from './support/dockerignore.js';
import { repoRoot } from './support/runtime-stage.js';

/** What `docker build .` sends to the builder: .dockerignore evaluated with Docker's rules. */

const rules = parseDockerignore(readFileSync(join(repoRoot, '.dockerignore'), 'utf8'));
const dockerfile = parseDockerfile(readFileSync(join(repoRoot, 'Dockerfile'), 'utf8'));

/** Every file in the working tree that git knows of or would add (tracked + untracked, minus .gitignore). */
const worktree = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z'], { cwd: repoRoot, encoding: 'utf8' })
  .split('\0')
  .filter(Boolean);
const inContext = worktree.filter((path) => !isIgnored(rules, path));

describe('the .dockerignore matcher', () => {
  it('follows Docker: last match wins, ** spans folders, a matched folder covers its files, ! re-includes', () => {
    const sample = parseDockerignore('# comment\n*\n!src/\n**/*.spec.ts\n/secrets\n!keep/**/x?.txt\n');
    expect(isIgnored(sample, 'README.md')).toBe(true);
    expect(isIgnored(sample, 'src/a/b.ts')).toBe(false);
    expect(isIgnored(sample, 'src/a/b.spec.ts')).toBe(true);
    expect(isIgnored(sample, 'b.spec.ts')).toBe(true);
    expect(isIgnored(sample, 'secrets/key')).toBe(true);
    expect(isIgnored(sample, 'keep/1/2/x1.txt')).toBe(false);
    expect(isIgnored(sample, 'keep/x12.txt')).toBe(true);
  });
});

describe('.dockerignore keeps the build context to what the image is built from', () => {
  it.each([
    '.env',
    '.env.production',
    'apps/reader/.env.local',
    'libs/config/src/.env',
    'deploy/server.pem',
    'libs/platform/src/http/tls.key',
    '.npmrc',
    'node_modules/pg/package.json',
    'apps/reader/node_modules/x/index.js',
    'dist/apps/reader/src/main.js',
    'libs/persistence/dist/index.js',
    '.data/postgres/PG_VERSION',
    '.git/HEAD',
    'terraform/envs/dev/terraform.tfstate',
    'terraform/envs/dev/terraform.tfstate.backup',
    'terraform/envs/prod/.terraform/providers/registry.terraform.io/x',
    'terraform/envs/dev/secrets.tfvars',
    'test/e2e/reader.e2e.spec.ts',
    'test/support/database.ts',
    'apps/writer/src/books/books.controller.spec.ts',
    'apps/reader/test/reader.e2e-spec.ts',
    'coverage/lcov.info',
    '.test-results/jest.json',
    'dist/.tsbuildinfo',
    'deploy/src/main.ts',
    'scripts/dev.mjs',
    'docker-compose.yml',
  ])('leaves out %s', (path) => {
    expect(isIgnored(rules, path)).toBe(true);
  });

  it('leaves out every test, secret and local-data file of the working tree', () => {
    const leaked = inContext.filter((path) =>
      /(^|\/)(test|\.data|node_modules|dist|coverage)\/|\.spec\.ts$|(^|\/)\.env|\.pem$|\.tfstate/.test(path),
    );
    expect(leaked).toEqual([]);
  });

  it('sends only the build inputs: package.json, the lockfile, tsconfig, nest-cli.json, apps/ and libs/', () => {
    const outside = inContext.filter(
      (path) => !/^(package\.json|package-lock\.json|tsconfig\.json|nest-cli\.json|apps\/.+|libs\/.+)$/.test(path),
    );
    expect(outside).toEqual([]);
  });

  it('sends everything the build stage COPYs from the context, including every TypeScript source it compiles', () => {
    const fromContext = dockerfile.stages
      .flatMap((stage) => instructionsOf(stage, 'COPY'))
      .filter((copy) => !copy.flags.from)
      .flatMap((copy) => (copy.exec ?? splitWords(copy.args)).slice(0, -1));
    expect(new Set(fromContext)).toEqual(new Set(['package.json', 'package-lock.json', 'tsconfig.json', 'nest-cli.json', 'libs', 'apps']));
    for (const source of fromContext) {
      const files = worktree.filter((path) => path === source || path.startsWith(`${source}/`));
      expectWith(files.length, `${source} exists in the working tree`).toBeGreaterThan(0);
      expectWith(
        files.filter((path) => !path.endsWith('.spec.ts') && isIgnored(rules, path)),
        `${source} is in the context`,
      ).toEqual([]);
    }
    const sources = worktree.filter((path) => /^(apps|libs)\/.*\.ts$/.test(path) && !path.endsWith('.spec.ts'));
    expect(sources.length).toBeGreaterThan(20);
    expect(sources.filter((path) => isIgnored(rules, path))).toEqual([]);
  });
});
