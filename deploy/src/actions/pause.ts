import { StopDBInstanceCommand } from '@aws-sdk/client-rds';
import {
  ListTagsForResourceCommand,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateServiceCommand,
  type Service,
} from '@aws-sdk/client-ecs';
import { setOutageAlarmActions } from '../aws/alarms.js';
import { describeServices, primaryDeployment } from '../aws/ecs.js';
import { dbStatus, startDatabase } from '../aws/rds.js';
import { pollTiming, type Context } from '../context.js';
import { CliError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import { poll, PollTimeoutError } from '../poll/poller.js';
import { isProduction, SERVICE_NAMES } from '../targets/schema.js';
import { confirm } from '../output/prompt.js';

/** Desired count before `pause`, kept on the ECS service itself so `resume` works from any machine. */
export const PAUSED_TAG = 'deploy:paused-desired-count';

export interface PauseInput {
  force: boolean;
  timeoutMs: number;
}

function refuseProduction(ctx: Context, input: PauseInput, verb: string): void {
  if (isProduction(ctx.targets) && !input.force) {
    throw new CliError(
      `refusing to ${verb} ${ctx.targets.environment}: it is marked production`,
      ExitCode.Usage,
      `pass --force if you really mean to ${verb} production`,
    );
  }
}

async function waitForServices(
  ctx: Context,
  timeoutMs: number,
  done: (running: number, desired: number, settled: boolean) => boolean,
  step: { update(l: string): void },
) {
  const names = SERVICE_NAMES.map((k) => ctx.targets.services[k].service_name);
  try {
    await poll(
      async () => {
        const svcs = await describeServices(ctx.aws.ecs, ctx.targets.ecs_cluster_name, names);
        const states = svcs.map((s) => {
          const p = primaryDeployment(s);
          return {
            name: s.serviceName!,
            running: s.runningCount ?? 0,
            desired: s.desiredCount ?? 0,
            settled: (s.deployments?.length ?? 0) === 1 && p?.rolloutState !== 'IN_PROGRESS',
          };
        });
        step.update(states.map((s) => `${s.name} ${s.running}/${s.desired}`).join(', '));
        return states.every((s) => done(s.running, s.desired, s.settled)) ? { done: true, value: undefined } : { done: false };
      },
      pollTiming(ctx, timeoutMs),
    );
  } catch (err) {
    if (err instanceof PollTimeoutError)
      throw new CliError(
        `services did not settle within ${Math.round(timeoutMs / 1000)}s`,
        ExitCode.Timeout,
        '`deploy status` shows where they are',
      );
    throw err;
  }
}

/** Both services, each with the desired count `pause` saved on it (a tag), if any. */
async function servicesWithSavedCounts(ctx: Context): Promise<{ service: Service; saved?: number }[]> {
  const { aws, targets } = ctx;
  const names = SERVICE_NAMES.map((k) => targets.services[k].service_name);
  const out = [];
  for (const service of await describeServices(aws.ecs, targets.ecs_cluster_name, names)) {
    const tags = (await aws.ecs.send(new ListTagsForResourceCommand({ resourceArn: service.serviceArn! }))).tags ?? [];
    const saved = tags.find((t) => t.key === PAUSED_TAG)?.value;
    out.push({ service, saved: saved === undefined ? undefined : Number(saved) });
  }
  return out;
}

export async function pauseAction(input: PauseInput, ctx: Context): Promise<ExitCode> {
  refuseProduction(ctx, input, 'pause');
  await confirm(ctx, `Scale ${ctx.targets.environment}'s services to 0 and stop database ${ctx.targets.database.instance_identifier}?`);
  const { aws, targets, progress } = ctx;
  const svcs = await servicesWithSavedCounts(ctx);
  // A pause trips the outage alarms on purpose (no healthy target, no database metrics): their actions go off
  // first, so nobody is paged for it; resume turns them on again.
  const silenced = targets.outage_alarm_names?.length
    ? await progress.step("Turn off the outage alarms' actions", async (step) => {
        const names = await setOutageAlarmActions(aws.cloudwatch, targets.outage_alarm_names, false);
        step.update(names.join(', '));
        return names;
      })
    : [];
  const before: Record<string, number> = {};
  await progress.step('Scale services to 0', async (step) => {
    for (const { service: s, saved } of svcs) {
      // Pausing twice must not overwrite the count to restore with 0.
      const desired = saved !== undefined && (s.desiredCount ?? 0) === 0 ? saved : (s.desiredCount ?? 0);
      before[s.serviceName!] = desired;
      await aws.ecs.send(new TagResourceCommand({ resourceArn: s.serviceArn!, tags: [{ key: PAUSED_TAG, value: String(desired) }] }));
      await aws.ecs.send(new UpdateServiceCommand({ cluster: targets.ecs_cluster_name, service: s.serviceName!, desiredCount: 0 }));
      step.update(`${s.serviceName}: ${desired} → 0`);
    }
    await waitForServices(ctx, input.timeoutMs, (running) => running === 0, step);
  });
  const db = targets.database.instance_identifier;
  await progress.step(`Stop database ${db}`, async (step) => {
    const status = await dbStatus(aws.rds, db);
    if (status === 'stopped' || status === 'stopping') return step.skip(`already ${status}`);
    // StopDBInstance is accepted only for an available instance (RDS API reference: InvalidDBInstanceStateFault).
    if (status !== 'available') {
      throw new CliError(
        `database ${db} is ${status}: RDS stops only an available instance (the services are at 0 already)`,
        ExitCode.Preflight,
        'run `deploy pause` again once the instance is available (RDS console), or leave it running',
      );
    }
    await aws.rds.send(new StopDBInstanceCommand({ DBInstanceIdentifier: db }));
    step.update('stopping (RDS starts a stopped instance again by itself after 7 days)');
  });
  if (ctx.common.json)
    ctx.json({
      command: 'pause',
      env: targets.environment,
      desiredCountsBefore: before,
      database: { identifier: db, action: 'stop' },
      alarmActionsDisabled: silenced,
    });
  else
    ctx.print(
      `paused ${targets.environment}: ${Object.entries(before)
        .map(([n, c]) => `${n} ${c} → 0`)
        .join(', ')}; database ${db} stopping${
        silenced.length ? `; actions off on ${silenced.length} outage alarm(s)` : ''
      }. Resume with \`deploy resume --env ${ctx.common.env ?? targets.environment}\`.`,
    );
  return ExitCode.Ok;
}

export async function resumeAction(input: PauseInput, ctx: Context): Promise<ExitCode> {
  refuseProduction(ctx, input, 'resume');
  const { aws, targets, progress } = ctx;
  const db = targets.database.instance_identifier;
  const database = await progress.step(`Start database ${db} and wait until available`, (step) =>
    startDatabase(
      aws.rds,
      db,
      { ...pollTiming(ctx, input.timeoutMs), maxIntervalMs: ctx.deps.timing.maxPollMs * 2, timeoutMs: input.timeoutMs },
      step,
    ),
  );
  const svcs = await servicesWithSavedCounts(ctx);
  const restored: Record<string, number> = {};
  await progress.step('Restore desired counts and wait until stable', async (step) => {
    for (const { service: s, saved } of svcs) {
      if (saved === undefined) {
        restored[s.serviceName!] = s.desiredCount ?? 0;
        step.update(`${s.serviceName}: not paused by deploy (desired ${s.desiredCount}), left alone`);
        continue;
      }
      restored[s.serviceName!] = saved;
      await aws.ecs.send(new UpdateServiceCommand({ cluster: targets.ecs_cluster_name, service: s.serviceName!, desiredCount: saved }));
      step.update(`${s.serviceName}: 0 → ${saved}`);
    }
    await waitForServices(ctx, input.timeoutMs, (running, desired, settled) => running === desired && settled, step);
    for (const { service: s } of svcs) await aws.ecs.send(new UntagResourceCommand({ resourceArn: s.serviceArn!, tagKeys: [PAUSED_TAG] }));
  });
  // Only once everything is healthy again: the alarms see healthy targets and database metrics from here on.
  const alarmed = targets.outage_alarm_names?.length
    ? await progress.step("Turn the outage alarms' actions back on", async (step) => {
        const names = await setOutageAlarmActions(aws.cloudwatch, targets.outage_alarm_names, true);
        step.update(names.join(', '));
        return names;
      })
    : [];
  if (ctx.common.json)
    ctx.json({
      command: 'resume',
      env: targets.environment,
      desiredCounts: restored,
      database: { identifier: db, was: database.was, status: 'available' },
      alarmActionsEnabled: alarmed,
    });
  else
    ctx.print(
      `resumed ${targets.environment}: database ${db} available; ${Object.entries(restored)
        .map(([n, c]) => `${n} ${c}/${c} running`)
        .join(', ')}${alarmed.length ? `; actions on for ${alarmed.length} outage alarm(s)` : ''}`,
    );
  return ExitCode.Ok;
}
