import 'reflect-metadata';
import { runService } from '#libs/platform/src/index.js';
import { writerService } from './writer.module.js';

await runService(writerService);
