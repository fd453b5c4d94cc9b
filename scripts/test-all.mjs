// `npm test`: every suite in one command, ending with one machine-readable line "N passed, N failed".
//   1. Jest: unit tests, e2e tests over real HTTP against a real PostgreSQL, the deploy CLI tests, and the
//      images suite (both images built from the Dockerfile and run like the Fargate task: npm run test:images)
//   2. compose: docker-compose.yml's stack brought up for real with podman and podman-compose
//      (test/compose/stack.ts), then the Jest project `compose` (the e2e suite against the stack's database,
//      requests through its gateway), then the stack removed, whatever happened
//   3. drill: the canary drill (test/canary), the Jest project `drill`: the previous commit's images and this
//      checkout's behind a weighted gateway on one PostgreSQL, shifted 0 -> 10 -> 100 % under load with zero
//      failed requests (npm run test:drill); its containers removed afterwards, whatever happened
//   4. terraform: fmt, validate and `terraform test` of every module and environment (npm run test:infra)
// Extra arguments go to Jest (e.g. `npm test -- test/e2e/reader.e2e.spec.ts`) and skip steps 2 to 4;
// --skip-compose skips step 2, --skip-drill step 3, --skip-infra step 4; --compose-only runs step 2 alone,
// --drill-only step 3 alone.
import './require-node.mjs';
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);
const skipInfra = args.includes('--skip-infra');
const skipCompose = args.includes('--skip-compose');
const composeOnly = args.includes('--compose-only');
const skipDrill = args.includes('--skip-drill');
const drillOnly = args.includes('--drill-only');
const onlyOne = composeOnly || drillOnly;
const jestArgs = args.filter((arg) => !['--skip-infra', '--skip-compose', '--compose-only', '--skip-drill', '--drill-only'].includes(arg));
// Bounds of the compose step: image builds included (a cold machine builds five), then the Jest project.
const COMPOSE_UP_LIMIT_MS = 30 * 60_000;
const COMPOSE_TESTS_LIMIT_MS = 15 * 60_000;
// Bound of the drill step: four image builds when the cache is cold, then ~1 minute of stages (its Jest
// project bounds each step inside; a warm run takes 2-4 minutes).
const DRILL_LIMIT_MS = 60 * 60_000;
const totals = { passed: 0, failed: 0, skipped: 0 };
let exitCode = 0;

let current; // the step running now: a signal to this process stops it before the compose stack is removed
function run(command, commandArgs, { capture = false, timeoutMs, ownGroup = false } = {}) {
  return new Promise((resolve) => {
    const child = spawn(command, commandArgs, {
      cwd: root,
      stdio: ['ignore', capture ? 'pipe' : 'inherit', 'inherit'],
      // The compose steps lead a process group, so a signal stops podman-compose and podman under them too.
      detached: ownGroup,
    });
    current = child;
    let output = '';
    let timedOut = false;
    child.stdout?.on('data', (chunk) => {
      output += chunk;
      process.stdout.write(chunk);
    });
    const timer =
      timeoutMs &&
      setTimeout(() => {
        timedOut = true;
        signalStep(child, 'SIGTERM', ownGroup);
        setTimeout(() => signalStep(child, 'SIGKILL', ownGroup), 10_000).unref();
      }, timeoutMs);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? (signal ? 1 : 0), output, timedOut });
    });
  });
}

function signalStep(child, name, group) {
  try {
    process.kill(group ? -child.pid : child.pid, name);
  } catch {
    // already gone
  }
}

/** Adds a Jest --json report to the totals; a missing or unreadable one is a failure. */
function countJest(reportFile, code) {
  try {
    const report = JSON.parse(readFileSync(reportFile, 'utf8'));
    totals.passed += report.numPassedTests;
    totals.failed += report.numFailedTests;
    totals.skipped += report.numPendingTests + (report.numTodoTests ?? 0);
    // A suite that failed to load (syntax error, failing beforeAll import) has no tests but still failed.
    totals.failed += report.numRuntimeErrorTestSuites;
  } catch {
    totals.failed += 1;
  }
  if (code !== 0) exitCode = 1;
}

/**
 * A step that leaves containers behind when it is killed (compose, drill): a signal to this process stops the
 * running child, then `removeContainers` cleans up, then this process exits 130 (SIGINT) or 143 (SIGTERM).
 */
async function withContainerCleanup(name, removeContainers, step) {
  const onSignal = (signal) => {
    if (current) signalStep(current, 'SIGKILL', true);
    removeContainers();
    process.exit(signal === 'SIGINT' ? 130 : 143);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const startedAt = Date.now();
  try {
    await step();
  } finally {
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
    process.stderr.write(`[${name}] step finished in ${Math.round((Date.now() - startedAt) / 1000)} s\n`);
  }
}

const tsx = createRequire(import.meta.url).resolve('tsx/cli');

// 1. Jest (scripts/jest.mjs: Node's ES-module support for Jest), every project but compose and drill (steps 2, 3)
mkdirSync(`${root}/.test-results`, { recursive: true });
if (!onlyOne) {
  const jest = await run(process.execPath, [
    'scripts/jest.mjs',
    '--json',
    '--outputFile=.test-results/jest.json',
    ...jestArgs,
    // Last: --ignoreProjects takes every word after it as a project name, file patterns included.
    '--ignoreProjects',
    'compose',
    'drill',
  ]);
  countJest(`${root}/.test-results/jest.json`, jest.code);
}

// 2. compose
if (!skipCompose && !drillOnly && jestArgs.length === 0) {
  const stack = (command, timeoutMs) => run(process.execPath, [tsx, 'test/compose/stack.ts', command], { timeoutMs, ownGroup: true });
  const removeStack = () => spawnSync(process.execPath, [tsx, 'test/compose/stack.ts', 'down'], { cwd: root, stdio: 'inherit' });
  await withContainerCleanup('compose', removeStack, async () => {
    rmSync(`${root}/.test-results/compose`, { recursive: true, force: true });
    const up = await stack('up', COMPOSE_UP_LIMIT_MS);
    if (up.code === 3 && process.env.CI !== 'true') {
      process.stderr.write('podman is not installed: skipping the compose tests (apt-get install podman runc podman-compose)\n');
    } else if (up.code !== 0) {
      if (up.timedOut) process.stderr.write(`[compose] the stack was not up within ${COMPOSE_UP_LIMIT_MS / 60_000} minutes\n`);
      totals.failed += 1;
      exitCode = 1;
    } else {
      const composeTests = await run(
        process.execPath,
        ['scripts/jest.mjs', '--selectProjects', 'compose', '--json', '--outputFile=.test-results/compose/jest.json'],
        { timeoutMs: COMPOSE_TESTS_LIMIT_MS, ownGroup: true },
      );
      countJest(`${root}/.test-results/compose/jest.json`, composeTests.code);
    }
    await stack('down', 180_000);
  });
}

// 3. drill: the Jest project removes its containers itself; `drill.ts down` again after it (a timeout, a crash)
// and on a signal.
if (!skipDrill && !composeOnly && jestArgs.length === 0) {
  const removeDrill = () =>
    spawnSync(process.execPath, [tsx, 'test/canary/support/drill.ts', 'down'], { cwd: root, stdio: 'inherit', timeout: 180_000 });
  await withContainerCleanup('drill', removeDrill, async () => {
    rmSync(`${root}/.test-results/canary/jest.json`, { force: true });
    mkdirSync(`${root}/.test-results/canary`, { recursive: true });
    const drill = await run(
      process.execPath,
      ['scripts/jest.mjs', '--selectProjects', 'drill', '--json', '--outputFile=.test-results/canary/jest.json'],
      { timeoutMs: DRILL_LIMIT_MS, ownGroup: true },
    );
    if (drill.timedOut) process.stderr.write(`[drill] the canary drill did not finish within ${DRILL_LIMIT_MS / 60_000} minutes\n`);
    countJest(`${root}/.test-results/canary/jest.json`, drill.code);
    removeDrill(); // nothing left after a clean run; what a killed or crashed Jest left otherwise
  });
}

// 4. terraform
if (!skipInfra && !onlyOne && jestArgs.length === 0) {
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
