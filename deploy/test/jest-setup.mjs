// setupFilesAfterEnv of the "deploy" project: each test runs the CLI end to end (20 s, on a busy CI machine).
import { jest } from '@jest/globals';

jest.setTimeout(20_000);
