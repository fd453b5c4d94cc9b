import { FastifyAdapter } from '@nestjs/platform-fastify';
import type { FastifyBaseLogger, FastifyReply, FastifyRequest } from 'fastify';
import { requestIdOf } from '../logging/request-id.js';
import { createRequestLogger, RequestLogController } from '../logging/service-logger.js';
import { answerClientError } from './client-errors.js';
import { API_SECURITY_HEADERS } from './security-headers.js';
import { toErrorResponse } from './error-response.js';
import { HTTP_LIMITS } from './http-limits.js';

/** Fastify server options; exported so a unit test can pin them. */
export const fastifyServerOptions = {
  bodyLimit: HTTP_LIMITS.bodyLimitBytes,
  keepAliveTimeout: HTTP_LIMITS.keepAliveTimeoutMs,
  requestTimeout: HTTP_LIMITS.requestTimeoutMs,
  // The ALB is the one proxy in front of the tasks: trust exactly one hop of X-Forwarded-For.
  trustProxy: (_address: string, hop: number) => hop < 1,
  onProtoPoisoning: 'error',
  onConstructorPoisoning: 'error',
  return503OnClosing: true,
  // `/books/` and `/books/1/` are the Django original's URLs (and what many clients still send): one route each.
  routerOptions: { ignoreTrailingSlash: true },
  forceCloseConnections: 'idle',
  genReqId: (req: Parameters<typeof requestIdOf>[0]) => requestIdOf(req),
  // What Node's HTTP parser refuses (431, 400, 408) never reaches the router; same error shape.
  clientErrorHandler: answerClientError,
  // Malformed URLs and over-long path parameters (414) are answered by the router before Nest sees the
  // request; give them the same error shape.
  frameworkErrors: (error: Error, request: FastifyRequest, reply: FastifyReply) => {
    const { body, headers } = toErrorResponse(error, request.id);
    // The onRequest hook that sets these has not run: routing failed first.
    void reply
      .status(body.statusCode)
      .headers({ ...headers, ...API_SECURITY_HEADERS, 'x-request-id': request.id })
      .send(body);
  },
} as const;

export function createFastifyAdapter(): FastifyAdapter {
  const adapter = new FastifyAdapter({
    ...fastifyServerOptions,
    // Fastify's own logger writes the request lines; its per-request child logger is skipped (the line
    // carries the request's id itself), which saves an object and a closure per request.
    loggerInstance: createRequestLogger(),
    logController: new RequestLogController(),
    childLoggerFactory: (logger: FastifyBaseLogger) => logger,
  });
  const fastify = adapter.getInstance();
  // JSON only: without this, Fastify accepts text/plain bodies as strings instead of answering 415.
  fastify.removeContentTypeParser('text/plain');
  fastify.addHook('onRequest', (request, reply, done) => {
    void reply.header('x-request-id', request.id).headers(API_SECURITY_HEADERS);
    done();
  });
  return adapter;
}
