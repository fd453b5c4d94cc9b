import { runService } from '#libs/platform';
import { readerService } from './reader.module.js';

/** The reader's command line (`serve` or `migrate`), imported by main.ts once tracing is set up. */
await runService(readerService);
