import type { IncomingMessage } from 'node:http';
import { Module, RequestMethod } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import pino from 'pino';
import { EnvironmentVariables } from '#libs/config';
import { traceLogMixin } from '#libs/telemetry';
import { SERVICE_NAME } from '../bootstrap/service-spec.js';
import { requestIdOf } from './request-id.js';

const isProbe = (req: IncomingMessage): boolean => req.url?.startsWith('/health') ?? false;

/**
 * JSON logs on stdout, one line per request with its id; health probes are not logged.
 *
 * Written asynchronously: a synchronous write(2) per request line was 5 % of the CPU under load
 * (BENCHMARKS.md); asynchronously, lines produced while a write is in flight go out together in the next
 * one. Nothing is held back when idle (each line is written at once), and pino flushes synchronously on
 * process exit, including process.exit() after a fatal error.
 */
@Module({
  imports: [
    LoggerModule.forRootAsync({
      inject: [EnvironmentVariables, SERVICE_NAME],
      useFactory: (env: EnvironmentVariables, service: string) => ({
        // nestjs-pino's default route pattern does not match under Fastify with Nest 12's router.
        forRoutes: [{ path: '{*splat}', method: RequestMethod.ALL }],
        pinoHttp: [
          {
            level: env.LOG_LEVEL,
            base: { service },
            messageKey: 'msg',
            timestamp: () => `,"time":"${new Date().toISOString()}"`,
            formatters: { level: (label: string) => ({ level: label }) },
            genReqId: (req) => requestIdOf(req),
            // Tracing on: the request's trace_id, span_id and trace_flags on each of its lines.
            mixin: traceLogMixin(),
            autoLogging: { ignore: isProbe },
            customLogLevel: (_req, res, error) => (error || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info'),
            redact: { paths: ['req.headers.authorization', 'req.headers.cookie'], remove: true },
            serializers: {
              req: (req: { id: string; method: string; url: string; remoteAddress?: string }) => ({
                id: req.id,
                method: req.method,
                url: req.url,
                remoteAddress: req.remoteAddress,
              }),
              res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
            },
          },
          pino.destination({ dest: 1, sync: false }),
        ],
      }),
    }),
  ],
})
export class LoggingModule {}
