import 'reflect-metadata';
import { runService } from '#libs/platform/src/index.js';
import { readerService } from './reader.module.js';

await runService(readerService);
