import { expect } from '@jest/globals';
import type { Provider, Type } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import {
  configureServiceApp,
  createFastifyAdapter,
  PlatformModule,
  SERVICE_APP_OPTIONS,
  type ServiceSpec,
  startLogging,
} from '#libs/platform';

/**
 * One service's controllers in a Nest application wired exactly as production wires it (PlatformModule's
 * validation pipe, exception filter and logging, the Fastify adapter and its options, helmet and OpenAPI
 * from configureServiceApp), with the services behind the controllers replaced by `providers`. No
 * PostgreSQL, no port: requests go through Fastify's inject. For the `unit` project.
 */
export async function controllerApp(
  spec: Pick<ServiceSpec, 'name' | 'openApi'>,
  controllers: Type[],
  providers: Provider[],
): Promise<NestFastifyApplication> {
  const moduleRef = await Test.createTestingModule({
    imports: [PlatformModule.forRoot({ service: spec.name, environment: { DB_HOST: 'db.invalid', LOG_LEVEL: 'silent' } })],
    controllers,
    providers,
  }).compile();
  const app = moduleRef.createNestApplication<NestFastifyApplication>(createFastifyAdapter(), SERVICE_APP_OPTIONS);
  await configureServiceApp(app, spec.openApi);
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  startLogging(app); // the JSON logger, silenced by LOG_LEVEL
  return app;
}

/**
 * The platform's error body on an injected response: the status, its reason phrase, the message (a string or
 * an asymmetric matcher) and the request id the response echoes.
 */
export function expectErrorShape(
  response: { statusCode: number; headers: Record<string, unknown>; json(): unknown },
  statusCode: number,
  error: string,
  message: unknown,
): void {
  expect(response.statusCode).toBe(statusCode);
  expect(response.json()).toEqual({ statusCode, error, message, requestId: response.headers['x-request-id'] });
}
