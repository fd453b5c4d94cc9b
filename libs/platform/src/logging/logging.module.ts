import type { IncomingMessage } from 'node:http';
import { Module, RequestMethod } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { EnvironmentVariables } from '#libs/config/src/index.js';
import { SERVICE_NAME } from '../config/service-name.js';
import { requestIdOf } from './request-id.js';

const isProbe = (req: IncomingMessage): boolean => req.url?.startsWith('/health') ?? false;

/** JSON logs on stdout, one line per request with its id; health probes are not logged. */
@Module({
  imports: [
    LoggerModule.forRootAsync({
      inject: [EnvironmentVariables, SERVICE_NAME],
      useFactory: (env: EnvironmentVariables, service: string) => ({
        // nestjs-pino's default route pattern does not match under Fastify with Nest 12's router.
        forRoutes: [{ path: '{*splat}', method: RequestMethod.ALL }],
        pinoHttp: {
          level: env.LOG_LEVEL,
          base: { service },
          messageKey: 'msg',
          timestamp: () => `,"time":"${new Date().toISOString()}"`,
          formatters: { level: (label: string) => ({ level: label }) },
          genReqId: (req) => requestIdOf(req),
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
      }),
    }),
  ],
})
export class LoggingModule {}
