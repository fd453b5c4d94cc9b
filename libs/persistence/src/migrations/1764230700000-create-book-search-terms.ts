import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Books per backfill statement: each locks its rows (FOR SHARE) for well under a second. */
const BACKFILL_BATCH = 20_000;

/**
 * Full-text search for `GET /books?q=`: an inverted index of the words of every book's title and author,
 * kept by triggers, so that a search reads one page of ids in order and stops (docs/http-contract.md#search,
 * BENCHMARKS.md "Search").
 *
 * Why a table of (word, book id) and not a GIN index on an expression: GIN returns its matches as an
 * unordered bitmap, so a page of a word in 2 % of a million books costs all 17,700 heap fetches and a
 * sort (30 ms), or, the other plan, a primary-key walk recomputing the tsvector of every row until 21
 * match (15–110 ms). A B-tree on (lexeme, book_id) is already in book-id order: a page is 21 index entries.
 *
 * - `library_search`: the English configuration with accents folded first (unaccent), so "Wisniewski"
 *   finds "Wiśniewski", "rivers" finds "River", and stop words ("the", "of") match nothing.
 * - `book_search_lexemes(title, author)`: a book's distinct lexemes, the one definition the triggers, the
 *   backfill and the benchmark's loader use.
 * - `book_search_terms (lexeme, book_id)`: primary key in that order. SELECT for the reader; the writer
 *   gets nothing: the trigger functions are SECURITY DEFINER, owned by the migrating user.
 * - Triggers on `books`: after INSERT and DELETE per statement (transition tables, so a bulk load is one
 *   set-based insert), after an UPDATE that changes title or author per row (a PATCH of the description
 *   never calls them), after TRUNCATE.
 * - Backfill of the books that existed before the triggers, in batches by id, each row locked FOR SHARE
 *   while its terms are written: a concurrent UPDATE waits for the batch (or the batch for it), so no
 *   book keeps the terms of a title it no longer has.
 *
 * Zero downtime: nothing rewrites or scans `books` under a lock that blocks reads or writes. CREATE
 * TRIGGER takes SHARE ROW EXCLUSIVE on `books` for an instant (writes wait for it, bounded by the runner's
 * 5 s lock_timeout and its retries); the backfill's row locks last one batch. Outside a transaction
 * (`transaction = false`) so that each batch commits on its own; every statement is idempotent
 * (IF NOT EXISTS, CREATE OR REPLACE, ON CONFLICT DO NOTHING), so an interrupted run simply runs again.
 * The previous release keeps working throughout: its writes fill the table through the triggers, its
 * reader still searches with the trigram index, which a later migration can drop once it is gone.
 */
export class CreateBookSearchTerms1764230700000 implements MigrationInterface {
  name = 'CreateBookSearchTerms1764230700000';
  transaction = false;
  /** Per statement: a backfill batch or the final ANALYZE of ~4 million rows at 10^6 books. */
  statementTimeoutMs = 10 * 60_000;

  async up(queryRunner: QueryRunner): Promise<void> {
    // unaccent ships with PostgreSQL (contrib); RDS lists it among the extensions a non-superuser with
    // rds_superuser may create (Amazon RDS User Guide, "Extension versions for Amazon RDS for PostgreSQL").
    await queryRunner.query(`CREATE EXTENSION IF NOT EXISTS unaccent`);
    await queryRunner.query(`
      DO $config$
      BEGIN
        IF NOT EXISTS (SELECT FROM pg_ts_config WHERE cfgname = 'library_search' AND cfgnamespace = 'public'::regnamespace) THEN
          CREATE TEXT SEARCH CONFIGURATION public.library_search (COPY = pg_catalog.english);
          ALTER TEXT SEARCH CONFIGURATION public.library_search
            ALTER MAPPING FOR hword, hword_part, word WITH public.unaccent, pg_catalog.english_stem;
        END IF;
      END
      $config$`);
    await queryRunner.query(`
      CREATE OR REPLACE FUNCTION public.book_search_lexemes(title text, author text) RETURNS text[]
        LANGUAGE sql IMMUTABLE PARALLEL SAFE
        RETURN tsvector_to_array(to_tsvector('public.library_search', title || ' ' || author))`);
    await queryRunner.query(`
      CREATE TABLE IF NOT EXISTS book_search_terms (
        lexeme  text NOT NULL,
        book_id integer NOT NULL,
        CONSTRAINT book_search_terms_pkey PRIMARY KEY (lexeme, book_id)
      )`);
    await queryRunner.query(`GRANT SELECT ON book_search_terms TO library_reader`);

    await queryRunner.query(`
      CREATE OR REPLACE FUNCTION public.book_search_terms_inserted() RETURNS trigger
        LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $fn$
      BEGIN
        INSERT INTO book_search_terms (lexeme, book_id)
        SELECT lexeme, b.id FROM new_books b, unnest(book_search_lexemes(b.title, b.author)) AS lexeme
        ON CONFLICT DO NOTHING;
        RETURN NULL;
      END
      $fn$`);
    await queryRunner.query(`
      CREATE OR REPLACE FUNCTION public.book_search_terms_updated() RETURNS trigger
        LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $fn$
      BEGIN
        DELETE FROM book_search_terms
         WHERE book_id = OLD.id AND lexeme = ANY (book_search_lexemes(OLD.title, OLD.author));
        INSERT INTO book_search_terms (lexeme, book_id)
        SELECT lexeme, NEW.id FROM unnest(book_search_lexemes(NEW.title, NEW.author)) AS lexeme
        ON CONFLICT DO NOTHING;
        RETURN NULL;
      END
      $fn$`);
    await queryRunner.query(`
      CREATE OR REPLACE FUNCTION public.book_search_terms_deleted() RETURNS trigger
        LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $fn$
      BEGIN
        DELETE FROM book_search_terms t
         USING old_books b
         WHERE t.book_id = b.id AND t.lexeme = ANY (book_search_lexemes(b.title, b.author));
        RETURN NULL;
      END
      $fn$`);
    await queryRunner.query(`
      CREATE OR REPLACE FUNCTION public.book_search_terms_truncated() RETURNS trigger
        LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $fn$
      BEGIN
        TRUNCATE book_search_terms;
        RETURN NULL;
      END
      $fn$`);
    await queryRunner.query(`
      CREATE OR REPLACE TRIGGER book_search_terms_insert AFTER INSERT ON books
        REFERENCING NEW TABLE AS new_books FOR EACH STATEMENT EXECUTE FUNCTION book_search_terms_inserted()`);
    await queryRunner.query(`
      CREATE OR REPLACE TRIGGER book_search_terms_update AFTER UPDATE OF title, author ON books
        FOR EACH ROW WHEN (OLD.title IS DISTINCT FROM NEW.title OR OLD.author IS DISTINCT FROM NEW.author)
        EXECUTE FUNCTION book_search_terms_updated()`);
    await queryRunner.query(`
      CREATE OR REPLACE TRIGGER book_search_terms_delete AFTER DELETE ON books
        REFERENCING OLD TABLE AS old_books FOR EACH STATEMENT EXECUTE FUNCTION book_search_terms_deleted()`);
    await queryRunner.query(`
      CREATE OR REPLACE TRIGGER book_search_terms_truncate AFTER TRUNCATE ON books
        FOR EACH STATEMENT EXECUTE FUNCTION book_search_terms_truncated()`);

    // Every book inserted from here on has its terms from the trigger (CREATE TRIGGER waited for the
    // writes in flight), so the backfill stops at today's highest id.
    const [{ last }] = (await queryRunner.query(`SELECT coalesce(max(id), 0) AS last FROM books`)) as Array<{ last: number }>;
    for (let from = 0; from < last; from += BACKFILL_BATCH) {
      await queryRunner.query(
        `INSERT INTO book_search_terms (lexeme, book_id)
         SELECT lexeme, b.id
           FROM (SELECT id, title, author FROM books WHERE id > $1 AND id <= $2 FOR SHARE) AS b,
                unnest(book_search_lexemes(b.title, b.author)) AS lexeme
         ON CONFLICT DO NOTHING`,
        [from, from + BACKFILL_BATCH],
      );
    }
    await queryRunner.query(`ANALYZE book_search_terms`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TRIGGER IF EXISTS book_search_terms_insert ON books`);
    await queryRunner.query(`DROP TRIGGER IF EXISTS book_search_terms_update ON books`);
    await queryRunner.query(`DROP TRIGGER IF EXISTS book_search_terms_delete ON books`);
    await queryRunner.query(`DROP TRIGGER IF EXISTS book_search_terms_truncate ON books`);
    await queryRunner.query(`DROP FUNCTION IF EXISTS public.book_search_terms_inserted()`);
    await queryRunner.query(`DROP FUNCTION IF EXISTS public.book_search_terms_updated()`);
    await queryRunner.query(`DROP FUNCTION IF EXISTS public.book_search_terms_deleted()`);
    await queryRunner.query(`DROP FUNCTION IF EXISTS public.book_search_terms_truncated()`);
    await queryRunner.query(`DROP TABLE IF EXISTS book_search_terms`);
    await queryRunner.query(`DROP FUNCTION IF EXISTS public.book_search_lexemes(text, text)`);
    await queryRunner.query(`DROP TEXT SEARCH CONFIGURATION IF EXISTS public.library_search`);
  }
}
