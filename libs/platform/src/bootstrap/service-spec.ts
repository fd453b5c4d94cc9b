import type { DynamicModule } from '@nestjs/common';
import type { OpenApiInfo } from '../openapi/openapi.js';

export interface ServiceSpec {
  name: 'reader' | 'writer';
  /** The root module; a function so that configuration is validated inside bootstrap's error handling. */
  rootModule: (environment?: Record<string, string | undefined>) => DynamicModule;
  defaultPort: number;
  openApi: OpenApiInfo;
}

/** Injection token of the running service's name (ServiceSpec.name), used in logs and OpenAPI. */
export const SERVICE_NAME = Symbol('SERVICE_NAME');
