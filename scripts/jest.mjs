// Runs Jest with Node's ES-module support for its VM contexts (`--experimental-vm-modules`: the apps and
// NestJS 12 are ES modules), forwarding every argument. `npm run test:unit` = `node scripts/jest.mjs --selectProjects unit`.
// The `compose` project runs against a stack scripts/test-all.mjs brings up, and `drill` (the canary drill) is a
// step of its own there, so both are left out unless named (`--selectProjects compose`): `npm run jest -- test/e2e/reader.e2e.spec.ts` runs the file once, on the
// run's own PostgreSQL.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';

const jestBin = createRequire(import.meta.url).resolve('jest/bin/jest');
const args = process.argv.slice(2);
const projectsNamed = args.some((arg) => /^--(selectProjects|ignoreProjects)(=|$)/.test(arg));
const child = spawn(
  process.execPath,
  [
    '--experimental-vm-modules',
    '--disable-warning=ExperimentalWarning',
    jestBin,
    ...args,
    // Last: --ignoreProjects takes every word after it as a project name, file patterns included.
    ...(projectsNamed ? [] : ['--ignoreProjects', 'compose', 'drill']),
  ],
  { stdio: 'inherit' },
);
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => {
  process.exitCode = code ?? (signal ? 1 : 0);
});
