import { runService } from '#libs/platform';
import { writerService } from './writer.module.js';

/** The writer's command line (`serve` or `migrate`), imported by main.ts once tracing is set up. */
await runService(writerService);
