import { type DynamicModule, Logger, Module, type OnApplicationShutdown } from '@nestjs/common';
import pg from 'pg';
import { EnvironmentVariables } from '#libs/config';
import { BookRepository } from '../books/book-repository.js';
import { IdempotencyRepository } from '../idempotency/idempotency-repository.js';
import { connectWithRetry } from './connect-with-retry.js';
import { buildPoolConfig } from './data-source-options.js';
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
 * A service's database: its one pg.Pool (created here with node-postgres's public constructor, ended when
 * the app shuts down) and the repositories that run their SQL on it. The reader gets read-only sessions (on
 * DB_READ_HOST when set); start-up retries the database for DB_STARTUP_RETRY_SECONDS and then fails with an
 * actionable message. TypeORM only runs the migrations (the `migrate` command, its own DataSource).
 */
@Module({})
export class PersistenceModule implements OnApplicationShutdown {
  constructor(private readonly database: Database) {}

  static forRoot(role: 'reader' | 'writer'): DynamicModule {
    const logger = new Logger('Database');
    return {
      module: PersistenceModule,
      global: true,
      imports: [AuthTokenSignerModule],
      providers: [
        {
          provide: Database,
          inject: [EnvironmentVariables, AUTH_TOKEN_SIGNER_FACTORY],
          useFactory: async (env: EnvironmentVariables, signerFactory: AuthTokenSignerFactory) => {
            const config = buildPoolConfig(env, role, { signerFactory });
            const pool = new pg.Pool(config);
            // Errors of idle pooled clients (the server restarted, say); without a listener Node crashes.
            pool.on('error', (error) => logger.warn(`idle database connection failed: ${error.message}`));
            try {
              await connectWithRetry(
                config,
                async () => (await pool.connect()).release(),
                env.DB_STARTUP_RETRY_SECONDS,
                (attempt, error) => logger.warn(`database not reachable yet (attempt ${attempt}): ${error.message}`),
              );
            } catch (error) {
              await pool.end().catch(() => undefined);
              throw error;
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

  /** Last in Nest's shutdown, after the HTTP server has drained: the in-flight requests had their connections. */
  async onApplicationShutdown(): Promise<void> {
    await this.database.pool.end();
  }
}
