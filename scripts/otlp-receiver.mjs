// An OTLP/HTTP trace receiver on loopback, standing in for the collector: it answers POST /v1/traces with 200
// as a collector does and keeps what it was sent. JSON exports (OTEL_EXPORTER_OTLP_PROTOCOL=http/json) are
// decoded into flat spans; protobuf ones are kept as bytes. Used by the tracing test
// (test/e2e/tracing.e2e.spec.ts), `npm run bench` (the tracing-on services export to it) and
// scripts/trace-waterfall.mjs.
import http from 'node:http';

/**
 * @typedef {object} ReceivedSpan
 * @property {string} traceId
 * @property {string} spanId
 * @property {string | undefined} parentSpanId
 * @property {string} name
 * @property {number} kind OTLP SpanKind: 1 internal, 2 server, 3 client
 * @property {string} startTimeUnixNano
 * @property {string} endTimeUnixNano
 * @property {Record<string, unknown>} attributes
 * @property {{ code?: number, message?: string }} status
 * @property {unknown[]} events
 * @property {string} scope
 * @property {Record<string, unknown>} resource
 * @property {number} receivedAt performance.now() when the receiver got it
 *
 * @typedef {object} ReceivedExport
 * @property {string} path
 * @property {string} contentType
 * @property {Buffer} body
 * @property {number} receivedAt
 *
 * @typedef {object} OtlpReceiver
 * @property {string} endpoint the OTEL_EXPORTER_OTLP_ENDPOINT to give a service
 * @property {ReceivedExport[]} exports
 * @property {ReceivedSpan[]} spans
 * @property {{ exports: number, bytes: number }} totals
 * @property {() => Promise<void>} close
 */

/**
 * @param {{ keep?: boolean, host?: string, port?: number, onExport?: (received: ReceivedExport) => void }} [options]
 *   keep: false counts exports and bytes only (the benchmark's sink); host and port: where to listen (loopback and
 *   a free port unless told); onExport: called for every export as it arrives
 * @returns {Promise<OtlpReceiver>}
 */
export async function startOtlpReceiver({ keep = true, host = '127.0.0.1', port = 0, onExport } = {}) {
  /** @type {ReceivedExport[]} */
  const exports = [];
  /** @type {ReceivedSpan[]} */
  const spans = [];
  const totals = { exports: 0, bytes: 0 };
  const server = http.createServer((req, res) => {
    /** @type {Buffer[]} */
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => {
      const contentType = req.headers['content-type'] ?? '';
      const json = contentType.includes('json');
      const body = Buffer.concat(chunks);
      totals.exports += 1;
      totals.bytes += body.length;
      onExport?.({ path: req.url ?? '', contentType, body, receivedAt: performance.now() });
      if (keep) {
        const received = { path: req.url ?? '', contentType, body, receivedAt: performance.now() };
        exports.push(received);
        if (json) spans.push(...decodeJsonExport(received));
      }
      // An empty ExportTraceServiceResponse means "all accepted", in either encoding.
      res.writeHead(200, { 'content-type': json ? 'application/json' : 'application/x-protobuf' });
      res.end(json ? '{}' : undefined);
    });
  });
  await new Promise((resolve) => server.listen(port, host, () => resolve(undefined)));
  const address = /** @type {import('node:net').AddressInfo} */ (server.address());
  return {
    endpoint: `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${address.port}`,
    exports,
    spans,
    totals,
    close: () => new Promise((resolve) => server.close(() => resolve(undefined))),
  };
}

const SPAN_KIND = /** @type {Record<string, number>} */ ({ SPAN_KIND_INTERNAL: 1, SPAN_KIND_SERVER: 2, SPAN_KIND_CLIENT: 3 });

/** @param {Array<{ key: string, value: Record<string, unknown> }> | undefined} list */
function attributesOf(list) {
  return Object.fromEntries((list ?? []).map(({ key, value }) => [key, Object.values(value)[0]]));
}

/**
 * ExportTraceServiceRequest in OTLP's JSON encoding (ids in hex) → one entry per span.
 * @param {{ body: Buffer, receivedAt: number }} received
 * @returns {ReceivedSpan[]}
 */
export function decodeJsonExport({ body, receivedAt }) {
  const request = JSON.parse(body.toString('utf8'));
  return request.resourceSpans.flatMap((/** @type {any} */ { resource, scopeSpans }) =>
    scopeSpans.flatMap((/** @type {any} */ { scope, spans }) =>
      spans.map((/** @type {any} */ span) => ({
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

// `node scripts/otlp-receiver.mjs`: the receiver as a process, the collector's stand-in in the compose test
// (test/compose/compose.test.yml): OTLP/HTTP on 0.0.0.0:4318 (OTLP_RECEIVER_PORT), one JSON line per export.
if (import.meta.url === `file://${process.argv[1]}`) {
  const port = Number(process.env.OTLP_RECEIVER_PORT ?? 4318);
  await startOtlpReceiver({
    keep: false,
    host: '0.0.0.0',
    port,
    onExport: ({ path, contentType, body }) =>
      process.stdout.write(`${JSON.stringify({ msg: 'export received', path, contentType, bytes: body.length })}\n`),
  });
  process.stdout.write(`${JSON.stringify({ msg: `OTLP/HTTP receiver listening on 0.0.0.0:${port}` })}\n`);
  process.on('SIGTERM', () => process.exit(0));
}
