import helmet from '@fastify/helmet';
import { NestFactory } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Logger } from 'nestjs-pino';
import { createFastifyAdapter } from '../http/fastify-adapter.js';
import { mountOpenApi } from '../openapi/openapi.js';
import type { ServiceSpec } from './service-spec.js';

/**
 * Builds a fully configured service (logger, security headers, OpenAPI) without listening.
 * `serve` and the e2e tests both use it, so tests exercise exactly what production runs.
 */
export async function createServiceApp(
  spec: ServiceSpec,
  environment?: Record<string, string | undefined>,
): Promise<NestFastifyApplication> {
  const app = await NestFactory.create<NestFastifyApplication>(spec.rootModule(environment), createFastifyAdapter(), {
    bufferLogs: true,
    abortOnError: false,
    // Fastify's built-in JSON parser is all we accept; Nest would otherwise add form-urlencoded bodies.
    bodyParser: false,
  });
  app.useLogger(app.get(Logger));
  await app.register(helmet, {
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
        scriptSrc: ["'self'"],
      },
    },
  });
  mountOpenApi(app, spec.openApi);
  return app;
}
