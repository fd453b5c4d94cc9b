export { Book } from './books/book.entity.js';
export { IdempotencyRecord, IDEMPOTENCY_KEY_MAX_LENGTH } from './idempotency/idempotency-record.entity.js';
export { buildDataSourceOptions } from './database/data-source-options.js';
export {
  type CapturedMigration,
  MIGRATION_DEFAULTS,
  type MigrationClass,
  MigrationFailedError,
  type MigrationReport,
  type MigrationSettings,
  runMigrations,
  type RunMigrationsOptions,
} from './database/migrate.js';
export { migrations } from './migrations/index.js';
export { describeBlockers, type LockBlocker } from './database/lock-blockers.js';
export { AUTH_TOKEN_SIGNER_FACTORY, PersistenceModule } from './database/persistence.module.js';
export { AuthTokenError, type AuthTokenSigner, type AuthTokenSignerFactory, type AuthTokenTarget } from './database/iam-auth.js';
