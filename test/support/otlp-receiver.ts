import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A collector for tests: an OTLP/HTTP receiver on loopback (POST /v1/traces) that answers 200 like a
 * collector and keeps what it was sent. JSON exports (OTEL_EXPORTER_OTLP_PROTOCOL=http/json) are decoded
 * into flat spans; protobuf ones are kept as bytes.
 */

export interface ReceivedSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  /** OTLP SpanKind: 1 internal, 2 server, 3 client. */
  kind: number;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  attributes: Record<string, unknown>;
  status: { code?: number; message?: string };
  events: unknown[];
  scope: string;
  resource: Record<string, unknown>;
  /** When the receiver got it (performance.now()). */
  receivedAt: number;
}

export interface ReceivedExport {
  path: string;
  contentType: string;
  body: Buffer;
  receivedAt: number;
}

export interface OtlpReceiver {
  /** The OTEL_EXPORTER_OTLP_ENDPOINT to give a service. */
  endpoint: string;
  exports: ReceivedExport[];
  spans: ReceivedSpan[];
  close: () => Promise<void>;
}

const SPAN_KIND = { SPAN_KIND_INTERNAL: 1, SPAN_KIND_SERVER: 2, SPAN_KIND_CLIENT: 3 } as Record<string, number>;

export async function startOtlpReceiver(): Promise<OtlpReceiver> {
  const exports: ReceivedExport[] = [];
  const spans: ReceivedSpan[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const received: ReceivedExport = {
        path: req.url ?? '',
        contentType: req.headers['content-type'] ?? '',
        body: Buffer.concat(chunks),
        receivedAt: performance.now(),
      };
      exports.push(received);
      if (received.contentType.includes('json')) spans.push(...decodeJsonExport(received));
      // An empty ExportTraceServiceResponse means "all accepted", in either encoding.
      res.writeHead(200, { 'content-type': received.contentType.includes('json') ? 'application/json' : 'application/x-protobuf' });
      res.end(received.contentType.includes('json') ? '{}' : undefined);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    exports,
    spans,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

interface OtlpAttribute {
  key: string;
  value: Record<string, unknown>;
}

function attributesOf(list: OtlpAttribute[] | undefined): Record<string, unknown> {
  return Object.fromEntries((list ?? []).map(({ key, value }) => [key, Object.values(value)[0]]));
}

/** ExportTraceServiceRequest in OTLP's JSON encoding (ids in hex) → one entry per span. */
export function decodeJsonExport({ body, receivedAt }: Pick<ReceivedExport, 'body' | 'receivedAt'>): ReceivedSpan[] {
  const request = JSON.parse(body.toString('utf8')) as {
    resourceSpans: Array<{
      resource?: { attributes?: OtlpAttribute[] };
      scopeSpans: Array<{ scope?: { name?: string }; spans: Array<Record<string, any>> }>;
    }>;
  };
  return request.resourceSpans.flatMap(({ resource, scopeSpans }) =>
    scopeSpans.flatMap(({ scope, spans }) =>
      spans.map((span) => ({
        traceId: span.traceId,
        spanId: span.spanId,
        parentSpanId: span.parentSpanId || undefined,
        name: span.name,
        kind: typeof span.kind === 'number' ? span.kind : (SPAN_KIND[span.kind] ?? 0),
        startTimeUnixNano: String(span.startTimeUnixNano),
        endTimeUnixNano: String(span.endTimeUnixNano),
        attributes: attributesOf(span.attributes),
        status: span.status ?? {},
        events: span.events ?? [],
        scope: scope?.name ?? '',
        resource: attributesOf(resource?.attributes),
        receivedAt,
      })),
    ),
  );
}
