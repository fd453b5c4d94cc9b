export { Book } from './books/book.entity.js';
export { BOOK_COLUMN_NAMES, BOOK_COLUMNS, EDITABLE_BOOK_FIELDS, type EditableBookField } from './books/book-columns.js';
export { type AcceptedVersions, type BookChanges, BookRepository, DuplicateIsbnError, type NewBook } from './books/book-repository.js';
export { MAX_SEARCH_WORDS } from './books/search-sql.js';
export { IdempotencyRecord, IDEMPOTENCY_KEY_MAX_LENGTH } from './idempotency/idempotency-record.entity.js';
export { IdempotencyRepository, type SavedOutcome } from './idempotency/idempotency-repository.js';
export { buildDataSourceOptions, buildPoolConfig } from './database/data-source-options.js';
export { Database, type Session } from './database/database.js';
export { DatabaseUnreachableError } from './database/connect-with-retry.js';
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
