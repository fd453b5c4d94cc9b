import type { Span } from '@opentelemetry/api';
import type { FastifyOtelInstrumentationOpts } from '@fastify/otel';
import type { FastifyRequest } from 'fastify';

/**
 * The request span: one per request, named `GET /books/:id` (method and route, the semantic conventions'
 * HTTP server span name), with the method, route, path (without the query string: search terms are user
 * data), scheme and status code. @fastify/otel adds it to every Fastify instance as it is created.
 *
 * - No span per lifecycle hook or for the handler: pg's spans are the request span's children, and a
 *   request costs one span plus its queries.
 * - Health probes (/health, /health/ready) are not traced: the ALB and the container check them every few
 *   seconds.
 * - No exception events: the errors Fastify sees are 4xx parse errors whose messages can quote the body.
 *   The status code still marks 4xx (X-Ray: error) and 5xx (fault).
 */
export function httpSpanOptions(): FastifyOtelInstrumentationOpts {
  return {
    registerOnInitialization: true,
    ignorePaths: ({ url }) => url.startsWith('/health'),
    instrumentHooks: false,
    instrumentHandler: false,
    recordExceptions: false,
    requestHook: describeRequestSpan,
  };
}

export function describeRequestSpan(span: Span, request: FastifyRequest): void {
  if (!span.isRecording()) return;
  const route = request.routeOptions.url;
  span.updateName(route === undefined ? request.method : `${request.method} ${route}`);
  const query = request.url.indexOf('?');
  span.setAttributes({
    'url.path': query === -1 ? request.url : request.url.slice(0, query),
    'url.scheme': request.protocol,
  });
}
