import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from '@jest/globals';
import { expectWith } from '../../test/support/expect-with.js';
import { BIN_DIR, REPO_ROOT } from './harness.js';

const run = promisify(execFile);

/** The real entry point (`npm run deploy` = `tsx deploy/src/main.ts`), only on paths that never reach AWS. */
async function main(args: string[], env: NodeJS.ProcessEnv = {}) {
  try {
    const r = await run(join(REPO_ROOT, 'node_modules', '.bin', 'tsx'), [join(REPO_ROOT, 'deploy', 'src', 'main.ts'), ...args], {
      cwd: REPO_ROOT,
      env: {
        ...process.env,
        PATH: `${BIN_DIR}:${process.env.PATH}`,
        CI: 'true',
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
        ...env,
      },
    });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

// Each test starts a tsx process: allow for a busy machine.
const SLOW = 60_000;

describe('src/main.ts (subprocess)', () => {
  it(
    '--help lists every command and exits 0',
    async () => {
      const r = await main(['--help']);
      expect(r.code).toBe(0);
      for (const c of [
        'deploy',
        'status',
        'logs',
        'history',
        'rollback',
        'migrate',
        'verify|doctor',
        'diff',
        'pause',
        'resume',
        'init',
        'destroy',
      ])
        expect(r.stdout).toContain(c);
    },
    SLOW,
  );

  it(
    'a usage error exits 2 through process.exitCode, JSON alone on stdout with --json',
    async () => {
      const r = await main(['rollback', '--json']);
      expect(r.code).toBe(2);
      expect(JSON.parse(r.stdout)).toEqual({
        ok: false,
        exitCode: 2,
        error: { message: 'invalid service: name one service, or pass --all', hint: 'see --help' },
      });
      expect(r.stderr).toContain('✖ invalid service');
    },
    SLOW,
  );

  it(
    'a terraform failure exits 3 with one line and a fix (fake terraform on PATH)',
    async () => {
      const r = await main(['status', '--env', 'dev'], { FAKE_TERRAFORM_FAIL: '1' });
      expectWith(r.code, r.stderr).toBe(3);
      expect(r.stderr).toMatch(/^✖ terraform output failed for env "dev" .*Backend initialization required.*\n {2}fix: /);
      expect(r.stdout).toBe('');
    },
    SLOW,
  );
});
