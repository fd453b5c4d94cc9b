import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { context, ROOT_CONTEXT, type Span, trace, TraceFlags } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { hideUnrecordedSpan, requestSpanOf } from './unrecorded-spans.js';

describe('spans only for recorded requests (hideUnrecordedSpan)', () => {
  const manager = new AsyncLocalStorageContextManager();
  beforeAll(() => {
    context.setGlobalContextManager(manager.enable());
  });
  afterAll(() => {
    manager.disable();
    context.disable();
  });

  const spanContext = (flags: TraceFlags) => ({
    traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
    spanId: '00f067aa0ba902b7',
    traceFlags: flags,
  });
  /** What the rest of the request (the next hooks, the handler, pg) sees as its context. */
  function restOfRequest(span: Span | undefined): Promise<{ active: Span | undefined; forLogs: Span | undefined }> {
    const start = span === undefined ? ROOT_CONTEXT : trace.setSpan(ROOT_CONTEXT, span);
    return new Promise((resolve) =>
      context.with(start, () =>
        hideUnrecordedSpan(undefined, undefined, () =>
          // A later tick, as a query's callback would run.
          setImmediate(() => resolve({ active: trace.getSpan(context.active()), forLogs: requestSpanOf(context.active()) })),
        ),
      ),
    );
  }

  it('leaves no span in the context of a request the sampler did not record, and keeps it for the log fields', async () => {
    const unrecorded = trace.wrapSpanContext(spanContext(TraceFlags.NONE));
    expect(unrecorded.isRecording()).toBe(false);
    const seen = await restOfRequest(unrecorded);
    expect(seen.active).toBeUndefined(); // what the pg instrumentation's requireParentSpan looks for
    expect(seen.forLogs).toBe(unrecorded);
  });

  it('leaves a recorded request span where it is, so its queries become its children', async () => {
    const recorded = { ...trace.wrapSpanContext(spanContext(TraceFlags.SAMPLED)), isRecording: () => true } as Span;
    const seen = await restOfRequest(recorded);
    expect(seen.active).toBe(recorded);
    expect(seen.forLogs).toBe(recorded);
  });

  it('does nothing outside a request span (health probes, which are not traced)', async () => {
    expect(await restOfRequest(undefined)).toEqual({ active: undefined, forLogs: undefined });
  });
});
