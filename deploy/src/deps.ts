import type { Readable, Writable } from 'node:stream';
import { createAwsClients, type AwsClients } from './aws/clients.js';
import { DockerCli, type DockerRunner } from './docker/docker.js';
import { GitCli, type GitRunner } from './git/git.js';
import { sleep } from './poll/poller.js';
import { TerraformCli, type Terraform } from './targets/terraform.js';

export interface Timing {
  /** First delay between polls of a deployment. */
  pollMs: number;
  /** Backoff ceiling between polls. */
  maxPollMs: number;
  /** Delay between reads of a task's log stream while it runs. */
  logPollMs: number;
  /** SDK waiter delays (seconds) for the migration task. */
  waiterMinDelaySec: number;
  waiterMaxDelaySec: number;
}

/** Everything the CLI touches in the outside world; tests and the demo replace parts of it. */
export interface Deps {
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** Where a confirmation is read from (only on a TTY). */
  stdin: Readable & { isTTY?: boolean };
  stdout: Writable;
  stderr: Writable;
  /** Whether stderr (where progress goes) is an interactive terminal. */
  interactive: boolean;
  now: () => Date;
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  createAws: (region: string) => AwsClients;
  docker: DockerRunner;
  git: GitRunner;
  terraform: Terraform;
  fetch: typeof fetch;
  timing: Timing;
  /** Subscribe to Ctrl-C; returns the unsubscribe function. */
  onInterrupt: (handler: () => void) => () => void;
}

export const DEFAULT_TIMING: Timing = { pollMs: 5_000, maxPollMs: 15_000, logPollMs: 2_000, waiterMinDelaySec: 2, waiterMaxDelaySec: 10 };

export function createDefaultDeps(overrides: Partial<Deps> = {}): Deps {
  const env = overrides.env ?? process.env;
  const cwd = overrides.cwd ?? process.cwd();
  return {
    env,
    cwd,
    stdin: process.stdin,
    stdout: process.stdout,
    stderr: process.stderr,
    interactive: !!process.stderr.isTTY && !env.CI,
    now: () => new Date(),
    sleep,
    createAws: (region) => createAwsClients(region, env),
    docker: new DockerCli(env.DOCKER_BIN || 'docker', env),
    git: new GitCli(cwd),
    terraform: new TerraformCli(env.TERRAFORM_BIN || 'terraform', env),
    fetch: globalThis.fetch,
    timing: DEFAULT_TIMING,
    onInterrupt: (handler) => {
      process.once('SIGINT', handler);
      return () => process.off('SIGINT', handler);
    },
    ...overrides,
  };
}
