import type { INestApplication } from '@nestjs/common';
import pino from 'pino';
import { ConfigurationError, EnvironmentVariables, validateEnvironment } from '#libs/config';
import { createServiceApp, discardBufferedLogs, startLogging } from './create-app.js';
import type { ServiceSpec } from './service-spec.js';
import { MigrationFailedError, runMigrations } from '#libs/persistence';
import { stopTracing, tracingSummary } from '#libs/telemetry';

const USAGE = 'usage: main.js [serve|migrate]  (serve is the default)';

/**
 * The container's entry point: `serve` (default) or `migrate`. Any start-up failure (bad configuration, no
 * database, a port in use, a failed migration, an IAM token that cannot be signed) is logged as exactly one
 * JSON `fatal` line naming the cause and, where there is one, the fix; nothing else reaches stdout or
 * stderr (test/e2e/process.e2e.spec.ts counts every line). The process then exits 1 (2 for a usage
 * error), so ECS marks the task failed.
 */
export async function runService(spec: ServiceSpec, argv: string[] = process.argv.slice(2)): Promise<void> {
  const bootLogger = pino({
    base: { service: spec.name },
    messageKey: 'msg',
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
  });
  const command = argv[0] ?? 'serve';
  try {
    switch (command) {
      case 'serve':
        await serve(spec, bootLogger);
        return;
      case 'migrate':
        await migrate(bootLogger);
        return;
      case '--help':
      case 'help':
        process.stdout.write(`${USAGE}\n`);
        return;
      default:
        bootLogger.error(`unknown command "${command}"; ${USAGE}`);
        process.exitCode = 2;
        return;
    }
  } catch (error) {
    const { message, expected } = describeStartupFailure(error);
    // An expected failure is fully described by its message; anything else keeps its stack for debugging.
    bootLogger.fatal({ command, err: expected ? undefined : error, ...migrationFields(error) }, message);
    process.exit(1);
  }
}

/** Errors whose message says everything, with the fix; the rest are bugs and keep their stack. */
const EXPECTED_FAILURES = new Set(['ConfigurationError', 'DatabaseUnreachableError', 'MigrationFailedError']);

function describeStartupFailure(error: unknown): { message: string; expected: boolean } {
  if (!(error instanceof Error)) return { message: String(error), expected: false };
  const { code, port } = error as { code?: unknown; port?: unknown };
  if (code === 'EADDRINUSE') {
    return { message: `port ${String(port)} is already in use (set PORT to a free port, or stop what listens on it)`, expected: true };
  }
  if (code === 'EACCES') return { message: `not allowed to listen on port ${String(port)} (use a PORT above 1023)`, expected: true };
  return { message: error.message, expected: EXPECTED_FAILURES.has(error.name) || error instanceof ConfigurationError };
}

/** A failed migration's name and lock blockers as fields of the fatal line, for log queries (CloudWatch Logs Insights). */
function migrationFields(error: unknown): Record<string, unknown> {
  if (!(error instanceof MigrationFailedError)) return {};
  const { migration, details } = error;
  return { migration, ...(details.blockers?.length ? { blockers: details.blockers, attempts: details.attempts } : {}) };
}

async function serve(spec: ServiceSpec, bootLogger: pino.Logger): Promise<void> {
  const startedAt = performance.now();
  const app = await createServiceApp(spec);
  const env = app.get(EnvironmentVariables);
  const port = env.PORT ?? spec.defaultPort;
  try {
    await app.listen({ port, host: '0.0.0.0' });
  } catch (error) {
    discardBufferedLogs();
    await app.close().catch(() => undefined);
    throw error;
  }
  startLogging(app);
  bootLogger.info(
    { port, startupMs: Math.round(performance.now() - startedAt), tracing: tracingSummary() },
    `${spec.name} listening on http://0.0.0.0:${port} (docs at /docs)`,
  );
  drainOnSignals(app, bootLogger);
}

/** ECS sends SIGTERM, then SIGKILL after the task's stopTimeout (30 s by default). */
const SHUTDOWN_DEADLINE_MS = 25_000;
/** The last step of the drain: the spans of the last requests go to the collector, or are dropped after this. */
const TRACING_FLUSH_DEADLINE_MS = 3_000;

/**
 * Like app.enableShutdownHooks(), which runs the same lifecycle (readiness flips in onModuleDestroy, the
 * HTTP server drains in-flight requests, TypeORM closes the pool last), then exports the spans still
 * buffered (tracing on), and exits 0 when that completes instead of re-raising the signal, giving up with
 * exit 1 before ECS would SIGKILL.
 */
function drainOnSignals(app: INestApplication, bootLogger: pino.Logger): void {
  const drain = (signal: NodeJS.Signals): void => {
    bootLogger.info({ signal }, 'shutting down: draining in-flight requests');
    const startedAt = performance.now();
    setTimeout(() => {
      bootLogger.error(`shutdown did not finish within ${SHUTDOWN_DEADLINE_MS} ms; exiting`);
      process.exit(1);
    }, SHUTDOWN_DEADLINE_MS).unref();
    app
      .close()
      .then(() => stopTracing(TRACING_FLUSH_DEADLINE_MS))
      .then(
        () => {
          bootLogger.info({ shutdownMs: Math.round(performance.now() - startedAt) }, 'shut down cleanly');
          process.exitCode = 0;
        },
        (error: Error) => {
          bootLogger.error({ err: error }, 'shutdown failed');
          process.exit(1);
        },
      );
  };
  process.once('SIGTERM', drain);
  process.once('SIGINT', drain);
}

async function migrate(bootLogger: pino.Logger): Promise<void> {
  // eslint-disable-next-line no-restricted-syntax -- the process boundary hands the raw environment to the validator
  const env = validateEnvironment(process.env);
  const report = await runMigrations(env, { info: (msg, fields) => bootLogger.info(fields ?? {}, msg) });
  bootLogger.info(
    { applied: report.applied },
    report.applied.length === 0 ? 'database is up to date; nothing to apply' : `applied ${report.applied.length} migration(s)`,
  );
}
