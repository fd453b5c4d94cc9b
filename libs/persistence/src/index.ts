export { Book, BOOK_LIMITS, toBookView, type BookRow, type BookView } from './books/book.entity.js';
export { normalizeIsbn } from './books/isbn.js';
export { IdempotencyRecord, IDEMPOTENCY_KEY_MAX_LENGTH } from './idempotency/idempotency-record.entity.js';
export { buildDataSourceOptions, entities, type DatabaseRole } from './database/data-source-options.js';
export { initializeWithRetry, DatabaseUnreachableError } from './database/initialize-with-retry.js';
export { runMigrations, type MigrationReport } from './database/migrate.js';
export { PersistenceModule } from './database/persistence.module.js';
export { migrations } from './migrations/index.js';
export { BookDto } from './books/book.dto.js';
