import type { MigrationInterface, QueryRunner } from 'typeorm';
import { BOOK_LIMITS } from '#libs/contracts';

/**
 * The books table. Constraints mirror request validation so a bug in a service cannot store what the
 * API would reject; indexes keep keyset pages (`id`), the author filter and `q` search fast at 10^6 rows.
 */
export class CreateBooks1764230400000 implements MigrationInterface {
  name = 'CreateBooks1764230400000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE EXTENSION IF NOT EXISTS pg_trgm`);
    // DDL takes no bind parameters; the only interpolations are the compile-time BOOK_LIMITS.
    // eslint-disable-next-line no-restricted-syntax
    await queryRunner.query(`
      CREATE TABLE books (
        id          integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        title       varchar(${BOOK_LIMITS.titleMax}) NOT NULL,
        author      varchar(${BOOK_LIMITS.authorMax}) NOT NULL,
        description varchar(${BOOK_LIMITS.descriptionMax}) NOT NULL DEFAULT '',
        isbn        varchar(13),
        version     integer NOT NULL DEFAULT 1,
        created_at  timestamptz NOT NULL DEFAULT now(),
        updated_at  timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT books_title_not_blank CHECK (btrim(title) <> ''),
        CONSTRAINT books_author_not_blank CHECK (btrim(author) <> ''),
        CONSTRAINT books_isbn_13_digits CHECK (isbn ~ '^97[89][0-9]{10}$'),
        CONSTRAINT books_version_positive CHECK (version > 0),
        CONSTRAINT books_isbn_unique UNIQUE (isbn)
      )`);
    await queryRunner.query(`CREATE INDEX books_author_lower_id_idx ON books (lower(author), id)`);
    await queryRunner.query(`CREATE INDEX books_search_trgm_idx ON books USING gin ((title || ' ' || author) gin_trgm_ops)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE books`);
  }
}
