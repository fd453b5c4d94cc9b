import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { context, ROOT_CONTEXT, trace, TraceFlags } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { AWSXRayIdGenerator } from '@opentelemetry/id-generator-aws-xray';
import { AlwaysOnSampler, InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { adoptIncomingTraceId, INCOMING_TRACE_ID, RequestTraceIdGenerator, rootTraceIdOf } from './incoming-trace-id.js';

const ALB_ROOT = '1-67891233-abcdef012345678912345678';
const ALB_TRACE_ID = '67891233abcdef012345678912345678';

describe('rootTraceIdOf (the Root of X-Amzn-Trace-Id as a trace id)', () => {
  it.each([
    ['what an ALB adds', `Root=${ALB_ROOT}`],
    ['the ALB with a Self before a caller’s Root', `Self=1-67891233-12456789abcdef012345678;Root=${ALB_ROOT}`],
    ['a caller’s own fields after the Root', `Root=${ALB_ROOT};CalledFrom=app`],
    ['a full X-Ray header', `Root=${ALB_ROOT};Parent=53995c3f42cd8ad8;Sampled=1`],
    ['spaces and upper-case hex', ` Root=1-67891233-ABCDEF012345678912345678 ;Sampled=0`],
  ])('reads %s', (_label, header) => {
    expect(rootTraceIdOf(header)).toBe(ALB_TRACE_ID);
  });

  it('reads the first of repeated headers', () => {
    expect(rootTraceIdOf([`Root=${ALB_ROOT}`, 'Root=1-11111111-111111111111111111111111'])).toBe(ALB_TRACE_ID);
  });

  it.each([
    ['no header', undefined],
    ['a Self without a Root', 'Self=1-67891233-12456789abcdef012345678'],
    ['a Root of the wrong length', 'Root=1-67891233-abcdef01234567891234567'],
    ['a Root of another version', 'Root=2-67891233-abcdef012345678912345678'],
    ['a Root that is not hex', 'Root=1-6789123g-abcdef012345678912345678'],
    ['the all-zero trace id', 'Root=1-00000000-000000000000000000000000'],
    ['a Root inside another field', 'XRoot=1-67891233-abcdef012345678912345678'],
    ['an oversized header', `Root=${ALB_ROOT};${'x'.repeat(300)}`],
  ])('ignores %s', (_label, header) => {
    expect(rootTraceIdOf(header)).toBeUndefined();
  });
});

describe('a request’s trace id', () => {
  const exporter = new InMemorySpanExporter();
  const provider = new TracerProvider({
    sampler: new AlwaysOnSampler(),
    idGenerator: new RequestTraceIdGenerator(new AWSXRayIdGenerator()),
    spanProcessors: [new SimpleSpanProcessor({ exporter })],
  });
  const tracer = provider.getTracer('test');
  const contextManager = new AsyncLocalStorageContextManager();

  beforeAll(() => {
    context.setGlobalContextManager(contextManager.enable());
  });
  afterAll(async () => {
    context.disable();
    await provider.shutdown();
  });

  /** Runs the onRequest hook for `headers` and starts a span where the request span would start. */
  function requestSpan(headers: Record<string, string>, parent = ROOT_CONTEXT) {
    let started: ReturnType<typeof tracer.startSpan> | undefined;
    context.with(parent, () => adoptIncomingTraceId({ headers }, undefined, () => (started = tracer.startSpan('request'))));
    return started!;
  }

  it('is the ALB’s Root when the request starts a trace', () => {
    const span = requestSpan({ 'x-amzn-trace-id': `Root=${ALB_ROOT}` });
    expect(span.spanContext().traceId).toBe(ALB_TRACE_ID);
    // The trace's root: the ALB records no segment that could be its parent.
    const [exported] = (span.end(), exporter.getFinishedSpans().slice(-1));
    expect(exported!.parentSpanContext).toBeUndefined();
  });

  it('is also the trace id of any other span the request starts without a parent', () => {
    let other: string | undefined;
    adoptIncomingTraceId({ headers: { 'x-amzn-trace-id': `Root=${ALB_ROOT}` } }, undefined, () => {
      other = tracer.startSpan('another root', { root: true }).spanContext().traceId;
    });
    expect(other).toBe(ALB_TRACE_ID);
  });

  it('is the caller’s when the request already has a parent span', () => {
    const callerTraceId = '5759e988bd862e3fe1be46a994272793';
    const parent = trace.setSpanContext(ROOT_CONTEXT, {
      traceId: callerTraceId,
      spanId: '53995c3f42cd8ad8',
      traceFlags: TraceFlags.SAMPLED,
      isRemote: true,
    });
    const span = requestSpan({ 'x-amzn-trace-id': `Root=${ALB_ROOT}` }, parent);
    expect(span.spanContext().traceId).toBe(callerTraceId);
  });

  it('is a new X-Ray-compatible id (epoch seconds first) without the header', () => {
    const span = requestSpan({});
    const { traceId } = span.spanContext();
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(Math.abs(parseInt(traceId.slice(0, 8), 16) - Date.now() / 1000)).toBeLessThan(60);
    expect(context.active().getValue(INCOMING_TRACE_ID)).toBeUndefined();
  });
});
