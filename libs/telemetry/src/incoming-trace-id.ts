import { context, createContextKey, isValidTraceId } from '@opentelemetry/api';
import type { IdGenerator } from '@opentelemetry/sdk-trace';

/**
 * The ALB's trace id as the request's trace id.
 *
 * An Application Load Balancer adds `X-Amzn-Trace-Id: Root=1-67891233-abcdef012345678912345678` to every
 * request, or adds `Self=…` before the Root a caller sent (Elastic Load Balancing User Guide, "Request tracing
 * for your Application Load Balancer"), and writes that Root into its access log. It sends no `Parent` and no
 * `Sampled`, and the AWS X-Ray propagator accepts a header only with both (open-telemetry/opentelemetry-java-
 * contrib#2407 and its siblings in the other languages), so on its own it would start a new trace and the
 * ALB's id would lead nowhere. Here a request whose header names a Root but no parent span starts its trace
 * with that Root as the trace id: one request, one id, in the ALB's log, our log lines and X-Ray. The
 * request span is still the trace's root (the ALB records no segment to be its parent), and the sampler
 * decides as for any new trace. A full header from an instrumented caller (Root, Parent, Sampled) is the
 * propagator's, and the request span becomes a child of the caller's.
 */

/** Context key: the Root of the request's X-Amzn-Trace-Id header, as an OpenTelemetry trace id. */
export const INCOMING_TRACE_ID = createContextKey('library: X-Amzn-Trace-Id Root');

const ROOT_FIELD = /(?:^|;)\s*Root=1-([0-9a-f]{8})-([0-9a-f]{24})\s*(?:;|$)/i;

/** The trace id in an X-Amzn-Trace-Id header's Root field (1-<8 hex>-<24 hex>), lower-case, or undefined. */
export function rootTraceIdOf(header: string | string[] | undefined): string | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  if (value === undefined || value.length > 256) return undefined;
  const match = ROOT_FIELD.exec(value);
  if (!match) return undefined;
  const traceId = `${match[1]}${match[2]}`.toLowerCase();
  return isValidTraceId(traceId) ? traceId : undefined;
}

interface HookRequest {
  headers: Record<string, string | string[] | undefined>;
}

/**
 * Fastify onRequest hook, registered before the request span starts: runs the rest of the request in a
 * context that carries the header's Root, where RequestTraceIdGenerator finds it.
 */
export function adoptIncomingTraceId(request: HookRequest, _reply: unknown, done: () => void): void {
  const traceId = rootTraceIdOf(request.headers['x-amzn-trace-id']);
  if (traceId === undefined) return done();
  context.with(context.active().setValue(INCOMING_TRACE_ID, traceId), done);
}

/**
 * Ids for new spans and traces: a new trace takes the request's incoming Root when there is one (the SDK asks
 * for a trace id only for a span without a parent, synchronously in startSpan, inside the request's context),
 * else an id from `ids` (X-Ray-compatible: the first 8 hex digits are the epoch seconds).
 */
export class RequestTraceIdGenerator implements IdGenerator {
  constructor(private readonly ids: IdGenerator) {}

  generateTraceId(): string {
    return (context.active().getValue(INCOMING_TRACE_ID) as string | undefined) ?? this.ids.generateTraceId();
  }

  generateSpanId(): string {
    return this.ids.generateSpanId();
  }
}
