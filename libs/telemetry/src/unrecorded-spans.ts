import { type Context, context, createContextKey, type Span, trace } from '@opentelemetry/api';

/**
 * Spans only for the requests the sampler records.
 *
 * @fastify/otel starts a span for every request, recorded or not, and puts it into the request's context;
 * the pg instrumentation (requireParentSpan) then makes a span per query and pool checkout under any span it
 * finds there, recorded or not, and wraps each call for it. Under prod's sampler 9 requests in 10 are not
 * recorded, and for them that work is pure cost: measured side by side on the reader's GET by id (CPU per
 * request, medians of 4 alternating rounds), tracing on cost +38 % against off, Fastify's span alone +6 %,
 * the pg instrumentation with a parent the rest (BENCHMARKS.md, "Tracing").
 *
 * This onRequest hook, added after @fastify/otel's, runs the rest of an unrecorded request with no span in its
 * context, so the pg instrumentation skips it as it skips work outside any request. The request span itself
 * is untouched (@fastify/otel keeps it on the request and ends it), and the log lines still carry its ids
 * (requestSpanOf, read by sdk.ts for the log fields).
 */
const UNRECORDED_REQUEST_SPAN = createContextKey('library: unrecorded request span');

export function hideUnrecordedSpan(_request: unknown, _reply: unknown, done: () => void): void {
  const active = context.active();
  const span = trace.getSpan(active);
  if (span === undefined || span.isRecording()) return done();
  context.with(trace.deleteSpan(active).setValue(UNRECORDED_REQUEST_SPAN, span), done);
}

/** The request's span in `ctx`: the active one, or the unrecorded one hideUnrecordedSpan set aside. */
export function requestSpanOf(ctx: Context): Span | undefined {
  return trace.getSpan(ctx) ?? (ctx.getValue(UNRECORDED_REQUEST_SPAN) as Span | undefined);
}
