import 'reflect-metadata';
import { runService } from '#libs/platform';
import { readerService } from './reader.module.js';

await runService(readerService);
