import type { OtlpProtocol, TracesSampler } from '#libs/config';

/** What the SDK is started with: the validated OTEL_* settings, defaults applied. */
export interface TracingSettings {
  /** The OTLP/HTTP traces URL: OTEL_EXPORTER_OTLP_ENDPOINT + `/v1/traces`. */
  tracesUrl: string;
  protocol: OtlpProtocol;
  serviceName: string;
  sampler: TracesSampler;
  /** The ratio samplers' share of new traces, 0–1. */
  ratio: number;
}

/** The running SDK, as started by ./sdk.js. */
export interface ActiveTracing {
  settings: TracingSettings;
  /** The active span's ids as log fields (trace_id, span_id, trace_flags); none outside a span. */
  logFields: () => Record<string, string>;
  /** Exports what is buffered and stops; resolves within `timeoutMs` whatever the collector does. */
  shutdown: (timeoutMs: number) => Promise<void>;
}
