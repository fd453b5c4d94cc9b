import { Logger as NestLogger, type NestApplicationOptions } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createFastifyAdapter } from '../http/fastify-adapter.js';
import { ServiceLogger } from '../logging/service-logger.js';
import { mountOpenApi, type OpenApiInfo } from '../openapi/openapi.js';
import type { ServiceSpec } from './service-spec.js';

/**
 * How every service's Nest application is created (and the controller tests' too).
 *
 * Nest's own logs are buffered until the service listens (startLogging), and dropped when start-up fails:
 * Nest would print them, its exception report and stack included, with its coloured console logger, and
 * runService already reports the failure as one JSON `fatal` line.
 */
export const SERVICE_APP_OPTIONS = {
  bufferLogs: true,
  autoFlushLogs: false,
  abortOnError: false,
  // Fastify's built-in JSON parser is all we accept; Nest would otherwise add form-urlencoded bodies.
  bodyParser: false,
} satisfies NestApplicationOptions;

/**
 * Builds a fully configured service (logger, security headers, OpenAPI) without listening.
 * `serve` and the e2e tests both use it, so tests exercise exactly what production runs.
 */
export async function createServiceApp(
  spec: ServiceSpec,
  environment?: Record<string, string | undefined>,
): Promise<NestFastifyApplication> {
  let app: NestFastifyApplication;
  try {
    app = await NestFactory.create<NestFastifyApplication>(spec.rootModule(environment), createFastifyAdapter(), SERVICE_APP_OPTIONS);
  } catch (error) {
    discardBufferedLogs();
    throw error;
  }
  await configureServiceApp(app, spec.openApi);
  return app;
}

/**
 * What follows the module graph: OpenAPI, with the browser security headers on its pages. The API's own
 * header (nosniff) and the request id are set by the Fastify adapter.
 */
export async function configureServiceApp(app: NestFastifyApplication, openApi: OpenApiInfo): Promise<void> {
  mountOpenApi(app, openApi);
}

/** Once the service listens: Nest logs through the JSON logger, starting with what it buffered until now. */
export function startLogging(app: NestFastifyApplication): void {
  app.useLogger(app.get(ServiceLogger));
  app.flushLogs();
}

/** Drops what Nest buffered during a failed start-up, so a later application in this process starts clean. */
export function discardBufferedLogs(): void {
  NestLogger.overrideLogger(false);
  NestLogger.flush();
}
