// setupFilesAfterEnv of the "services" project. Jest's testTimeout is a run-wide option; this project's
// tests start real processes and PostgreSQL databases on a busy 2-core CI machine, so they get 60 s each.
import { jest } from '@jest/globals';

jest.setTimeout(60_000);
