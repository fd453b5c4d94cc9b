import { runCli } from './cli.js';
import { createDefaultDeps } from './deps.js';
import { crashGuard } from './errors.js';

// Last line of defence: a promise nobody awaited still ends as one line and a fix, never a stack trace.
const guard = crashGuard(process.stderr, (code) => (process.exitCode = code));
process.on('unhandledRejection', guard);
process.on('uncaughtException', guard);

// process.exitCode, not process.exit(): let listr2 and stdout finish rendering.
process.exitCode = await runCli(process.argv.slice(2), createDefaultDeps());
