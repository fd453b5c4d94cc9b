import diagnostics from 'node:diagnostics_channel';
import { register } from 'node:module';
import { context, diag, DiagLogLevel, propagation, trace, TraceFlags } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { CompositePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { AWSXRayIdGenerator } from '@opentelemetry/id-generator-aws-xray';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { AWSXRayPropagator } from '@opentelemetry/propagator-aws-xray';
import { defaultResource, resourceFromAttributes } from '@opentelemetry/resources';
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  BatchSpanProcessor,
  ParentBasedSampler,
  type Sampler,
  type SpanExporter,
  TraceIdRatioBasedSampler,
  TracerProvider,
} from '@opentelemetry/sdk-trace';
import { FastifyOtelInstrumentation } from '@fastify/otel';
import type { TracesSampler } from '#libs/config';
import { createDiagLogger } from './diag-logger.js';
import { httpSpanOptions } from './http-spans.js';
import { adoptIncomingTraceId, RequestTraceIdGenerator } from './incoming-trace-id.js';
import { dbSpanOptions } from './db-spans.js';
import { hideUnrecordedSpan, requestSpanOf } from './unrecorded-spans.js';
import type { ActiveTracing, TracingSettings } from './tracing-settings.js';

/**
 * The OpenTelemetry SDK for one service, started before the service's modules are imported (tracing.ts):
 *
 * - a span per request from Fastify (@fastify/otel: route, method, status), its parent taken from the
 *   incoming `traceparent` (W3C) or `X-Amzn-Trace-Id` (AWS X-Ray; the ALB's Root-only header too, see
 *   incoming-trace-id.ts), and a child span per pg query and pool checkout (SQL text with its $n placeholders,
 *   operation; never the bound values);
 * - X-Ray-compatible trace ids (the first 8 hex digits are the epoch seconds: X-Ray refuses other ids);
 * - the sampler of OTEL_TRACES_SAMPLER (the ECS task: parentbased_traceidratio 0.1, so a caller's decision
 *   stands and 10 % of new traces are kept), exported in batches over OTLP/HTTP to the collector sidecar.
 */
export async function startSdk(settings: TracingSettings, service: string): Promise<ActiveTracing> {
  diag.setLogger(createDiagLogger(service), { logLevel: DiagLogLevel.WARN, suppressOverrideMessage: true });

  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  // A later propagator overrides an earlier one on extract: the X-Ray header, which the ALB always sets,
  // decides when both are present. Both headers are written on inject.
  propagation.setGlobalPropagator(new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new AWSXRayPropagator()] }));

  const provider = new TracerProvider({
    resource: defaultResource().merge(resourceFromAttributes({ 'service.name': settings.serviceName })),
    sampler: samplerFor(settings.sampler, settings.ratio),
    idGenerator: new RequestTraceIdGenerator(new AWSXRayIdGenerator()),
    spanProcessors: [new BatchSpanProcessor({ exporter: await exporterFor(settings) })],
  });
  trace.setGlobalTracerProvider(provider);

  // Fastify announces every instance it creates on this channel; the first subscriber runs first, so the
  // incoming ALB trace id is in the request's context before @fastify/otel's onRequest hook (added on the
  // same channel, registerOnInitialization) starts the request span. No seam in the app's own Fastify code.
  diagnostics.subscribe('fastify.initialization', (message) => {
    const { fastify } = message as { fastify: { addHook: (name: 'onRequest', hook: typeof adoptIncomingTraceId) => unknown } };
    fastify.addHook('onRequest', adoptIncomingTraceId);
  });
  // The instrumentations subscribe to the same channel as they are constructed (registerOnInitialization).
  const instrumentations = [new FastifyOtelInstrumentation(httpSpanOptions()), new PgInstrumentation(dbSpanOptions())];
  // Subscribed after @fastify/otel, so its hook runs after the request span has started (unrecorded-spans.ts).
  diagnostics.subscribe('fastify.initialization', (message) => {
    const { fastify } = message as { fastify: { addHook: (name: 'onRequest', hook: typeof hideUnrecordedSpan) => unknown } };
    fastify.addHook('onRequest', hideUnrecordedSpan);
  });

  const hooked = instrumentations.flatMap((instrumentation) => instrumentation.getModuleDefinitions().map(({ name }) => name));
  await registerEsmHook(hooked);
  registerInstrumentations({ tracerProvider: provider, instrumentations });

  return {
    settings,
    logFields,
    shutdown: (timeoutMs) => withDeadline(provider.shutdown(), timeoutMs),
  };
}

/**
 * Instrumentations patch a module as it loads: a require() through require-in-the-middle (TypeORM's
 * require('pg'); an `import` of a CommonJS package, pg's ESM wrapper included, also ends there), an ES module
 * through import-in-the-middle's loader hook, which has to be registered before the module is imported
 * (OpenTelemetry JS doc/esm-support.md). The hook is limited to the instrumented packages. Where Node runs it
 * in-thread (module.registerHooks, 22.22.3+ and 24.11.1+) that is the one used: on the reader it made
 * tracing's start-up cost about 0.2 s of CPU instead of 0.7 s with the loader thread of module.register(),
 * the docs' `@opentelemetry/instrumentation/hook.mjs`, which older Node gets.
 */
async function registerEsmHook(include: string[]): Promise<void> {
  const inThread = await import('import-in-the-middle/register-hooks.mjs');
  if (inThread.supportsSyncHooks()) inThread.register({ include });
  else register('@opentelemetry/instrumentation/hook.mjs', import.meta.url, { data: { include } });
}

/** OTEL_TRACES_SAMPLER as the OpenTelemetry specification defines each value. */
export function samplerFor(name: TracesSampler, ratio: number): Sampler {
  switch (name) {
    case 'always_on':
      return new AlwaysOnSampler();
    case 'always_off':
      return new AlwaysOffSampler();
    case 'traceidratio':
      return new TraceIdRatioBasedSampler(ratio);
    case 'parentbased_always_on':
      return new ParentBasedSampler({ root: new AlwaysOnSampler() });
    case 'parentbased_always_off':
      return new ParentBasedSampler({ root: new AlwaysOffSampler() });
    case 'parentbased_traceidratio':
      return new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(ratio) });
  }
}

async function exporterFor({ tracesUrl, protocol }: TracingSettings): Promise<SpanExporter> {
  // Only the exporter in use is loaded.
  if (protocol === 'http/json') {
    const { OTLPTraceExporter } = await import('@opentelemetry/exporter-trace-otlp-http');
    return new OTLPTraceExporter({ url: tracesUrl });
  }
  const { OTLPTraceExporter } = await import('@opentelemetry/exporter-trace-otlp-proto');
  return new OTLPTraceExporter({ url: tracesUrl });
}

/**
 * The active span's ids, under the names the OpenTelemetry pino instrumentation uses. Always a new object:
 * pino merges the line's own fields into what a mixin returns.
 */
function logFields(): Record<string, string> {
  const span = requestSpanOf(context.active());
  if (span === undefined) return {};
  const { traceId, spanId, traceFlags } = span.spanContext();
  return { trace_id: traceId, span_id: spanId, trace_flags: traceFlags & TraceFlags.SAMPLED ? '01' : '00' };
}

/** Resolves when `work` settles or `timeoutMs` has passed, whichever is first; never rejects. */
async function withDeadline(work: Promise<unknown>, timeoutMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, timeoutMs);
    timer.unref();
  });
  await Promise.race([work.catch(() => undefined), deadline]);
  clearTimeout(timer);
}
