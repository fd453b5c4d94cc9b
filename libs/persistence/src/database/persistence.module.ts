import { type DynamicModule, Logger, Module } from '@nestjs/common';
import { getDataSourceToken, TypeOrmModule } from '@nestjs/typeorm';
import pg from 'pg';
import { DataSource } from 'typeorm';
import { EnvironmentVariables } from '#libs/config';
import { BookRepository } from '../books/book-repository.js';
import { IdempotencyRepository } from '../idempotency/idempotency-repository.js';
import { connectWithRetry } from './connect-with-retry.js';
import { buildDataSourceOptions } from './data-source-options.js';
import { Database } from './database.js';
import { type AuthTokenSignerFactory, rdsSignerFactory } from './iam-auth.js';

/** Injection token of the IAM token signer factory (DB_AUTH=iam); tests override it to count signatures. */
export const AUTH_TOKEN_SIGNER_FACTORY = Symbol('AUTH_TOKEN_SIGNER_FACTORY');

@Module({
  providers: [{ provide: AUTH_TOKEN_SIGNER_FACTORY, useValue: rdsSignerFactory }],
  exports: [AUTH_TOKEN_SIGNER_FACTORY],
})
class AuthTokenSignerModule {}

/**
 * node-postgres as TypeORM's `driver` option ("The driver object. This defaults to require("pg")":
 * TypeORM's PostgresDataSourceOptions), with a Pool class that tells us the one pool TypeORM builds from it.
 * pg.Pool is node-postgres's public class; nothing reads a field of TypeORM's driver.
 */
function poolReportingDriver(onPool: (pool: pg.Pool) => void): typeof pg {
  class ReportedPool extends pg.Pool {
    constructor(config?: pg.PoolConfig) {
      super(config);
      onPool(this);
    }
  }
  return { ...pg, Pool: ReportedPool };
}

/**
 * A service's database. @nestjs/typeorm owns the TypeORM DataSource and so its one connection pool (built
 * from buildPoolConfig, signing an IAM token per new connection when DB_AUTH=iam, ended by
 * TypeOrmModule when the app shuts down, after the HTTP server has drained); the repositories run their
 * named prepared statements on that same pool through Database. The reader gets read-only sessions (on
 * DB_READ_HOST when set); start-up retries the database for DB_STARTUP_RETRY_SECONDS and then fails with an
 * actionable message.
 */
@Module({})
export class PersistenceModule {
  static forRoot(role: 'reader' | 'writer'): DynamicModule {
    const logger = new Logger('Database');
    let retrySeconds = 0; // set by useFactory, which Nest runs before dataSourceFactory
    let pool: pg.Pool | undefined;
    return {
      module: PersistenceModule,
      global: true,
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
              driver: poolReportingDriver((created) => (pool = created)),
              // Retries are ours (connectWithRetry), bounded in time rather than in attempts. @nestjs/typeorm
              // logs "Retrying (1)…" before it counts attempts, even with retryAttempts 0: toRetry stops it first.
              retryAttempts: 0,
              toRetry: () => false,
            };
          },
          dataSourceFactory: async (options) => {
            const { host, port, database } = options as { host?: string; port?: number; database?: string };
            return connectWithRetry(
              { host, port, database },
              () => new DataSource(options!).initialize(),
              retrySeconds,
              (attempt, error) => logger.warn(`database not reachable yet (attempt ${attempt}): ${error.message}`),
            );
          },
        }),
      ],
      providers: [
        {
          provide: Database,
          inject: [getDataSourceToken()],
          useFactory: (_initialized: DataSource) => {
            if (!pool) {
              // TypeORM builds its pool with `new driver.Pool(…)`; a release that stops doing so fails start-up here.
              throw new Error('TypeORM did not build its pool from the pg driver it was given (typeorm upgrade?)');
            }
            return new Database(pool);
          },
        },
        BookRepository,
        IdempotencyRepository,
      ],
      exports: [Database, BookRepository, IdempotencyRepository],
    };
  }
}
