import { ConfigurationError, type EnvironmentVariables, validateEnvironment } from '#libs/config';
import type { ActiveTracing, TracingSettings } from './tracing-settings.js';

/**
 * Tracing's lifecycle, as the rest of the code sees it. This module loads no OpenTelemetry package: every
 * start imports it, and with tracing off (no OTEL_EXPORTER_OTLP_ENDPOINT, as on an ECS task without the
 * collector sidecar) nothing else of tracing is ever loaded. With tracing on, startTracing imports the SDK
 * (./sdk.js) and registers its instrumentation before the service's own modules are imported, which is why
 * each app's main.ts calls it first and imports the service afterwards.
 */

let active: ActiveTracing | undefined;

/** Tracing's settings, or undefined when no exporter is configured (tracing off). */
export function tracingSettings(env: EnvironmentVariables, service: string): TracingSettings | undefined {
  if (env.OTEL_EXPORTER_OTLP_ENDPOINT === undefined) return undefined;
  return {
    tracesUrl: `${env.OTEL_EXPORTER_OTLP_ENDPOINT.replace(/\/+$/, '')}/v1/traces`,
    protocol: env.OTEL_EXPORTER_OTLP_PROTOCOL,
    serviceName: env.OTEL_SERVICE_NAME ?? service,
    sampler: env.OTEL_TRACES_SAMPLER,
    // The specification's default for the ratio samplers when OTEL_TRACES_SAMPLER_ARG is unset.
    ratio: env.OTEL_TRACES_SAMPLER_ARG ?? 1,
  };
}

/**
 * Starts tracing if the environment configures an exporter; call it before anything that loads pg or
 * Fastify. A configuration error is left to the service's own start-up, which reports it together with every
 * other bad variable in one line (and exits 1); tracing then never starts.
 */
export async function startTracing(service: 'reader' | 'writer', raw: Record<string, string | undefined>): Promise<void> {
  if (active) return;
  let env: EnvironmentVariables;
  try {
    env = validateEnvironment(raw);
  } catch (error) {
    if (error instanceof ConfigurationError) return;
    throw error;
  }
  const settings = tracingSettings(env, service);
  if (!settings) return;
  const { startSdk } = await import('./sdk.js');
  active = await startSdk(settings, service);
}

/** Exports the spans still buffered and stops tracing (the SIGTERM drain's last step); a no-op when off. */
export async function stopTracing(timeoutMs = 5_000): Promise<void> {
  const stopping = active;
  active = undefined;
  await stopping?.shutdown(timeoutMs);
}

/**
 * A pino `mixin` that puts the active span's trace_id, span_id and trace_flags on every log line, or
 * undefined when tracing is off (no mixin, no cost). Read it when a logger is created, after startTracing.
 */
export function traceLogMixin(): (() => Record<string, string>) | undefined {
  return active?.logFields;
}

/** One line for the start-up log: where spans go and how they are sampled, or `off`. */
export function tracingSummary(): string {
  if (!active) return 'off';
  const { sampler, ratio, tracesUrl, protocol } = active.settings;
  return `${sampler}${sampler.endsWith('traceidratio') ? ` ${ratio}` : ''} → ${tracesUrl} (${protocol})`;
}
