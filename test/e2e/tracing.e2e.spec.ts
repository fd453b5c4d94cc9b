import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { freePort } from '../../scripts/embedded-postgres.mjs';
import { createMigratedDatabase, type Environment, environmentFor, type TestDatabase } from '../support/database.js';
import { expectWith } from '../support/expect-with.js';
import { type OtlpReceiver, type ReceivedSpan, startOtlpReceiver } from '../../scripts/otlp-receiver.mjs';
import { everyJsonLine, jsonLines, type ProcessResult, spawnService, waitForOk } from '../support/process.js';

/**
 * Traces from a request to its SQL, through the built services started as the ECS task starts them with
 * tracing on: the task's OTEL_* variables (terraform/modules/service/tracing.tf), the endpoint being an
 * OTLP/HTTP receiver in this process instead of the collector sidecar. Each service gets a handful of
 * requests and then SIGTERM, so what reaches the receiver is what the shutdown drain flushed.
 */

const PROBE = fileURLToPath(new URL('../support/loaded-packages-probe.mjs', import.meta.url));
const SERVER = 2;
const CLIENT = 3;

/** The ALB's header: a Root and nothing else (Elastic Load Balancing User Guide, "Request tracing"). */
const ALB_ROOT = `1-${Math.floor(Date.now() / 1000).toString(16)}-${'a1b2c3d4e5f6'.repeat(2)}`;
const ALB_TRACE_ID = ALB_ROOT.slice(2).replace('-', '');
/** A caller that traces too: a full X-Ray header (Root, Parent, Sampled). */
const CALLER = { traceId: '5759e988bd862e3fe1be46a994272793', parentSpanId: '53995c3f42cd8ad8' };
/** A W3C traceparent. */
const W3C = { traceId: '0af7651916cd43dd8448eb211c80319c', parentSpanId: 'b7ad6b7169203331' };

/** Values that travel as bound parameters: none of them may appear in a span. */
const BOOK = { title: 'Zanzibar Quokka Chronicles', author: 'Philippa Quillfeather', isbn: '978-0-8070-8369-7' };
const SECRETS = [BOOK.title, BOOK.author, 'Quillfeather', 'Quokka', '9780807083697', '978-0-8070-8369-7', 'xylophonist'];

interface RunningTracedService {
  url: string;
  stop: () => Promise<ProcessResult & { exitedAt: number }>;
}

async function startTraced(name: 'reader' | 'writer', env: Environment): Promise<RunningTracedService> {
  const port = await freePort();
  // The one artifact the image runs too (its dist/main.js links to dist/apps/<name>/src/main.js).
  const service = spawnService(name, [], { ...env, PORT: String(port) }, { nodeArgs: ['--import', PROBE] });
  const url = `http://127.0.0.1:${port}`;
  await Promise.race([
    waitForOk(`${url}/health/ready`, 30_000),
    service.exited.then((result) => Promise.reject(new Error(`${name} exited ${result.code}:\n${result.stdout}${result.stderr}`))),
  ]);
  return {
    url,
    stop: async () => {
      service.child.kill('SIGTERM');
      const result = await service.exited;
      return { ...result, exitedAt: performance.now() };
    },
  };
}

function probedPackages(stderr: string): string[] {
  const line = jsonLines(stderr).find((entry) => entry.probe === 'loaded-packages');
  if (!line) throw new Error(`no probe line on stderr:\n${stderr}`);
  return line.packages as string[];
}

describe('tracing on (OTEL_EXPORTER_OTLP_ENDPOINT set)', () => {
  let database: TestDatabase;
  let receiver: OtlpReceiver;
  const exited: Record<'reader' | 'writer', ProcessResult & { exitedAt: number }> = {} as never;
  let created: { id: number };

  beforeAll(async () => {
    database = await createMigratedDatabase('tracing');
    receiver = await startOtlpReceiver();
    const tracingEnv = (service: string): Environment =>
      environmentFor(database.name, {
        LOG_LEVEL: 'info',
        OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
        OTEL_SERVICE_NAME: `library-test-${service}`,
        // The task's sampler; every new trace is kept here so that each request can be checked.
        OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
        OTEL_TRACES_SAMPLER_ARG: '1',
      });
    const [writer, reader] = await Promise.all([startTraced('writer', tracingEnv('writer')), startTraced('reader', tracingEnv('reader'))]);

    const post = await fetch(`${writer.url}/books`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-amzn-trace-id': `Root=${ALB_ROOT}`, 'x-request-id': 'tracing-post' },
      body: JSON.stringify(BOOK),
    });
    expectWith(post.status, await post.clone().text()).toBe(201);
    created = (await post.json()) as { id: number };

    const answers = await Promise.all([
      fetch(`${reader.url}/books/${created.id}`, {
        headers: {
          'x-amzn-trace-id': `Root=1-${CALLER.traceId.slice(0, 8)}-${CALLER.traceId.slice(8)};Parent=${CALLER.parentSpanId};Sampled=1`,
        },
      }),
      fetch(`${reader.url}/books?q=xylophonist&limit=5`, { headers: { traceparent: `00-${W3C.traceId}-${W3C.parentSpanId}-01` } }),
      fetch(`${reader.url}/books?author=${encodeURIComponent(BOOK.author)}`, { headers: { 'x-request-id': 'tracing-author' } }),
      fetch(`${reader.url}/books/2147483000`),
      fetch(`${reader.url}/health/ready`),
    ]);
    expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200, 404, 200]);

    [exited.writer, exited.reader] = await Promise.all([writer.stop(), reader.stop()]);
  });

  afterAll(async () => {
    await receiver?.close();
    await database?.drop();
  });

  const traces = () => {
    const byTrace = new Map<string, ReceivedSpan[]>();
    for (const span of receiver.spans) byTrace.set(span.traceId, [...(byTrace.get(span.traceId) ?? []), span]);
    return byTrace;
  };
  const serverSpan = (traceId: string) => receiver.spans.find((span) => span.traceId === traceId && span.kind === SERVER)!;

  it('exports OTLP/HTTP to <endpoint>/v1/traces, flushed by the SIGTERM drain before the process exits 0', () => {
    for (const service of ['reader', 'writer'] as const) {
      expectWith(exited[service].code, exited[service].stdout + exited[service].stderr).toBe(0);
    }
    expect(receiver.exports.length).toBeGreaterThan(0);
    expect(new Set(receiver.exports.map((received) => `${received.path} ${received.contentType}`))).toEqual(
      new Set(['/v1/traces application/json']),
    );
    const lastExit = Math.max(exited.reader.exitedAt, exited.writer.exitedAt);
    expect(receiver.spans.every((span) => span.receivedAt <= lastExit)).toBe(true);
  });

  it('makes one trace per request, health probes none, with one server span as the parent of its queries', () => {
    const all = traces();
    // POST, the caller's GET, the W3C GET, the author GET, the 404.
    expect(all.size).toBe(5);
    for (const [traceId, spans] of all) {
      const servers = spans.filter((span) => span.kind === SERVER);
      expectWith(servers.length, JSON.stringify(spans, null, 1)).toBe(1);
      const server = servers[0]!;
      // pg.query and pg-pool.connect are the request's children; pg.connect (a new connection) is the
      // pool checkout's.
      for (const span of spans.filter((span) => span.name.startsWith('pg.query') || span.name === 'pg-pool.connect')) {
        expectWith(span.parentSpanId, `${traceId}: ${span.name}`).toBe(server.spanId);
      }
      const ids = new Set(spans.map((span) => span.spanId));
      for (const span of spans.filter((span) => span !== server))
        expectWith(ids.has(span.parentSpanId!), `${traceId}: ${span.name}`).toBe(true);
      expect(spans.filter((span) => span.name.startsWith('pg.query')).length).toBeGreaterThan(0);
    }
    expect(receiver.spans.some((span) => String(span.attributes['url.path']).startsWith('/health'))).toBe(false);
  });

  it('names the route, method and status on the server span, and the SQL operation on each query span', () => {
    const routes = [...traces().keys()].map((traceId) => {
      const { name, attributes } = serverSpan(traceId);
      return `${name} ${String(attributes['http.route'])} ${String(attributes['http.response.status_code'])}`;
    });
    expect(routes.sort()).toEqual([
      'GET /books /books 200',
      'GET /books /books 200',
      'GET /books/:id /books/:id 200',
      'GET /books/:id /books/:id 404',
      'POST /books /books 201',
    ]);
    const post = serverSpan(ALB_TRACE_ID);
    expect(post.attributes).toMatchObject({ 'http.request.method': 'POST', 'url.path': '/books', 'url.scheme': 'http' });

    const queries = receiver.spans.filter((span) => span.kind === CLIENT && span.name.startsWith('pg.query'));
    expect(queries.length).toBeGreaterThanOrEqual(5);
    for (const query of queries) {
      expect(query.attributes).toMatchObject({
        'db.system.name': 'postgresql',
        'db.namespace': database.name,
        'db.operation.name': expect.stringMatching(/^(SELECT|INSERT)$/),
        'db.query.text': expect.stringMatching(/\$1/),
      });
    }
    const inserts = queries.filter((query) => query.traceId === ALB_TRACE_ID);
    expect(inserts.map((query) => query.attributes['db.operation.name'])).toEqual(['INSERT']);
  });

  it('puts no bound value (title, author, ISBN, search term) into any span', () => {
    const everything = JSON.stringify(receiver.spans);
    for (const secret of SECRETS) expectWith(everything.includes(secret), secret).toBe(false);
    expect(receiver.spans.some((span) => Object.keys(span.attributes).some((key) => key.includes('values')))).toBe(false);
    // The query string is user data too: the path is recorded without it.
    expect(receiver.spans.filter((span) => span.kind === SERVER).map((span) => span.attributes['url.path'])).not.toContainEqual(
      expect.stringContaining('?'),
    );
  });

  it('continues the ALB’s trace: its Root is the trace id, and the request span is the trace’s root', () => {
    const post = serverSpan(ALB_TRACE_ID);
    expect(post).toBeDefined();
    expect(post.parentSpanId).toBeUndefined();
  });

  it('continues a caller’s trace from a full X-Ray header and from a W3C traceparent', () => {
    expect(serverSpan(CALLER.traceId)).toMatchObject({ name: 'GET /books/:id', parentSpanId: CALLER.parentSpanId });
    expect(serverSpan(W3C.traceId)).toMatchObject({ name: 'GET /books', parentSpanId: W3C.parentSpanId });
  });

  it('starts other traces with X-Ray-compatible ids (epoch seconds first) and names the service', () => {
    const own = [...traces().keys()].filter((traceId) => ![ALB_TRACE_ID, CALLER.traceId, W3C.traceId].includes(traceId));
    expect(own).toHaveLength(2);
    for (const traceId of own) expect(Math.abs(parseInt(traceId.slice(0, 8), 16) - Date.now() / 1000)).toBeLessThan(600);
    expect(new Set(receiver.spans.map((span) => span.resource['service.name']))).toEqual(
      new Set(['library-test-reader', 'library-test-writer']),
    );
  });

  it('writes the trace and span ids on the log lines of each request', () => {
    const writerLines = everyJsonLine(exited.writer.stdout);
    const postLines = writerLines.filter((line) => (line.req as { id?: string } | undefined)?.id === 'tracing-post');
    expect(postLines.length).toBeGreaterThan(0);
    const post = serverSpan(ALB_TRACE_ID);
    for (const line of postLines) expect(line).toMatchObject({ trace_id: ALB_TRACE_ID, span_id: post.spanId, trace_flags: '01' });

    const readerLines = everyJsonLine(exited.reader.stdout);
    const requestLines = readerLines.filter(
      (line) => line.req !== undefined && !String((line.req as { url: string }).url).startsWith('/health'),
    );
    expect(requestLines).toHaveLength(4);
    const traceIds = new Set(traces().keys());
    for (const line of requestLines) expectWith(traceIds.has(String(line.trace_id)), JSON.stringify(line)).toBe(true);
    expect(readerLines.find((line) => (line.req as { id?: string } | undefined)?.id === 'tracing-author')?.trace_id).toEqual(
      expect.stringMatching(/^[0-9a-f]{32}$/),
    );
  });

  it('says so at start-up, writes only JSON lines, and loads the OpenTelemetry packages (the probe works)', () => {
    for (const service of ['reader', 'writer'] as const) {
      const listening = everyJsonLine(exited[service].stdout).find((line) => String(line.msg).includes(' listening on '));
      expect(listening?.tracing).toBe(`parentbased_traceidratio 1 → ${receiver.endpoint}/v1/traces (http/json)`);
      expect(probedPackages(exited[service].stderr)).toEqual(
        expect.arrayContaining(['@fastify/otel', '@opentelemetry/instrumentation-pg', '@opentelemetry/sdk-trace']),
      );
    }
  });
});

describe('tracing on with the default protocol (OTLP/HTTP protobuf, what the sidecar is sent)', () => {
  it('exports the request’s spans as protobuf', async () => {
    const database = await createMigratedDatabase('tracing_proto');
    const receiver = await startOtlpReceiver();
    try {
      const writer = await startTraced(
        'writer',
        environmentFor(database.name, { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint, OTEL_TRACES_SAMPLER: 'parentbased_traceidratio' }),
      );
      const post = await fetch(`${writer.url}/books`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-amzn-trace-id': `Root=${ALB_ROOT}` },
        body: JSON.stringify({ title: 'Protobuf', author: 'Wire Format' }),
      });
      expect(post.status).toBe(201);
      const result = await writer.stop();
      expectWith(result.code, result.stdout + result.stderr).toBe(0);
      expect(receiver.exports.map((received) => `${received.path} ${received.contentType}`)).toEqual(['/v1/traces application/x-protobuf']);
      // The trace id travels as 16 raw bytes in the span messages.
      expect(receiver.exports[0]!.body.includes(Buffer.from(ALB_TRACE_ID, 'hex'))).toBe(true);
    } finally {
      await receiver.close();
      await database.drop();
    }
  });
});

describe('tracing off (no OTEL_EXPORTER_OTLP_ENDPOINT, as on a task without the collector)', () => {
  it('loads no OpenTelemetry package at all, and serves as before', async () => {
    const database = await createMigratedDatabase('tracing_off');
    try {
      const reader = await startTraced('reader', environmentFor(database.name, { LOG_LEVEL: 'info' }));
      expect((await fetch(`${reader.url}/books`)).status).toBe(200);
      const result = await reader.stop();
      expectWith(result.code, result.stdout + result.stderr).toBe(0);
      expect(probedPackages(result.stderr)).toEqual([]);
      const lines = everyJsonLine(result.stdout);
      expect(lines.find((line) => String(line.msg).includes(' listening on '))?.tracing).toBe('off');
      const request = lines.find((line) => line.req !== undefined && (line.req as { url: string }).url === '/books');
      expect(request).toBeDefined();
      expect(Object.keys(request!).filter((key) => key.startsWith('trace') || key.startsWith('span'))).toEqual([]);
    } finally {
      await database.drop();
    }
  });
});
