// `npm test`: every suite in one command, ending with one machine-readable line "N passed, N failed".
//   1. Jest: unit tests, e2e tests over real HTTP against a real PostgreSQL, the deploy CLI tests, and the
//      images suite (both images built from the Dockerfile and run like the Fargate task: npm run test:images)
//   2. terraform: fmt, validate and `terraform test` of every module and environment (npm run test:infra)
// Extra arguments go to Jest (e.g. `npm test -- test/e2e/reader.e2e.spec.ts`); --skip-infra skips step 2.
import './require-node.mjs';
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);
const skipInfra = args.includes('--skip-infra');
const jestArgs = args.filter((arg) => arg !== '--skip-infra');
const totals = { passed: 0, failed: 0, skipped: 0 };
let exitCode = 0;

function run(command, commandArgs, { capture = false } = {}) {
  return new Promise((resolve) => {
    const child = spawn(command, commandArgs, { cwd: root, stdio: ['ignore', capture ? 'pipe' : 'inherit', 'inherit'] });
    let output = '';
    child.stdout?.on('data', (chunk) => {
      output += chunk;
      process.stdout.write(chunk);
    });
    child.on('close', (code, signal) => resolve({ code: code ?? (signal ? 1 : 0), output }));
  });
}

// 1. Jest (scripts/jest.mjs: Node's ES-module support for Jest)
mkdirSync(`${root}/.test-results`, { recursive: true });
const jest = await run(process.execPath, ['scripts/jest.mjs', '--json', '--outputFile=.test-results/jest.json', ...jestArgs]);
try {
  const report = JSON.parse(readFileSync(`${root}/.test-results/jest.json`, 'utf8'));
  totals.passed += report.numPassedTests;
  totals.failed += report.numFailedTests;
  totals.skipped += report.numPendingTests + (report.numTodoTests ?? 0);
  // A suite that failed to load (syntax error, failing beforeAll import) has no tests but still failed.
  totals.failed += report.numRuntimeErrorTestSuites;
} catch {
  totals.failed += 1;
}
if (jest.code !== 0) exitCode = 1;

// 2. terraform
if (!skipInfra && jestArgs.length === 0) {
  const hasTerraform = spawnSync('terraform', ['version'], { stdio: 'ignore' }).status === 0;
  if (!hasTerraform && process.env.CI !== 'true') {
    process.stderr.write('terraform is not installed: skipping the infrastructure tests (npm run test:infra)\n');
  } else {
    const infra = await run('bash', ['terraform/scripts/test.sh'], { capture: true });
    const summaries = [...infra.output.matchAll(/(\d+) passed, (\d+) failed/g)];
    for (const [, passed, failed] of summaries) {
      totals.passed += Number(passed);
      totals.failed += Number(failed);
    }
    if (infra.code !== 0) {
      exitCode = 1;
      if (summaries.every(([, , failed]) => failed === '0')) totals.failed += 1; // fmt/validate failed
    }
  }
}

process.stdout.write(`\n${totals.passed} passed, ${totals.failed} failed${totals.skipped ? `, ${totals.skipped} skipped` : ''}\n`);
process.exitCode = exitCode || (totals.failed > 0 ? 1 : 0);
