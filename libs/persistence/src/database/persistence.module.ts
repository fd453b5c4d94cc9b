import { type DynamicModule, Logger, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { EnvironmentVariables } from '#libs/config';
import { buildDataSourceOptions } from './data-source-options.js';
import { type AuthTokenSignerFactory, rdsSignerFactory } from './iam-auth.js';
import { initializeWithRetry } from './initialize-with-retry.js';

/** Injection token of the IAM token signer factory (DB_AUTH=iam); tests override it to count signatures. */
export const AUTH_TOKEN_SIGNER_FACTORY = Symbol('AUTH_TOKEN_SIGNER_FACTORY');

@Module({
  providers: [{ provide: AUTH_TOKEN_SIGNER_FACTORY, useValue: rdsSignerFactory }],
  exports: [AUTH_TOKEN_SIGNER_FACTORY],
})
class AuthTokenSignerModule {}

/**
 * The TypeORM connection for a service. The reader gets read-only sessions (on DB_READ_HOST when set);
 * start-up retries the database for DB_STARTUP_RETRY_SECONDS and then fails with an actionable message.
 */
@Module({})
export class PersistenceModule {
  static forRoot(role: 'reader' | 'writer'): DynamicModule {
    const logger = new Logger('Database');
    let retrySeconds = 0; // set by useFactory, which Nest runs before dataSourceFactory
    return {
      module: PersistenceModule,
      imports: [
        TypeOrmModule.forRootAsync({
          imports: [AuthTokenSignerModule],
          inject: [EnvironmentVariables, AUTH_TOKEN_SIGNER_FACTORY],
          useFactory: (env: EnvironmentVariables, signerFactory: AuthTokenSignerFactory) => {
            retrySeconds = env.DB_STARTUP_RETRY_SECONDS;
            return {
              ...buildDataSourceOptions(env, role, {
                onPoolError: (error) => logger.warn(`idle database connection failed: ${error.message}`),
                signerFactory,
              }),
              // Retries are ours (initializeWithRetry), bounded in time rather than in attempts. @nestjs/typeorm
              // logs "Retrying (1)…" before it counts attempts, even with retryAttempts 0: toRetry stops it first.
              retryAttempts: 0,
              toRetry: () => false,
            };
          },
          dataSourceFactory: async (options) =>
            initializeWithRetry(new DataSource(options!), retrySeconds, (attempt, error) =>
              logger.warn(`database not reachable yet (attempt ${attempt}): ${error.message}`),
            ),
        }),
      ],
    };
  }
}
