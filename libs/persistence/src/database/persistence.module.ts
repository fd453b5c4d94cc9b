import { type DynamicModule, Logger, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { EnvironmentVariables } from '#libs/config';
import { buildDataSourceOptions } from './data-source-options.js';
import { initializeWithRetry } from './initialize-with-retry.js';

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
          inject: [EnvironmentVariables],
          useFactory: (env: EnvironmentVariables) => {
            retrySeconds = env.DB_STARTUP_RETRY_SECONDS;
            return {
              ...buildDataSourceOptions(env, role, {
                onPoolError: (error) => logger.warn(`idle database connection failed: ${error.message}`),
              }),
              // Retries are ours (initializeWithRetry), bounded in time rather than in attempts.
              retryAttempts: 0,
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
