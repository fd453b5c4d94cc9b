import { type DynamicModule, Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { APP_FILTER, APP_PIPE } from '@nestjs/core';
import { EnvironmentVariables, validateEnvironment } from '#libs/config';
import { SERVICE_NAME } from './bootstrap/service-spec.js';
import { HealthModule } from './health/health.module.js';
import { AllExceptionsFilter } from './http/all-exceptions.filter.js';
import { createValidationPipe } from './http/validation.js';
import { ServiceLogger } from './logging/service-logger.js';

export interface PlatformOptions {
  service: 'reader' | 'writer';
  /** Settings to use instead of process.env (tests start several differently configured apps in one process). */
  environment?: Record<string, string | undefined>;
}

/**
 * What every service has, once: validated configuration, JSON logging (ServiceLogger), the global validation pipe and error
 * filter (as providers, so they also apply in Test.createTestingModule), and the health endpoints.
 */
@Module({})
export class PlatformModule {
  static forRoot(options: PlatformOptions): DynamicModule {
    let validated: EnvironmentVariables | undefined;
    return {
      module: PlatformModule,
      global: true,
      imports: [
        ConfigModule.forRoot({
          isGlobal: true,
          ignoreEnvFile: true,
          cache: true,
          validate: (raw) => (validated = validateEnvironment(options.environment ?? raw)),
        }),
        HealthModule,
      ],
      providers: [
        { provide: EnvironmentVariables, useFactory: () => validated },
        { provide: SERVICE_NAME, useValue: options.service },
        { provide: APP_PIPE, useFactory: createValidationPipe },
        { provide: APP_FILTER, useClass: AllExceptionsFilter },
        ServiceLogger,
      ],
      exports: [EnvironmentVariables, SERVICE_NAME, ServiceLogger],
    };
  }
}
