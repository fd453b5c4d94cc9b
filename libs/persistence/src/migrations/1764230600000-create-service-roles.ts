import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * One least-privilege PostgreSQL role per service, so neither logs in as the RDS master user
 * (docs/reliability.md#r-1: the master password lives in a Secrets Manager secret Terraform writes, rotated only
 * when db_master_password_version is bumped, as RDS does not manage it here; only the `migrate` task uses it):
 *
 * - `library_reader`: CONNECT, USAGE on `public`, SELECT on `books`. Nothing else: no INSERT, UPDATE,
 *   DELETE or TRUNCATE anywhere, and no access to `idempotency_keys` (saved response bodies) or `migrations`.
 * - `library_writer`: SELECT, INSERT, UPDATE, DELETE on `books` and `idempotency_keys`, USAGE and SELECT on
 *   `books_id_seq`. No TRUNCATE, no DDL: it owns nothing, and CREATE on `public` and TEMPORARY on the
 *   database are revoked from PUBLIC (PostgreSQL 15+ no longer grants the former to PUBLIC, a database
 *   upgraded from an older major still does).
 *
 * No password is set: on RDS both log in with IAM tokens, which needs membership of `rds_iam` (AWS RDS User
 * Guide, "Creating a database account using IAM authentication": `CREATE USER db_userx; GRANT rds_iam TO
 * db_userx;`), granted here when that role exists. Locally and in tests a role gets a password only if
 * someone gives it one.
 *
 * Grants are per migration, not ALTER DEFAULT PRIVILEGES: a default privilege would hand the reader every
 * table a later migration creates (an audit or secrets table included), and it only applies to tables
 * created by the role named in it, which silently differs between the RDS master user and `postgres`. A
 * migration that adds a table grants on it in the same file; test/e2e/database-roles.e2e.spec.ts lists the
 * privileges of every table and fails on a table nobody decided about.
 *
 * Roles are cluster-wide while grants on tables are per database, and every database on a server runs this
 * migration (tests migrate many databases on one server at once). So the cluster-wide statements tolerate
 * having been done already, or concurrently by another database's migration: `duplicate_object` /
 * `unique_violation` mean another run got there first, and PostgreSQL's "tuple concurrently updated" (two
 * sessions changing one shared-catalog row) is retried a bounded number of times.
 */
export class CreateServiceRoles1764230600000 implements MigrationInterface {
  name = 'CreateServiceRoles1764230600000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      DO $roles$
      DECLARE
        statement text;
        attempt integer;
      BEGIN
        FOREACH statement IN ARRAY
          ARRAY[
            'CREATE ROLE library_reader LOGIN',
            'CREATE ROLE library_writer LOGIN',
            format('GRANT CONNECT ON DATABASE %I TO library_reader, library_writer', current_database()),
            format('REVOKE TEMPORARY ON DATABASE %I FROM PUBLIC', current_database())
          ]
          || CASE WHEN EXISTS (SELECT FROM pg_roles WHERE rolname = 'rds_iam')
               THEN ARRAY['GRANT rds_iam TO library_reader', 'GRANT rds_iam TO library_writer']
               ELSE ARRAY[]::text[]
             END
        LOOP
          FOR attempt IN 1..20 LOOP
            BEGIN
              EXECUTE statement;
              EXIT;
            EXCEPTION
              WHEN duplicate_object OR unique_violation THEN
                EXIT;
              WHEN internal_error THEN
                IF SQLERRM <> 'tuple concurrently updated' OR attempt = 20 THEN
                  RAISE;
                END IF;
                PERFORM pg_sleep(0.01 * attempt);
            END;
          END LOOP;
        END LOOP;
      END
      $roles$`);
    await queryRunner.query(`REVOKE CREATE ON SCHEMA public FROM PUBLIC`);
    await queryRunner.query(`GRANT USAGE ON SCHEMA public TO library_reader, library_writer`);
    await queryRunner.query(`GRANT SELECT ON books TO library_reader`);
    await queryRunner.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON books, idempotency_keys TO library_writer`);
    await queryRunner.query(`GRANT USAGE, SELECT ON SEQUENCE books_id_seq TO library_writer`);
  }

  /** Takes back this database's grants; the roles stay, since other databases on the server may use them. */
  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`REVOKE ALL ON SEQUENCE books_id_seq FROM library_reader, library_writer`);
    await queryRunner.query(`REVOKE ALL ON books, idempotency_keys FROM library_reader, library_writer`);
    await queryRunner.query(`REVOKE ALL ON SCHEMA public FROM library_reader, library_writer`);
    await queryRunner.query(`
      DO $roles$
      BEGIN
        EXECUTE format('REVOKE CONNECT ON DATABASE %I FROM library_reader, library_writer', current_database());
      END
      $roles$`);
  }
}
