import 'reflect-metadata';
import { runService } from '#libs/platform';
import { writerService } from './writer.module.js';

await runService(writerService);
