import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { validateEnvironment } from '#libs/config';
import { createMigratedDatabase, environmentFor, sql } from '../../../../test/support/database.js';
import { buildDataSourceOptions } from '../database/data-source-options.js';
import { Book } from './book.entity.js';
import { BOOK_COLUMN_NAMES, EDITABLE_BOOK_FIELDS } from './book-columns.js';

/**
 * The book's column list (derived from BookRow at compile time) against the two other places that spell the
 * columns out: the table the migrations build, and the TypeORM entity.
 */
let database: { name: string; drop: () => Promise<void> };
let dataSource: DataSource;

beforeAll(async () => {
  database = await createMigratedDatabase('book_columns');
  dataSource = await new DataSource(buildDataSourceOptions(validateEnvironment(environmentFor(database.name)), 'migrator')).initialize();
}, 60_000);

afterAll(async () => {
  await dataSource?.destroy();
  await database?.drop();
});

describe('the book columns', () => {
  it('are the columns of the migrated books table, in table order', async () => {
    const columns = await sql<{ column_name: string }>(
      database.name,
      `SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = 'books' ORDER BY ordinal_position`,
    );
    expect(columns.map((column) => column.column_name)).toEqual(BOOK_COLUMN_NAMES);
  });

  it('are the columns of the TypeORM entity, and the editable fields are its columns the database does not fill', () => {
    const metadata = dataSource.getMetadata(Book);
    expect(metadata.tableName).toBe('books');
    expect(metadata.columns.map((column) => column.databaseName).sort()).toEqual([...BOOK_COLUMN_NAMES].sort());
    const filledByTheDatabase = (column: (typeof metadata.columns)[number]) =>
      column.isGenerated || column.isVersion || column.isCreateDate || column.isUpdateDate;
    expect(
      metadata.columns
        .filter((column) => !filledByTheDatabase(column))
        .map((column) => column.propertyName)
        .sort(),
    ).toEqual([...EDITABLE_BOOK_FIELDS].sort());
  });
});
