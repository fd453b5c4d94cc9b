/**
 * Test/demo harness: real CLI program (runCli), real AWS SDK clients mocked by aws-sdk-client-mock
 * (FakeAws), the fake `docker` and `terraform` executables from deploy/test/bin on PATH, a fake git,
 * a simulated clock (sleep advances it instantly), and a smoke-check server on 127.0.0.1.
 */
import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { PassThrough, type Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { createAwsClients } from '../src/aws/clients.js';
import { runCli } from '../src/cli.js';
import { createDefaultDeps, type Deps } from '../src/deps.js';
import { DockerCli } from '../src/docker/docker.js';
import type { GitRunner } from '../src/git/git.js';
import { TerraformCli } from '../src/targets/terraform.js';
import { PollAbortedError, sleep as realSleep } from '../src/rollout/poller.js';

export const TEST_DIR = dirname(fileURLToPath(import.meta.url));
export const BIN_DIR = join(TEST_DIR, 'bin');
export const FIXTURE = join(TEST_DIR, 'fixtures', 'terraform-output.dev.json');
export const REPO_ROOT = join(TEST_DIR, '..', '..');
export const COMMIT = '3f9c2a1b7d4e5f60718293a4b5c6d7e8f9012345';

export interface HarnessOptions {
  /** Link the fake AWS to the fake docker, so pushed images show up in ECR. */
  aws?: { dockerLog?: string };
  git?: Partial<GitRunner>;
  dockerFail?: string;
  terraformFail?: boolean;
  interactive?: boolean;
  /** Write progress/results to these streams too (the demo passes process.stderr/stdout). */
  tee?: { stdout?: Writable; stderr?: Writable };
  /** Real-time sleeps (the demo), instead of the simulated clock. */
  realTime?: boolean;
  timing?: Partial<Deps['timing']>;
  /** Press Ctrl-C on the n-th sleep (simulated clock only). */
  interruptOnSleep?: number;
  /** Where a prompt reads its answer (a PassThrough with isTTY set, for the pause confirmation). */
  stdin?: Deps['stdin'];
}

export interface Harness {
  deps: Deps;
  run(argv: string[]): Promise<number>;
  stdout(): string;
  stderr(): string;
  dockerCalls(): string[][];
  terraformCalls(): string[][];
  clock: { now: number };
}

function collector(tee?: Writable): { stream: Writable; text: () => string } {
  const chunks: string[] = [];
  const stream = new PassThrough();
  stream.on('data', (c: Buffer) => {
    chunks.push(c.toString('utf8'));
    tee?.write(c);
  });
  return { stream, text: () => chunks.join('') };
}

export function makeHarness(opts: HarnessOptions = {}): Harness {
  const dir = mkdtempSync(join(tmpdir(), 'deploy-test-'));
  const dockerLog = join(dir, 'docker.jsonl');
  const terraformLog = join(dir, 'terraform.jsonl');
  const env: NodeJS.ProcessEnv = {
    PATH: `${BIN_DIR}:${process.env.PATH ?? ''}`,
    HOME: process.env.HOME,
    FAKE_DOCKER_LOG: dockerLog,
    FAKE_TERRAFORM_LOG: terraformLog,
    FAKE_TERRAFORM_OUTPUT: FIXTURE,
    ...(opts.dockerFail ? { FAKE_DOCKER_FAIL: opts.dockerFail } : {}),
    ...(opts.terraformFail ? { FAKE_TERRAFORM_FAIL: '1' } : {}),
    // The SDK must never find real credentials or reach AWS: every client is mocked anyway.
    AWS_ACCESS_KEY_ID: 'AKIATEST',
    AWS_SECRET_ACCESS_KEY: 'test',
  };
  if (opts.aws) opts.aws.dockerLog = dockerLog;
  const out = collector(opts.tee?.stdout);
  const err = collector(opts.tee?.stderr);
  const clock = { now: Date.UTC(2026, 10, 27, 12, 0, 0) };
  let sleeps = 0;
  const interruptHandlers = new Set<() => void>();
  const git: GitRunner = {
    head: async () => COMMIT,
    isDirty: async () => false,
    root: async () => REPO_ROOT,
    ...opts.git,
  };
  const deps = createDefaultDeps({
    env,
    cwd: REPO_ROOT,
    stdin: opts.stdin ?? Object.assign(new PassThrough(), { isTTY: false }),
    stdout: out.stream,
    stderr: err.stream,
    interactive: opts.interactive ?? false,
    now: opts.realTime ? () => new Date() : () => new Date(clock.now),
    sleep: opts.realTime
      ? realSleep
      : async (ms, signal) => {
          if (++sleeps === opts.interruptOnSleep) interruptHandlers.forEach((h) => h());
          if (signal?.aborted) throw new PollAbortedError('aborted');
          clock.now += ms;
          await new Promise((r) => setImmediate(r));
        },
    createAws: (region) => createAwsClients(region, env),
    docker: new DockerCli('docker', env),
    git,
    terraform: new TerraformCli('terraform', env),
    onInterrupt: (h) => {
      interruptHandlers.add(h);
      return () => interruptHandlers.delete(h);
    },
    timing: { pollMs: 5_000, maxPollMs: 15_000, logPollMs: 1_000, waiterMinDelaySec: 1, waiterMaxDelaySec: 2, ...opts.timing },
  });
  const lines = (file: string) => (existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n').filter(Boolean) : []);
  return {
    deps,
    clock,
    run: async (argv) => {
      const code = await runCli(argv, deps);
      await new Promise((r) => setImmediate(r));
      return code;
    },
    stdout: out.text,
    stderr: err.text,
    dockerCalls: () => lines(dockerLog).map((l) => (JSON.parse(l) as { args: string[] }).args),
    terraformCalls: () => lines(terraformLog).map((l) => JSON.parse(l) as string[]),
  };
}

/** A local stand-in for the ALB: GET /health/ready → reader answer, POST /health/ready → writer answer. */
export async function startAlb(
  answers: { reader?: [number, string]; writer?: [number, string] } = {},
): Promise<{ url: string; server: Server; hits: string[]; close(): Promise<void> }> {
  const hits: string[] = [];
  const server = createServer((req, res) => {
    hits.push(`${req.method} ${req.url}`);
    const [status, body] =
      req.method === 'GET'
        ? (answers.reader ?? [200, '{"status":"ok","info":{"database":{"status":"up"}}}'])
        : (answers.writer ?? [404, '{"statusCode":404,"message":"Cannot POST /health/ready","error":"Not Found"}']);
    res.writeHead(status, { 'content-type': body.startsWith('{') ? 'application/json' : 'text/html' });
    res.end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address() as { port: number };
  return { url: `http://127.0.0.1:${addr.port}`, server, hits, close: () => new Promise((r) => server.close(() => r())) };
}
