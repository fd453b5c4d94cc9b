// Runs Jest with Node's ES-module support for its VM contexts (`--experimental-vm-modules`: the apps and
// NestJS 12 are ES modules), forwarding every argument. `npm run test:unit` = `node scripts/jest.mjs --selectProjects unit`.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';

const jestBin = createRequire(import.meta.url).resolve('jest/bin/jest');
const child = spawn(
  process.execPath,
  ['--experimental-vm-modules', '--disable-warning=ExperimentalWarning', jestBin, ...process.argv.slice(2)],
  { stdio: 'inherit' },
);
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => {
  process.exitCode = code ?? (signal ? 1 : 0);
});
