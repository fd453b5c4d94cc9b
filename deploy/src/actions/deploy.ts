import { DescribeImagesCommand, GetAuthorizationTokenCommand } from '@aws-sdk/client-ecr';
import type { Deployment, ECSClient, Service, Tag, TaskDefinition } from '@aws-sdk/client-ecs';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import {
  containerImage,
  describeServices,
  describeTaskDefinition,
  inProgressDeployment,
  primaryDeployment,
  registerTaskDefinition,
  revisionLabel,
  streamPrefix,
  updateService,
  withImage,
} from '../aws/ecs.js';
import type { Context } from '../context.js';
import { DockerError } from '../docker/docker.js';
import { CliError, toCliError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import { seconds, table } from '../output/table.js';
import type { FailedTask } from '../rollout/diagnose.js';
import { followDeployment, type Verdict } from '../rollout/follow.js';
import { MIGRATE_COMMAND, migrationRunTaskInput, runMigration, type MigrationResult } from '../rollout/migration.js';
import { PollAbortedError } from '../rollout/poller.js';
import { smokeCheck, type SmokeResult } from '../rollout/smoke.js';
import { parseRepositoryUrl, type ServiceName, type ServiceTarget } from '../targets/schema.js';

export interface DeployInput {
  services: ServiceName[];
  dryRun: boolean;
  atomic: boolean;
  maxFailedTasks?: number;
  timeoutMs: number;
  migrationTimeoutMs: number;
  force: boolean;
  allowDirty: boolean;
  /** docker buildx --platform; default: the live task definition's runtimePlatform.cpuArchitecture. */
  platform?: string;
  smoke: boolean;
  dockerfile?: string;
}

/** Tag keys written on every task definition the CLI registers; `history` and `rollback --to` read them. */
export const TAG = {
  commit: 'deploy:commit',
  digest: 'deploy:digest',
  imageTag: 'deploy:image-tag',
  actor: 'deploy:actor',
  time: 'deploy:time',
} as const;

interface ServicePlan {
  key: ServiceName;
  target: ServiceTarget;
  service: Service;
  live: TaskDefinition;
  liveImage?: string;
  streamPrefix?: string;
  repo: ReturnType<typeof parseRepositoryUrl>;
  /** repo:tag */
  imageRef: string;
  /** sha256:… once known (already in ECR, or after push). */
  digest?: string;
  /** repo@sha256:… */
  pinned?: string;
  needsBuild: boolean;
  unchanged: boolean;
  /** docker buildx --platform for this image */
  platform: string;
}

/** The platform the live revision runs on: building another one gives "exec format error" at start. */
export function platformOf(td: TaskDefinition): string {
  return td.runtimePlatform?.cpuArchitecture === 'ARM64' ? 'linux/arm64' : 'linux/amd64';
}

export type ServiceOutcome =
  'deployed' | 'unchanged' | 'rolled-back' | 'timeout' | 'rollback-failed' | 'planned' | 'not-started' | 'interrupted';

export interface ServiceReport {
  service: ServiceName;
  serviceName: string;
  previousTaskDefinition: string;
  previousImage: string | null;
  taskDefinition: string | null;
  image: string | null;
  digest: string | null;
  deploymentId: string | null;
  outcome: ServiceOutcome;
  reason: string | null;
  running: number;
  desired: number;
  failedTasks: FailedTask[];
  rollback: {
    deploymentId: string | null;
    taskDefinition: string;
    outcome: 'completed' | 'failed' | 'timeout';
    by: 'ecs' | 'deploy-cli';
    running: number;
    desired: number;
  } | null;
  durationMs: number;
}

export interface DeployReport {
  command: 'deploy';
  result: 'deployed' | 'no-change' | 'dry-run' | 'migration-failed' | 'rolled-back' | 'timeout' | 'rollback-failed' | 'interrupted';
  exitCode: ExitCode;
  env: string;
  cluster: string;
  commit: string;
  imageTag: string;
  actor: string;
  images: { service: ServiceName; image: string; digest: string | null; built: boolean }[];
  migration: (MigrationResult & { command: string[] }) | null;
  services: ServiceReport[];
  smoke: SmokeResult[];
  durationMs: number;
  error?: { message: string; hint: string | null };
}

function short(d: string | undefined | null): string {
  return d ? d.replace('sha256:', '').slice(0, 12) : '—';
}

function stamp(d: Date): string {
  return d
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
}

export async function deployAction(input: DeployInput, ctx: Context): Promise<ExitCode> {
  const { targets, aws, progress, deps } = ctx;
  const started = ctx.now();
  const cluster = targets.ecs_cluster_name;

  // ── preflight ────────────────────────────────────────────────────────────────────────────────
  const pre = await progress.step('Preflight: git, credentials, services, images', async (step) => {
    const commit = await deps.git.head();
    const dirty = await deps.git.isDirty();
    if (dirty && !input.allowDirty) {
      throw new CliError(
        'the working tree has uncommitted changes; the image tag must name a commit',
        ExitCode.Preflight,
        'commit your changes, or pass --allow-dirty (tags the image <commit>-dirty-<time>)',
      );
    }
    const imageTag = dirty ? `${commit}-dirty-${stamp(deps.now())}` : commit;
    step.update(`commit ${commit.slice(0, 12)}${dirty ? ' (dirty)' : ''}`);

    const who = await aws.sts.send(new GetCallerIdentityCommand({}));
    const actor = who.Arn ?? 'unknown';
    step.update(`credentials ok: ${actor}`);

    const names = input.services.map((k) => targets.services[k].service_name);
    const services = await describeServices(aws.ecs, cluster, names);
    const plans: ServicePlan[] = [];
    for (const [i, key] of input.services.entries()) {
      const target = targets.services[key];
      const service = services[i]!;
      const busy = inProgressDeployment(service);
      if (busy && !input.force && !(await isUnstartedBootstrap(aws.ecs, service, busy))) {
        throw new CliError(
          `a deployment of ${service.serviceName} is still in progress (${busy.id}, ${busy.rolloutState ?? busy.status}, ${revisionLabel(busy.taskDefinition)})`,
          ExitCode.Preflight,
          'wait for it (`deploy status`), or pass --force to deploy on top of it',
        );
      }
      const { taskDefinition: live } = await describeTaskDefinition(aws.ecs, service.taskDefinition!);
      const repo = parseRepositoryUrl(target.ecr_repository_url);
      plans.push({
        key,
        target,
        service,
        live,
        liveImage: containerImage(live, target.container_name),
        streamPrefix: streamPrefix(live, target.container_name),
        repo,
        imageRef: `${target.ecr_repository_url}:${imageTag}`,
        needsBuild: true,
        unchanged: false,
        platform: input.platform ?? platformOf(live),
      });
      if (input.platform && input.platform !== platformOf(live)) {
        progress.note(`warning: --platform ${input.platform}, but ${revisionLabel(live.taskDefinitionArn)} runs on ${platformOf(live)}`);
      }
    }

    // W-4: the tag is the commit; if ECR has it, skip build and push and pin its digest.
    for (const p of plans) {
      const digest = await ecrDigest(ctx, p, imageTag);
      if (digest) {
        p.digest = digest;
        p.pinned = `${p.target.ecr_repository_url}@${digest}`;
        p.needsBuild = false;
        p.unchanged = p.liveImage === p.pinned;
      }
    }
    if (!input.dryRun && plans.some((p) => p.needsBuild)) {
      try {
        await deps.docker.ping();
      } catch (err) {
        throw new CliError(
          `docker is not running or not reachable: ${(err as Error).message}`,
          ExitCode.Preflight,
          'start Docker Desktop (or dockerd), check `docker info`, then re-run',
          { cause: err },
        );
      }
    }
    return { commit, imageTag, actor, plans };
  });

  const { commit, imageTag, actor, plans } = pre;
  const report: DeployReport = {
    command: 'deploy',
    result: 'deployed',
    exitCode: ExitCode.Ok,
    env: targets.environment,
    cluster,
    commit,
    imageTag,
    actor,
    images: [],
    migration: null,
    services: [],
    smoke: [],
    durationMs: 0,
  };
  const reports = new Map<ServiceName, ServiceReport>();
  for (const p of plans) {
    reports.set(p.key, {
      service: p.key,
      serviceName: p.target.service_name,
      previousTaskDefinition: p.service.taskDefinition!,
      previousImage: p.liveImage ?? null,
      taskDefinition: null,
      image: p.pinned ?? null,
      digest: p.digest ?? null,
      deploymentId: null,
      outcome: 'not-started',
      reason: null,
      running: p.service.runningCount ?? 0,
      desired: p.service.desiredCount ?? 0,
      failedTasks: [],
      rollback: null,
      durationMs: 0,
    });
  }
  const finish = (result: DeployReport['result'], code: ExitCode): ExitCode => {
    report.result = result;
    report.exitCode = code;
    report.durationMs = ctx.now() - started;
    report.services = plans.map((p) => reports.get(p.key)!);
    report.images = plans.map((p) => ({
      service: p.key,
      image: p.imageRef,
      digest: p.digest ?? null,
      built: p.needsBuild && !input.dryRun,
    }));
    if (ctx.common.json) ctx.json(report);
    else if (result !== 'dry-run' && result !== 'migration-failed') ctx.print(summary(report));
    return code;
  };

  // ── no change (W-5) ───────────────────────────────────────────────────────────────────────────
  for (const p of plans) if (p.unchanged && !input.force) reports.get(p.key)!.outcome = 'unchanged';
  if (plans.every((p) => p.unchanged) && !input.force) {
    progress.note(`no change: ${plans.map((p) => `${p.key} already runs ${short(p.digest)}`).join(', ')}`);
    return finish('no-change', ExitCode.Ok);
  }

  // ── dry run: the exact plan, no mutating call ───────────────────────────────────────────────
  if (input.dryRun) {
    // Predict the revision numbers: the newest in each family + 1 (unless someone registers one first).
    const next = new Map<string, string>();
    for (const family of new Set([...plans.map((p) => p.target.task_family), targets.migration.task_family])) {
      const { taskDefinition: latest } = await describeTaskDefinition(aws.ecs, family);
      next.set(family, `${family}:${(latest.revision ?? 0) + 1}`);
    }
    for (const p of plans) {
      const r = reports.get(p.key)!;
      r.outcome = p.unchanged && !input.force ? 'unchanged' : 'planned';
      if (r.outcome === 'planned') r.taskDefinition = next.get(p.target.task_family)!;
    }
    if (!ctx.common.json) ctx.print(planText(ctx, input, pre, next));
    return finish('dry-run', ExitCode.Ok);
  }

  // ── build ∥ push ─────────────────────────────────────────────────────────────────────────────
  const toBuild = plans.filter((p) => p.needsBuild);
  if (toBuild.length) {
    await loginToEcr(ctx, toBuild);
    const context = await deps.git.root().catch(() => deps.cwd);
    try {
      await progress.parallel(
        toBuild.map((p) => ({
          title: `Build and push ${p.key} :${imageTag.slice(0, 12)}`,
          run: async (step) => {
            step.update(`docker buildx build --platform ${p.platform} --build-arg APP=${p.key}`);
            await deps.docker.build({
              app: p.key,
              image: p.imageRef,
              platform: p.platform,
              context,
              dockerfile: input.dockerfile,
              onLine: (l) => step.update(l.slice(0, 160)),
            });
            step.update(`docker push ${p.imageRef}`);
            await deps.docker.push(p.imageRef, (l) => step.update(l.slice(0, 160)));
            const local = await deps.docker.repoDigest(p.imageRef);
            const localDigest = local.slice(local.indexOf('@') + 1);
            const remote = await ecrDigest(ctx, p, imageTag);
            if (!remote) throw new CliError(`pushed ${p.imageRef} but ECR does not list the tag`, ExitCode.Build);
            if (remote !== localDigest) {
              throw new CliError(
                `ECR has ${p.imageRef} with digest ${remote}, but the pushed image is ${localDigest}`,
                ExitCode.Build,
                'tags are immutable and name a commit: someone pushed a different image under this tag; investigate before deploying',
              );
            }
            p.digest = remote;
            p.pinned = `${p.target.ecr_repository_url}@${remote}`;
            p.unchanged = p.liveImage === p.pinned;
            const r = reports.get(p.key)!;
            r.digest = remote;
            r.image = p.pinned;
            step.update(`pushed ${short(remote)}`);
          },
        })),
      );
    } catch (err) {
      if (err instanceof DockerError) {
        throw new CliError(
          err.step === 'build' ? `docker build failed: ${err.message}` : err.message,
          ExitCode.Build,
          err.step === 'build'
            ? 'fix the build (run the same `docker buildx build` locally), then deploy again'
            : 'check `docker login` to ECR and the network',
          { cause: err },
        );
      }
      throw err;
    }
  }

  for (const p of plans) if (p.unchanged && !input.force) reports.get(p.key)!.outcome = 'unchanged';
  const changing = plans.filter((p) => !p.unchanged || input.force);
  if (!changing.length) {
    progress.note('no change: the built images equal the running ones');
    return finish('no-change', ExitCode.Ok);
  }

  // ── register revisions (pinned by digest, tagged with commit, digest, actor, time) ──────────────
  const tags: (p: ServicePlan) => Tag[] = (p) => [
    { key: TAG.commit, value: commit },
    { key: TAG.digest, value: p.digest! },
    { key: TAG.imageTag, value: imageTag },
    { key: TAG.actor, value: actor.slice(0, 256) },
    { key: TAG.time, value: deps.now().toISOString() },
  ];
  const registered = new Map<ServiceName, TaskDefinition>();
  const writerPlan = changing.find((p) => p.key === 'writer');

  // ── migration gate (W-6): before either service changes ───────────────────────────────────────
  if (writerPlan) {
    const writerTd = await progress.step(`Register ${writerPlan.target.task_family} revision`, async (step) => {
      const td = await registerTaskDefinition(
        aws.ecs,
        withImage(writerPlan.live, writerPlan.target.container_name, writerPlan.pinned!, tags(writerPlan)),
      );
      step.update(revisionLabel(td.taskDefinitionArn));
      return td;
    });
    registered.set('writer', writerTd);
    let migrationTd = writerTd;
    if (targets.migration.task_family !== writerPlan.target.task_family) {
      migrationTd = await progress.step(`Register ${targets.migration.task_family} revision`, async () => {
        const { taskDefinition: base } = await describeTaskDefinition(aws.ecs, targets.migration.task_family);
        return registerTaskDefinition(aws.ecs, withImage(base, targets.migration.container_name, writerPlan.pinned!, tags(writerPlan)));
      });
    }
    try {
      report.migration = {
        command: MIGRATE_COMMAND,
        ...(await progress.step(
          `Migrate: run ${JSON.stringify(MIGRATE_COMMAND)} from ${revisionLabel(migrationTd.taskDefinitionArn)}`,
          (step) =>
            runMigration(
              {
                aws,
                targets,
                taskDefinition: migrationTd,
                logGroup: writerPlan.target.log_group_name,
                timeoutMs: input.migrationTimeoutMs,
                timing: deps.timing,
                now: ctx.now,
                sleep: deps.sleep,
              },
              step,
            ),
        )),
      };
    } catch (err) {
      const m = (err as { migration?: MigrationResult }).migration;
      if (m) report.migration = { command: MIGRATE_COMMAND, ...m };
      const e = toCliError(err);
      report.error = { message: e.message, hint: e.hint ?? null };
      finish('migration-failed', e.exitCode);
      throw Object.assign(e, { documentPrinted: true });
    }
  }

  for (const p of changing) {
    if (registered.has(p.key)) continue;
    const td = await progress.step(`Register ${p.target.task_family} revision`, async (step) => {
      const td = await registerTaskDefinition(aws.ecs, withImage(p.live, p.target.container_name, p.pinned!, tags(p)));
      step.update(revisionLabel(td.taskDefinitionArn));
      return td;
    });
    registered.set(p.key, td);
  }

  // ── update services, then follow OUR deployments ──────────────────────────────────────────────
  const deadline = ctx.now() + input.timeoutMs;
  const atomicAbort = new AbortController();
  // Ctrl-C while following: stop watching, say what ECS is still doing, roll nothing back (exit 130).
  const interrupted = new AbortController();
  const unsubscribe = deps.onInterrupt(() => interrupted.abort());
  const followSignal = AbortSignal.any([atomicAbort.signal, interrupted.signal]);
  const verdicts = new Map<ServiceName, Verdict | { outcome: 'aborted' }>();
  const rolloutStart = ctx.now();
  const ordered = [...changing].sort((a, b) => (a.key === 'writer' ? -1 : b.key === 'writer' ? 1 : 0));
  const deployments = new Map<ServiceName, string>();
  for (const p of ordered) {
    const td = registered.get(p.key)!;
    let deploymentId: string;
    try {
      ({ deploymentId } = await updateService(aws.ecs, cluster, p.target.service_name, td.taskDefinitionArn!));
    } catch (err) {
      // Nothing changed on this service; the ones already updated are judged (and rolled back) as usual.
      const e = toCliError(err);
      verdicts.set(p.key, {
        outcome: 'failed',
        reason: `UpdateService failed: ${e.message}`,
        rolledBackByEcs: false,
        running: 0,
        desired: 0,
        failedTasks: [],
      });
      reports.get(p.key)!.reason = `UpdateService failed: ${e.message}`;
      progress.note(`✖ ${p.target.service_name}: UpdateService failed: ${e.message}`);
      if (input.atomic) atomicAbort.abort();
      continue;
    }
    deployments.set(p.key, deploymentId);
    const r = reports.get(p.key)!;
    r.taskDefinition = td.taskDefinitionArn!;
    r.deploymentId = deploymentId;
    progress.note(
      `${p.target.service_name}: ${revisionLabel(p.service.taskDefinition)} → ${revisionLabel(td.taskDefinitionArn)}, deployment ${deploymentId}`,
    );
  }

  await progress
    .parallel(
      ordered
        .filter((p) => deployments.has(p.key))
        .map((p) => ({
          title: `Roll out ${p.target.service_name} ${revisionLabel(registered.get(p.key)!.taskDefinitionArn)}`,
          run: async (step) => {
            try {
              const v = await followDeployment(
                {
                  ecs: aws.ecs,
                  elbv2: aws.elbv2,
                  logs: aws.logs,
                  cluster,
                  serviceName: p.target.service_name,
                  deploymentId: deployments.get(p.key)!,
                  taskDefinitionArn: registered.get(p.key)!.taskDefinitionArn!,
                  containerName: p.target.container_name,
                  logGroup: p.target.log_group_name,
                  streamPrefix: p.streamPrefix,
                  maxFailedTasks: input.maxFailedTasks,
                  deadline,
                  signal: followSignal,
                  intervalMs: deps.timing.pollMs,
                  maxIntervalMs: deps.timing.maxPollMs,
                  now: ctx.now,
                  sleep: deps.sleep,
                },
                step,
              );
              verdicts.set(p.key, v);
              const r = reports.get(p.key)!;
              r.running = v.running;
              r.desired = v.desired;
              r.failedTasks = v.failedTasks;
              if (v.outcome !== 'completed') {
                r.reason = v.reason;
                if (input.atomic) atomicAbort.abort();
                throw new Error(v.outcome === 'timeout' ? `timed out: ${v.reason}` : v.reason);
              }
              step.update(`COMPLETED: ${v.running}/${v.desired} running ${revisionLabel(registered.get(p.key)!.taskDefinitionArn)}`);
            } catch (err) {
              if (err instanceof PollAbortedError) {
                verdicts.set(p.key, { outcome: 'aborted' });
                if (interrupted.signal.aborted) throw new Error('interrupted (Ctrl-C)');
                reports.get(p.key)!.reason = 'stopped following: another service failed (--atomic)';
                throw new Error('stopped: another service failed (--atomic)');
              }
              throw err;
            }
          },
        })),
    )
    .catch(() => undefined)
    .finally(unsubscribe);

  if (interrupted.signal.aborted) {
    for (const p of ordered) {
      const r = reports.get(p.key)!;
      const id = deployments.get(p.key);
      r.durationMs = ctx.now() - rolloutStart;
      if (verdicts.get(p.key)?.outcome === 'completed') r.outcome = 'deployed';
      else {
        r.outcome = 'interrupted';
        r.reason = id ? `interrupted: ECS carries on with deployment ${id}; nothing was rolled back` : 'interrupted before UpdateService';
      }
    }
    progress.note('interrupted: watch with `deploy status`, go back with `deploy rollback <service>`');
    return finish('interrupted', ExitCode.Interrupted);
  }

  // ── smoke check through the ALB ───────────────────────────────────────────────────────────────
  const completedAll = ordered.filter((p) => verdicts.get(p.key)?.outcome === 'completed');
  // A service scaled to 0 (e.g. after `deploy pause`) has no task to answer through the ALB.
  const completed = completedAll.filter((p) => {
    const v = verdicts.get(p.key);
    if (v && 'desired' in v && v.desired === 0) {
      progress.note(`smoke check skipped for ${p.target.service_name}: desired count is 0 (paused?)`);
      return false;
    }
    return true;
  });
  const smokeFailed = new Set<ServiceName>();
  if (input.smoke && completed.length && (completedAll.length === ordered.length || !input.atomic)) {
    await progress
      .step(`Smoke check ${targets.app_url} /health/ready`, async (step) => {
        report.smoke = await smokeCheck(
          deps.fetch,
          targets.app_url,
          completed.map((p) => p.key),
          { attempts: 3, delayMs: deps.timing.pollMs, sleep: (ms) => deps.sleep(ms) },
        );
        for (const s of report.smoke) step.log(`${s.ok ? '✔' : '✖'} ${s.service}: ${s.method} ${s.url} → ${s.detail}`);
        const bad = report.smoke.filter((s) => !s.ok);
        for (const s of bad) {
          smokeFailed.add(s.service);
          reports.get(s.service)!.reason = `smoke check failed: ${s.method} ${s.url} → ${s.detail}`;
        }
        if (bad.length) throw new Error(`${bad.map((s) => s.service).join(', ')} failed the smoke check`);
      })
      .catch(() => undefined);
  }

  const failedKeys = ordered.filter((p) => verdicts.get(p.key)?.outcome !== 'completed' || smokeFailed.has(p.key));
  for (const p of ordered) {
    const r = reports.get(p.key)!;
    r.durationMs = ctx.now() - rolloutStart;
    if (!failedKeys.includes(p)) r.outcome = 'deployed';
  }
  if (!failedKeys.length) return finish('deployed', ExitCode.Ok);

  // ── roll back (W-3): the failed services, or every changed one with --atomic ───────────────────
  const toRollBack = input.atomic ? ordered : failedKeys;
  const timedOut = failedKeys.some((p) => verdicts.get(p.key)?.outcome === 'timeout');
  let rollbackOk = true;
  await progress
    .parallel(
      toRollBack.map((p) => ({
        title: `Roll back ${p.target.service_name} to ${revisionLabel(p.service.taskDefinition)}`,
        run: async (step) => {
          const v = verdicts.get(p.key);
          const byEcs = !!v && v.outcome === 'failed' && v.rolledBackByEcs;
          const r = reports.get(p.key)!;
          if (!deployments.has(p.key)) {
            r.outcome = 'rolled-back';
            return step.skip(`never changed: ${r.reason ?? 'not started'}`);
          }
          const rb = await rollBack(ctx, p, byEcs, input.timeoutMs, step);
          r.rollback = rb;
          r.outcome =
            rb.outcome === 'completed' ? (verdicts.get(p.key)?.outcome === 'timeout' ? 'timeout' : 'rolled-back') : 'rollback-failed';
          if (!r.reason) r.reason = input.atomic ? 'rolled back with the other service (--atomic)' : 'rolled back';
          if (rb.outcome !== 'completed') {
            rollbackOk = false;
            throw new Error(`rollback ${rb.outcome}`);
          }
        },
      })),
    )
    .catch(() => undefined);

  if (!rollbackOk) return finish('rollback-failed', ExitCode.RollbackFailed);
  return timedOut ? finish('timeout', ExitCode.Timeout) : finish('rolled-back', ExitCode.RolledBack);
}

/** Puts the previous revision back and waits for it with the same verdict-following as a deploy. */
export async function rollBack(
  ctx: Context,
  p: { target: ServiceTarget; service: Service; streamPrefix?: string },
  alreadyByEcs: boolean,
  timeoutMs: number,
  step: import('../output/progress.js').Step,
): Promise<NonNullable<ServiceReport['rollback']>> {
  const { aws, targets, deps } = ctx;
  const cluster = targets.ecs_cluster_name;
  const previous = p.service.taskDefinition!;
  let deploymentId: string;
  let arn = previous;
  if (alreadyByEcs) {
    const svc = (await describeServices(aws.ecs, cluster, [p.target.service_name]))[0]!;
    const primary = primaryDeployment(svc)!;
    deploymentId = primary.id!;
    arn = primary.taskDefinition!;
    step.update(`the circuit breaker already started it: deployment ${deploymentId} → ${revisionLabel(arn)}`);
  } else {
    deploymentId = (await updateService(aws.ecs, cluster, p.target.service_name, previous)).deploymentId;
    step.update(`deployment ${deploymentId} → ${revisionLabel(previous)}`);
  }
  const v = await followDeployment(
    {
      ecs: aws.ecs,
      elbv2: aws.elbv2,
      logs: aws.logs,
      cluster,
      serviceName: p.target.service_name,
      deploymentId,
      taskDefinitionArn: arn,
      containerName: p.target.container_name,
      logGroup: p.target.log_group_name,
      streamPrefix: p.streamPrefix,
      deadline: ctx.now() + timeoutMs,
      intervalMs: deps.timing.pollMs,
      maxIntervalMs: deps.timing.maxPollMs,
      now: ctx.now,
      sleep: deps.sleep,
    },
    step,
  );
  if (v.outcome === 'completed') step.update(`back on ${revisionLabel(arn)}: ${v.running}/${v.desired} running`);
  return {
    deploymentId,
    taskDefinition: arn,
    outcome: v.outcome,
    by: alreadyByEcs ? 'ecs' : 'deploy-cli',
    running: v.running,
    desired: v.desired,
  };
}

async function ecrDigest(ctx: Context, p: Pick<ServicePlan, 'repo'>, tag: string): Promise<string | undefined> {
  try {
    const res = await ctx.aws.ecr.send(
      new DescribeImagesCommand({
        repositoryName: p.repo.repositoryName,
        registryId: p.repo.registryId || undefined,
        imageIds: [{ imageTag: tag }],
      }),
    );
    return res.imageDetails?.[0]?.imageDigest;
  } catch (err) {
    if ((err as { name?: string }).name === 'ImageNotFoundException') return undefined;
    throw err;
  }
}

async function loginToEcr(ctx: Context, plans: ServicePlan[]): Promise<void> {
  await ctx.progress.step('Log in to ECR', async (step) => {
    const registryIds = [...new Set(plans.map((p) => p.repo.registryId))];
    const res = await ctx.aws.ecr.send(new GetAuthorizationTokenCommand({}));
    const auth = res.authorizationData?.[0];
    if (!auth?.authorizationToken) throw new CliError('ECR returned no authorization token', ExitCode.Preflight);
    const [user, password] = Buffer.from(auth.authorizationToken, 'base64').toString('utf8').split(':');
    for (const registry of new Set(plans.map((p) => p.repo.registry))) {
      try {
        await ctx.deps.docker.login(registry, user ?? 'AWS', password ?? '');
      } catch (err) {
        throw new CliError(
          `docker login to ${registry} failed: ${(err as Error).message}`,
          ExitCode.Preflight,
          'check that docker is running',
          { cause: err },
        );
      }
      step.update(`logged in to ${registry}`);
    }
    void registryIds;
  });
}

function planText(
  ctx: Context,
  input: DeployInput,
  pre: { commit: string; imageTag: string; actor: string; plans: ServicePlan[] },
  next: Map<string, string>,
): string {
  const t = ctx.targets;
  const lines: string[] = [];
  lines.push(`Plan for env ${t.environment} (cluster ${t.ecs_cluster_name}, ${ctx.aws.region}) — commit ${pre.commit}, actor ${pre.actor}`);
  lines.push('', 'Images');
  for (const p of pre.plans) {
    lines.push(
      `  ${p.key.padEnd(7)}${p.imageRef}`,
      `         ${p.digest ? `digest ${p.digest} (already in ECR: skip build and push)` : `not in ECR: docker buildx build --platform ${p.platform} --build-arg APP=${p.key}, then push; digest known after push`}`,
    );
  }
  const writer = pre.plans.find((p) => p.key === 'writer' && (!p.unchanged || input.force));
  lines.push('', 'Migration');
  if (writer) {
    const req = migrationRunTaskInput(t, next.get(t.migration.task_family)!);
    lines.push(
      `  RunTask ${req.launchType} from ${req.taskDefinition} (image ${writer.pinned ?? writer.imageRef}),`,
      `  container ${t.migration.container_name} command ${JSON.stringify(MIGRATE_COMMAND)}`,
      `  subnets ${t.migration.subnet_ids.join(', ')}; security groups ${t.migration.security_group_ids.join(', ')}; public IP ${t.migration.assign_public_ip ? 'yes' : 'no'}`,
      `  wait for STOPPED (≤ ${seconds(input.migrationTimeoutMs)}), exit code 0 required, logs from ${writer.target.log_group_name}`,
    );
  } else {
    lines.push('  none (the writer is not being deployed)');
  }
  lines.push('', 'Services');
  for (const p of pre.plans) {
    const change =
      p.unchanged && !input.force
        ? 'no change (digest already running)'
        : `${revisionLabel(p.service.taskDefinition)} → ${next.get(p.target.task_family)}, image ${p.pinned ?? `${p.target.ecr_repository_url}@<digest after push>`}`;
    lines.push(`  ${p.key.padEnd(7)}${p.target.service_name}: ${change}; desired ${p.service.desiredCount ?? 0}`);
  }
  lines.push(
    '',
    'Rollout',
    `  UpdateService forceNewDeployment, follow the new deployment id; timeout ${seconds(input.timeoutMs)}; ` +
      `max failed tasks ${input.maxFailedTasks ?? 'circuit breaker decides'}; atomic ${input.atomic ? 'yes (both roll back together)' : 'no'}`,
    `  smoke: ${input.smoke ? `GET ${t.app_url.replace(/\/$/, '')}/health/ready (reader), POST …/health/ready (writer route)` : 'off'}`,
    `  tags on new revisions: ${Object.values(TAG).join(', ')}`,
    '',
    'Dry run: nothing was built, pushed, registered or updated.',
  );
  return lines.join('\n');
}

function summary(r: DeployReport): string {
  const rows = r.services.map((s) => [
    s.service,
    revisionLabel(s.rollback?.taskDefinition ?? s.taskDefinition ?? s.previousTaskDefinition),
    s.rollback || s.outcome === 'unchanged' || s.outcome === 'not-started'
      ? `${s.outcome === 'unchanged' ? r.imageTag.slice(0, 12) : 'previous'}@${short(s.previousImage?.split('@')[1])}`
      : `${r.imageTag.slice(0, 12)}@${short(s.digest)}`,
    s.rollback ? `${s.rollback.running}/${s.rollback.desired}` : `${s.running}/${s.desired}`,
    s.outcome,
    seconds(s.durationMs),
  ]);
  const head = `${r.result.toUpperCase()} — env ${r.env}, commit ${r.commit.slice(0, 12)}, ${seconds(r.durationMs)} (exit ${r.exitCode})`;
  const reasons = r.services.filter((s) => s.reason).map((s) => `  ${s.service}: ${s.reason}`);
  const migration = r.migration
    ? `migration: ${r.migration.taskDefinition} exit ${r.migration.exitCode} in ${seconds(r.migration.durationMs)}\n`
    : '';
  return `${head}\n${migration}${table(['service', 'revision', 'image', 'tasks', 'result', 'time'], rows)}${reasons.length ? reasons.join('\n') + '\n' : ''}`;
}

/**
 * The first deploy after `terraform apply`: ECS is still retrying Terraform's placeholder revision (its
 * image tag exists in no registry, the CLI never tagged it) and no task has ever run. Nothing can be lost
 * by replacing it, so the in-progress guard does not apply.
 */
async function isUnstartedBootstrap(ecs: ECSClient, service: Service, busy: Deployment): Promise<boolean> {
  if ((service.runningCount ?? 0) > 0 || !busy.taskDefinition) return false;
  const { tags } = await describeTaskDefinition(ecs, busy.taskDefinition);
  return !tags.some((tag) => tag.key === TAG.commit);
}
