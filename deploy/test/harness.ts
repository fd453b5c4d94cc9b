/**
 * Test/demo harness: real CLI program (runCli), real AWS SDK clients mocked by aws-sdk-client-mock
 * (FakeAws), the fake `docker` and `terraform` executables from deploy/test/bin on PATH, a fake git,
 * a simulated clock (sleep advances it instantly), and a smoke-check server on 127.0.0.1.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, existsSync, writeFileSync } from 'node:fs';
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
import { PollAbortedError, sleep as realSleep } from '../src/poll/poller.js';

export const TEST_DIR = dirname(fileURLToPath(import.meta.url));
export const BIN_DIR = join(TEST_DIR, 'bin');
/** What `terraform output -json` prints for each env (dev: ROLLING, prod: CANARY); the fakes are named after them. */
export const FIXTURES = {
  dev: join(TEST_DIR, 'fixtures', 'terraform-output.dev.json'),
  prod: join(TEST_DIR, 'fixtures', 'terraform-output.prod.json'),
} as const;
export const FIXTURE = FIXTURES.dev;
export const REPO_ROOT = join(TEST_DIR, '..', '..');
export const COMMIT = '3f9c2a1b7d4e5f60718293a4b5c6d7e8f9012345';

export interface HarnessOptions {
  /** Link the fake AWS to the fake docker, so pushed images show up in ECR. */
  aws?: { dockerLog?: string; worldFile?: string; writeWorld?(): void; clock?: () => number };
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
  /** Press Ctrl-C on the first sleep at which this holds (simulated clock only). */
  interruptWhen?: () => boolean;
  /** Where a prompt reads its answer (a PassThrough with isTTY set, for the pause confirmation). */
  stdin?: Deps['stdin'];
  /** `init`/`destroy`: a repository root of their own (see makeSetupRoot) and the stateful fake terraform. */
  setup?: { root: string };
  /** Executables that are not there (`missing terraform`): TERRAFORM_BIN / DOCKER_BIN pointing nowhere. */
  missing?: ('terraform' | 'docker')[];
  /** More environment for the fakes, e.g. FAKE_TERRAFORM_APPLY_FAIL. */
  env?: Record<string, string>;
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
    ...(opts.setup
      ? { FAKE_TERRAFORM_STATE_DIR: join(opts.setup.root, '.fake-terraform'), FAKE_AWS_WORLD: join(opts.setup.root, '.fake-aws.json') }
      : {}),
    ...opts.env,
  };
  if (opts.aws) opts.aws.dockerLog = dockerLog;
  if (opts.aws && opts.setup) {
    opts.aws.worldFile = env.FAKE_AWS_WORLD;
    opts.aws.writeWorld?.();
  }
  const root = opts.setup?.root ?? REPO_ROOT;
  const out = collector(opts.tee?.stdout);
  const err = collector(opts.tee?.stderr);
  const clock = { now: Date.UTC(2026, 10, 27, 12, 0, 0) };
  if (opts.aws && !opts.realTime) opts.aws.clock = () => clock.now;
  let sleeps = 0;
  const interruptHandlers = new Set<() => void>();
  const git: GitRunner = {
    head: async () => COMMIT,
    isDirty: async () => false,
    root: async () => root,
    ...opts.git,
  };
  const deps = createDefaultDeps({
    env,
    cwd: root,
    stdin: opts.stdin ?? Object.assign(new PassThrough(), { isTTY: false }),
    stdout: out.stream,
    stderr: err.stream,
    interactive: opts.interactive ?? false,
    now: opts.realTime ? () => new Date() : () => new Date(clock.now),
    sleep: opts.realTime
      ? realSleep
      : async (ms, signal) => {
          if (++sleeps === opts.interruptOnSleep || opts.interruptWhen?.()) interruptHandlers.forEach((h) => h());
          if (signal?.aborted) throw new PollAbortedError('aborted');
          clock.now += ms;
          await new Promise((r) => setImmediate(r));
        },
    createAws: (region) => createAwsClients(region, env),
    docker: new DockerCli(opts.missing?.includes('docker') ? join(dir, 'no-docker') : 'docker', env),
    git,
    terraform: new TerraformCli(opts.missing?.includes('terraform') ? join(dir, 'no-terraform') : 'terraform', env),
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

/**
 * A repository root for `init`/`destroy`: the real env roots' variables.tf and main.tf (what the CLI reads
 * before Terraform has outputs), and a folder for the fake terraform's state. backend.hcl lands here, not in
 * the real repository.
 */
export function makeSetupRoot(tfvars: Partial<Record<'dev' | 'prod', string>> = {}): string {
  const root = mkdtempSync(join(tmpdir(), 'deploy-setup-'));
  for (const env of ['dev', 'prod'] as const) {
    const dir = join(root, 'terraform', 'envs', env);
    mkdirSync(dir, { recursive: true });
    for (const f of ['variables.tf', 'main.tf']) copyFileSync(join(REPO_ROOT, 'terraform', 'envs', env, f), join(dir, f));
    if (tfvars[env]) writeFileSync(join(dir, 'terraform.tfvars'), tfvars[env]);
  }
  mkdirSync(join(root, '.fake-terraform'));
  return root;
}

/**
 * An env as `init` leaves it, made with the fake terraform directly (no deploy): backend.hcl, an initialised
 * backend and an applied state, for `destroy` to start from.
 */
export function applyEnv(root: string, env: 'dev' | 'prod', bucket = 'library-tfstate-123456789012-eu-west-1'): void {
  const dir = join(root, 'terraform', 'envs', env);
  writeFileSync(
    join(dir, 'backend.hcl'),
    `bucket = "${bucket}"\nkey = "library/${env}/terraform.tfstate"\nregion = "eu-west-1"\nuse_lockfile = true\n`,
  );
  const tfEnv = { ...process.env, FAKE_TERRAFORM_STATE_DIR: join(root, '.fake-terraform'), FAKE_TERRAFORM_OUTPUT: FIXTURE };
  const tf = (...args: string[]) => execFileSync(join(BIN_DIR, 'terraform'), [`-chdir=${dir}`, ...args], { env: tfEnv, stdio: 'pipe' });
  const plan = join(root, `${env}.seed.tfplan`);
  tf('init', '-input=false', '-backend-config=backend.hcl');
  tf('plan', '-input=false', `-out=${plan}`);
  tf('apply', '-input=false', plan);
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
