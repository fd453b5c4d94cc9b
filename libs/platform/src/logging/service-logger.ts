import { Inject, Injectable, type LoggerService, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyBaseLogger, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { LogController } from 'fastify';
import pino from 'pino';
import { EnvironmentVariables } from '#libs/config';
import { traceLogMixin } from '#libs/telemetry';
import { SERVICE_NAME } from '../bootstrap/service-spec.js';

/**
 * JSON logs on stdout through Fastify's own pino logger: one line per request with its id, and Nest's
 * logs (start-up, errors) through the same logger. No per-request middleware, child logger or
 * AsyncLocalStorage: nestjs-pino's middleware and context tracking were ~10 % of the CPU of a request
 * (BENCHMARKS.md), and the request's id is on the request, where the two places that log per request
 * (the completion line and the error filter) find it.
 *
 * Written asynchronously: a synchronous write(2) per request line was 5 % of the CPU under load
 * (BENCHMARKS.md); asynchronously, lines produced while a write is in flight go out together in the next
 * one. Nothing is held back when idle (each line is written at once), and pino flushes synchronously on
 * process exit, including process.exit() after a fatal error.
 *
 * Tracing on: the active span's trace_id, span_id and trace_flags on every line logged inside a request
 * (a pino mixin, read here, after startTracing; tracing off: no mixin, no cost).
 */
export function createRequestLogger(): pino.Logger {
  return pino(
    {
      // LOG_LEVEL and the service's name are applied by ServiceLogger once the configuration is validated.
      level: 'info',
      base: null,
      messageKey: 'msg',
      timestamp: () => `,"time":"${new Date().toISOString()}"`,
      formatters: { level: (label: string) => ({ level: label }) },
      mixin: traceLogMixin(),
      // What a request line says about the request: never its headers (no credentials, no cookies in logs).
      serializers: {
        req: (request: FastifyRequest) => ({ id: request.id, method: request.method, url: request.url, remoteAddress: request.ip }),
        res: (reply: FastifyReply) => ({ statusCode: reply.statusCode }),
        err: pino.stdSerializers.err,
      },
    },
    pino.destination({ dest: 1, sync: false }),
  );
}

const isProbe = (request: FastifyRequest): boolean => request.url.startsWith('/health');

/**
 * Fastify's request log lines, reduced to one per request: no "incoming request" line; the completion line
 * at `info`, `warn` for a 4xx and `error` for a 5xx or a failed response; health probes not logged.
 */
export class RequestLogController extends LogController {
  constructor() {
    super({ disableRequestLogging: isProbe });
  }

  override incomingRequest(): void {}

  override routeNotFound(): void {}

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    if (isProbe(request)) return;
    const line = { req: request, res: reply, responseTime: reply.elapsedTime };
    if (error) reply.log.error({ ...line, err: error }, 'request errored');
    else if (reply.statusCode >= 500) reply.log.error(line, 'request completed');
    else if (reply.statusCode >= 400) reply.log.warn(line, 'request completed');
    else reply.log.info(line, 'request completed');
  }

  /** Errors Nest does not see (Fastify's own 4xx) are described by the completion line; 5xx keep their error. */
  override defaultErrorLog(error: Error, request: FastifyRequest, reply: FastifyReply): void {
    if (reply.statusCode >= 500) reply.log.error({ req: request, err: error }, error.message);
  }
}

type Level = 'info' | 'error' | 'warn' | 'debug' | 'trace' | 'fatal';

/**
 * Nest's LoggerService over the service's Fastify logger, so Nest's own lines (and `new Logger(…)` in the
 * services) are JSON with the service's name, at LOG_LEVEL. Also applies LOG_LEVEL and the name to the
 * request logger, once configuration is validated (before the first request).
 */
@Injectable()
export class ServiceLogger implements LoggerService, OnModuleInit {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly env: EnvironmentVariables,
    @Inject(SERVICE_NAME) private readonly service: string,
  ) {}

  private get logger(): FastifyBaseLogger {
    return (this.adapterHost.httpAdapter.getInstance() as FastifyInstance).log;
  }

  onModuleInit(): void {
    const logger = this.logger as pino.Logger;
    logger.level = this.env.LOG_LEVEL;
    logger.setBindings({ service: this.service });
  }

  log(message: unknown, ...params: unknown[]): void {
    this.write('info', message, params);
  }
  error(message: unknown, ...params: unknown[]): void {
    this.write('error', message, params);
  }
  warn(message: unknown, ...params: unknown[]): void {
    this.write('warn', message, params);
  }
  debug(message: unknown, ...params: unknown[]): void {
    this.write('debug', message, params);
  }
  verbose(message: unknown, ...params: unknown[]): void {
    this.write('trace', message, params);
  }
  fatal(message: unknown, ...params: unknown[]): void {
    this.write('fatal', message, params);
  }

  /**
   * Nest calls `(message, ...params, context)`: the last string is the context (the class that logs), an
   * earlier string a stack, objects are fields of the line (the error filter passes the request's id).
   */
  private write(level: Level, message: unknown, params: unknown[]): void {
    const fields: Record<string, unknown> = {};
    const defined = params.filter((param) => param !== undefined);
    if (typeof defined.at(-1) === 'string') fields.context = defined.pop();
    for (const param of defined) {
      if (typeof param === 'string') fields.stack = param;
      else if (typeof param === 'object' && param !== null) Object.assign(fields, param);
    }
    if (message instanceof Error) this.logger[level]({ ...fields, err: message }, message.message);
    else if (typeof message === 'object' && message !== null) this.logger[level]({ ...fields, ...message });
    else this.logger[level](fields, String(message));
  }
}
