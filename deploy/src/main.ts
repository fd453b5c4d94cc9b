import { runCli } from './cli.js';
import { createDefaultDeps } from './deps.js';

// process.exitCode, not process.exit(): let listr2 and stdout finish rendering.
process.exitCode = await runCli(process.argv.slice(2), createDefaultDeps());
