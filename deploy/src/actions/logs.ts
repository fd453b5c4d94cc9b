import {
  DescribeLogGroupsCommand,
  FilterLogEventsCommand,
  StartLiveTailCommand,
  type FilteredLogEvent,
} from '@aws-sdk/client-cloudwatch-logs';
import { describeService } from '../aws/ecs.js';
import { describeTaskDefinition, streamPrefix } from '../aws/task-definition.js';
import { awslogsStream } from '../aws/logs.js';
import type { Context } from '../context.js';
import { CliError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import type { ServiceName } from '../targets/schema.js';

export interface LogsInput {
  service: ServiceName;
  sinceMs: number;
  follow: boolean;
  /** Stop following after this long (default: until interrupted). */
  followForMs?: number;
  task?: string;
  limit: number;
  /** Pretty-print JSON log lines (default: on a TTY). */
  pretty: boolean;
}

interface LogEvent {
  timestamp: number;
  stream: string;
  message: string;
}

/** Upper bound on events read for the recent window. */
const MAX_SCAN = 20_000;

const LEVELS: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };

/** A pino JSON line → `12:00:01 ERROR [task] msg  key=value…`; anything else is printed as it came. */
export function prettyLine(e: LogEvent): string {
  const time = new Date(e.timestamp).toISOString().slice(11, 23);
  const task = e.stream.split('/').pop()?.slice(0, 8) ?? '';
  const text = e.message.trimEnd();
  if (text.startsWith('{')) {
    try {
      const j = JSON.parse(text) as Record<string, unknown>;
      const level = typeof j.level === 'number' ? (LEVELS[j.level] ?? String(j.level)) : String(j.level ?? 'INFO').toUpperCase();
      const { level: _l, time: _t, msg, pid: _p, hostname: _h, ...rest } = j;
      const extra = Object.entries(rest)
        .map(([k, v]) => `${k}=${typeof v === 'object' ? JSON.stringify(v) : String(v)}`)
        .join(' ');
      return `${time} ${level.padEnd(5)} [${task}] ${String(msg ?? '')}${extra ? `  ${extra}` : ''}`;
    } catch {
      /* not JSON after all */
    }
  }
  return `${time} ${''.padEnd(5)} [${task}] ${text}`;
}

async function streamFilter(ctx: Context, input: LogsInput): Promise<{ logStreamNames?: string[] }> {
  if (!input.task) return {};
  const t = ctx.targets.services[input.service];
  const svc = await describeService(ctx.aws.ecs, ctx.targets.ecs_cluster_name, t.service_name);
  const { taskDefinition } = await describeTaskDefinition(ctx.aws.ecs, svc.taskDefinition!);
  const prefix = streamPrefix(taskDefinition, t.container_name) ?? 'ecs';
  return { logStreamNames: [awslogsStream(prefix, t.container_name, input.task.split('/').pop()!)] };
}

function missingGroup(err: unknown, group: string): never {
  if ((err as { name?: string }).name === 'ResourceNotFoundException') {
    throw new CliError(
      `log group ${group} does not exist`,
      ExitCode.Preflight,
      'run `terraform apply` for this env (or `deploy verify`); the service may never have started',
    );
  }
  throw err;
}

export async function logsAction(input: LogsInput, ctx: Context): Promise<ExitCode> {
  const group = ctx.targets.services[input.service].log_group_name;
  const filter = await streamFilter(ctx, input);
  const print = (e: LogEvent) => {
    if (ctx.common.json)
      ctx.deps.stdout.write(
        `${JSON.stringify({ timestamp: new Date(e.timestamp).toISOString(), stream: e.stream, message: e.message.trimEnd() })}\n`,
      );
    else ctx.deps.stdout.write(`${input.pretty ? prettyLine(e) : e.message.trimEnd()}\n`);
  };

  // The window (--since) is read oldest first; keep the newest --limit lines of it (scanning at most
  // MAX_SCAN events), then --follow continues from the last one.
  const seen = new Set<string>();
  let since = ctx.now() - input.sinceMs;
  let token: string | undefined;
  const recent: LogEvent[] = [];
  let scanned = 0;
  do {
    const res = await ctx.aws.logs
      .send(new FilterLogEventsCommand({ logGroupName: group, startTime: since, nextToken: token, ...filter }))
      .catch((err: unknown) => missingGroup(err, group));
    for (const e of (res.events ?? []) as FilteredLogEvent[]) {
      if (e.eventId) seen.add(e.eventId);
      recent.push({ timestamp: e.timestamp ?? 0, stream: e.logStreamName ?? '', message: e.message ?? '' });
      if (recent.length > input.limit) recent.shift();
      scanned++;
    }
    token = res.nextToken;
  } while (token && scanned < MAX_SCAN);
  if (token) ctx.progress.note(`showing the newest ${recent.length} of more than ${MAX_SCAN} lines; narrow --since or use --task`);
  for (const e of recent) {
    print(e);
    since = Math.max(since, e.timestamp);
  }
  if (!input.follow) return ExitCode.Ok;

  const until = input.followForMs !== undefined ? ctx.now() + input.followForMs : Infinity;
  const abort = new AbortController();
  const onSigint = () => abort.abort();
  process.once('SIGINT', onSigint);
  try {
    const live = await liveTail(ctx, group, filter, until, abort.signal, print);
    if (live === 'unavailable') await pollTail(ctx, group, filter, since, seen, until, abort.signal, print);
  } finally {
    process.off('SIGINT', onSigint);
  }
  return ExitCode.Ok;
}

/** CloudWatch Logs Live Tail; 'unavailable' when the endpoint or the role does not support it. */
async function liveTail(
  ctx: Context,
  group: string,
  filter: { logStreamNames?: string[] },
  until: number,
  signal: AbortSignal,
  print: (e: LogEvent) => void,
): Promise<'done' | 'unavailable'> {
  let arn: string | undefined;
  try {
    const res = await ctx.aws.logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: group }));
    const g = res.logGroups?.find((x) => x.logGroupName === group);
    if (!g) missingGroup({ name: 'ResourceNotFoundException' }, group);
    arn = g.logGroupArn ?? g.arn?.replace(/:\*$/, '');
    const session = await ctx.aws.logs.send(new StartLiveTailCommand({ logGroupIdentifiers: [arn!], ...filter }), { abortSignal: signal });
    ctx.progress.note(`following ${group} (Live Tail); Ctrl-C to stop`);
    for await (const ev of session.responseStream ?? []) {
      if (ev.sessionUpdate) {
        for (const r of ev.sessionUpdate.sessionResults ?? [])
          print({ timestamp: r.timestamp ?? 0, stream: r.logStreamName ?? '', message: r.message ?? '' });
      } else if (ev.SessionTimeoutException) {
        break;
      } else if (ev.SessionStreamingException) {
        throw Object.assign(new Error(ev.SessionStreamingException.message ?? 'live tail stream failed'), {
          name: 'SessionStreamingException',
        });
      }
      if (signal.aborted || ctx.now() >= until) break;
    }
    return 'done';
  } catch (err) {
    if (err instanceof CliError) throw err;
    if (signal.aborted) return 'done';
    ctx.progress.note(`Live Tail unavailable (${(err as Error).name}: ${(err as Error).message}); polling FilterLogEvents instead`);
    return 'unavailable';
  }
}

async function pollTail(
  ctx: Context,
  group: string,
  filter: { logStreamNames?: string[] },
  since: number,
  seen: Set<string>,
  until: number,
  signal: AbortSignal,
  print: (e: LogEvent) => void,
): Promise<void> {
  let from = since;
  while (!signal.aborted && ctx.now() < until) {
    let token: string | undefined;
    do {
      const res = await ctx.aws.logs.send(
        new FilterLogEventsCommand({ logGroupName: group, startTime: from, nextToken: token, ...filter }),
      );
      for (const e of res.events ?? []) {
        if (e.eventId && seen.has(e.eventId)) continue;
        if (e.eventId) seen.add(e.eventId);
        print({ timestamp: e.timestamp ?? 0, stream: e.logStreamName ?? '', message: e.message ?? '' });
        from = Math.max(from, e.timestamp ?? 0);
      }
      token = res.nextToken;
    } while (token);
    await ctx.deps.sleep(ctx.deps.timing.logPollMs, signal).catch(() => undefined);
  }
}
