import { randomBytes } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { ROOT_CONTEXT, SpanKind, type Span, trace, TraceFlags } from '@opentelemetry/api';
import { SamplingDecision } from '@opentelemetry/sdk-trace';
import type { FastifyRequest } from 'fastify';
import { dbSpanOptions, operationOf } from './db-spans.js';
import { createDiagLogger } from './diag-logger.js';
import { describeRequestSpan, httpSpanOptions } from './http-spans.js';
import { samplerFor } from './sdk.js';

describe('the request span', () => {
  function described(request: Partial<FastifyRequest>, recording = true) {
    const calls: { name?: string; attributes?: Record<string, unknown> } = {};
    const span = {
      isRecording: () => recording,
      updateName: (name: string) => ((calls.name = name), span),
      setAttributes: (attributes: Record<string, unknown>) => ((calls.attributes = attributes), span),
    } as unknown as Span;
    describeRequestSpan(span, { method: 'GET', protocol: 'https', ...request } as FastifyRequest);
    return calls;
  }

  it('is named by method and route, with the path but never the query string', () => {
    expect(described({ url: '/books?q=le%20guin&limit=5', routeOptions: { url: '/books' } as FastifyRequest['routeOptions'] })).toEqual({
      name: 'GET /books',
      attributes: { 'url.path': '/books', 'url.scheme': 'https' },
    });
    expect(described({ url: '/books/42', routeOptions: { url: '/books/:id' } as FastifyRequest['routeOptions'] }).name).toBe(
      'GET /books/:id',
    );
  });

  it('is named by the method alone when no route matched (404)', () => {
    expect(described({ url: '/nope?x=1', routeOptions: {} as FastifyRequest['routeOptions'] })).toEqual({
      name: 'GET',
      attributes: { 'url.path': '/nope', 'url.scheme': 'https' },
    });
  });

  it('costs nothing when the request is not sampled', () => {
    expect(described({ url: '/books', routeOptions: { url: '/books' } as FastifyRequest['routeOptions'] }, false)).toEqual({});
  });

  it('is one span per request, none for health probes, no exception events', () => {
    const options = httpSpanOptions();
    expect(options).toMatchObject({
      instrumentHooks: false,
      instrumentHandler: false,
      recordExceptions: false,
      registerOnInitialization: true,
    });
    const ignore = options.ignorePaths as (route: { url: string; method: 'GET' }) => boolean;
    expect(['/health', '/health/ready'].map((url) => ignore({ url, method: 'GET' }))).toEqual([true, true]);
    expect(['/books', '/books/1'].map((url) => ignore({ url, method: 'GET' }))).toEqual([false, false]);
  });
});

describe('the pg spans', () => {
  it('never carry bound values and exist only inside a request', () => {
    expect(dbSpanOptions()).toMatchObject({
      enhancedDatabaseReporting: false,
      requireParentSpan: true,
      addSqlCommenterCommentToQueries: false,
      enableTraceContextPropagation: false,
    });
  });

  it('name the SQL operation', () => {
    const attributes: Record<string, unknown> = {};
    const span = { isRecording: () => true, setAttribute: (key: string, value: unknown) => (attributes[key] = value) } as unknown as Span;
    dbSpanOptions().requestHook!(span, { query: { text: '\n  select id FROM books WHERE id = $1', values: [7] }, connection: {} });
    expect(attributes).toEqual({ 'db.operation.name': 'SELECT' });
    expect([operationOf('INSERT INTO books'), operationOf('COMMIT;'), operationOf('START TRANSACTION'), operationOf('')]).toEqual([
      'INSERT',
      'COMMIT',
      'START',
      'UNKNOWN',
    ]);
  });
});

describe('samplerFor (OTEL_TRACES_SAMPLER)', () => {
  const decide = (sampler: ReturnType<typeof samplerFor>, traceId: string) =>
    sampler.shouldSample(ROOT_CONTEXT, traceId, 'request', SpanKind.SERVER, {}, []).decision;
  const ids = Array.from({ length: 2000 }, () => randomBytes(16).toString('hex'));

  it('keeps about the ratio of new traces (the ECS task: parentbased_traceidratio 0.1)', () => {
    const sampler = samplerFor('parentbased_traceidratio', 0.1);
    const kept = ids.filter((id) => decide(sampler, id) === SamplingDecision.RECORD_AND_SAMPLED).length;
    expect(kept / ids.length).toBeGreaterThan(0.05);
    expect(kept / ids.length).toBeLessThan(0.15);
  });

  it('follows the caller’s decision when there is one', () => {
    const sampler = samplerFor('parentbased_traceidratio', 0);
    const parentSampled = trace.setSpanContext(ROOT_CONTEXT, {
      traceId: ids[0]!,
      spanId: '53995c3f42cd8ad8',
      traceFlags: TraceFlags.SAMPLED,
      isRemote: true,
    });
    expect(sampler.shouldSample(parentSampled, ids[0]!, 'request', SpanKind.SERVER, {}, []).decision).toBe(
      SamplingDecision.RECORD_AND_SAMPLED,
    );
  });

  it.each([
    ['always_on', SamplingDecision.RECORD_AND_SAMPLED],
    ['always_off', SamplingDecision.NOT_RECORD],
    ['parentbased_always_on', SamplingDecision.RECORD_AND_SAMPLED],
    ['parentbased_always_off', SamplingDecision.NOT_RECORD],
  ] as const)('%s decides new traces accordingly', (name, decision) => {
    expect(decide(samplerFor(name, 0.5), ids[0]!)).toBe(decision);
  });
});

describe('OpenTelemetry’s own warnings', () => {
  it('are JSON lines in the service’s format, each message at most once a minute', () => {
    const lines: string[] = [];
    const logger = createDiagLogger('writer', (line) => lines.push(line));
    logger.error('export failed', new Error('connect ECONNREFUSED 127.0.0.1:4318'));
    logger.error('export failed', new Error('connect ECONNREFUSED 127.0.0.1:4318'));
    logger.warn('queue full', { dropped: 3 });
    logger.info('ignored');
    expect(lines.map((line) => JSON.parse(line))).toEqual([
      { level: 'error', time: expect.any(String), service: 'writer', msg: 'tracing: export failed connect ECONNREFUSED 127.0.0.1:4318' },
      { level: 'warn', time: expect.any(String), service: 'writer', msg: 'tracing: queue full {"dropped":3}' },
    ]);
  });
});
