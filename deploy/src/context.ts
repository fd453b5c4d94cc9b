import { Option, type Command } from 'commander';
import { z } from 'zod';
import type { AwsClients } from './aws/clients.js';
import type { Deps } from './deps.js';
import { formatError, type CliError } from './errors.js';
import { ListrProgress } from './output/listr.js';
import { PlainProgress } from './output/plain.js';
import type { Progress } from './output/progress.js';
import type { PollOptions } from './poll/poller.js';
import { loadTargets } from './targets/load-targets.js';
import type { Targets } from './targets/schema.js';

/** Options every command takes: where the targets come from, and how to print. */
export function addCommonOptions(cmd: Command): Command {
  return cmd
    .option('-e, --env <env>', 'environment: reads `terraform -chdir=terraform/envs/<env> output -json`')
    .option('--targets <file>', 'read the outputs from a JSON file instead (env DEPLOY_TARGETS)')
    .option(
      '--set <key=value>',
      'override one output value, e.g. --set services.reader.service_name=x (repeatable)',
      (v: string, prev: string[] = []) => [...prev, v],
    )
    .option('--region <region>', 'AWS region (default: the aws_region output, then AWS_REGION)')
    .option('--json', 'print one JSON document on stdout (progress stays on stderr)')
    .addOption(new Option('--plain', 'plain timestamped progress lines even on a TTY (default in CI)'))
    .option('-y, --yes', 'assume yes to confirmations (required without a TTY)');
}

export const commonSchema = z.object({
  env: z
    .string()
    .regex(/^[a-z0-9_-]+$/i, 'letters, digits, - and _ only')
    .optional(),
  targets: z.string().optional(),
  set: z.array(z.string()).default([]),
  region: z.string().optional(),
  json: z.boolean().default(false),
  plain: z.boolean().default(false),
  yes: z.boolean().default(false),
});
export type CommonOptions = z.infer<typeof commonSchema>;

/** What every command has: the outside world, its options, and where output goes. */
export interface BaseContext {
  deps: Deps;
  common: CommonOptions;
  aws: AwsClients;
  progress: Progress;
  /** Human result text on stdout (never used with --json). */
  print(text: string): void;
  /** The JSON result document on stdout. */
  json(doc: unknown): void;
  /** An error as the funnel shows it (one line and a fix, on stderr), for actions that also printed a result. */
  printError(e: CliError): void;
  now(): number;
}

/** A command that operates an env Terraform has applied: the outputs are its targets. */
export interface Context extends BaseContext {
  targets: Targets;
  targetsOrigin: string;
}

export function createProgress(deps: Deps, common: Pick<CommonOptions, 'json' | 'plain'>): Progress {
  if (deps.interactive && !common.json && !common.plain) return new ListrProgress(deps.stderr);
  return new PlainProgress(deps.stderr, deps.now);
}

/** The parts of a context that only print: result text and JSON on stdout, errors on stderr. */
export function outputs(deps: Deps): Pick<BaseContext, 'print' | 'json' | 'printError' | 'now'> {
  return {
    print: (text) => deps.stdout.write(text.endsWith('\n') ? text : `${text}\n`),
    json: (doc) => deps.stdout.write(`${JSON.stringify(doc, null, 2)}\n`),
    printError: (e) => deps.stderr.write(formatError(e)),
    now: () => deps.now().getTime(),
  };
}

/** Reads the targets (Terraform's outputs) and builds the clients; `progress` is shared when one command runs another. */
export async function openContext(deps: Deps, common: CommonOptions, progress = createProgress(deps, common)): Promise<Context> {
  const root = await deps.git.root().catch(() => deps.cwd);
  const { targets, origin } = await loadTargets(
    {
      env: common.env,
      file: common.targets ?? deps.env.DEPLOY_TARGETS,
      inline: deps.env.DEPLOY_TARGETS_JSON,
      overrides: common.set,
      root,
    },
    deps.terraform,
  );
  const region = common.region ?? targets.aws_region ?? deps.env.AWS_REGION;
  if (deps.env.AWS_REGION && deps.env.AWS_REGION !== region) {
    progress.note(`note: AWS_REGION=${deps.env.AWS_REGION} but the targets live in ${region}; using ${region}`);
  }
  return {
    deps,
    common,
    targets,
    targetsOrigin: origin,
    aws: deps.createAws(region),
    progress,
    ...outputs(deps),
  };
}

/** Durations like 90s, 15m, 1h, or plain seconds. */
export const durationSchema = z
  .string()
  .regex(/^\d+(ms|s|m|h)?$/, 'expected a duration like 90s, 15m or 1h')
  .transform((v) => {
    const m = /^(\d+)(ms|s|m|h)?$/.exec(v)!;
    const n = Number(m[1]);
    const unit = m[2] ?? 's';
    return n * { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 }[unit as 'ms' | 's' | 'm' | 'h'];
  });

/** The poller's clock, sleep and backoff for a command's wait of `timeoutMs` (tests run it on a simulated clock). */
export function pollTiming(ctx: Pick<BaseContext, 'deps' | 'now'>, timeoutMs: number): PollOptions {
  return {
    intervalMs: ctx.deps.timing.pollMs,
    maxIntervalMs: ctx.deps.timing.maxPollMs,
    deadline: ctx.now() + timeoutMs,
    now: ctx.now,
    sleep: ctx.deps.sleep,
  };
}
