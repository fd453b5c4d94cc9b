import type { MigrationInterface, QueryRunner } from 'typeorm';
import { type MigrationClass, migrations, type MigrationSettings } from '#libs/persistence';

/** The application's migrations, in order: what a test database starts from before a test's own. */
export const applicationMigrations: MigrationClass[] = [...migrations];

/**
 * A migration class that runs `statements` in order, with the given settings (`transaction`, timeouts).
 * `name` must end in a 13-digit timestamp, as TypeORM requires.
 */
export function sqlMigration(name: string, statements: string[], settings: MigrationSettings = {}): MigrationClass {
  return class implements MigrationInterface, MigrationSettings {
    name = name;
    transaction = settings.transaction;
    lockTimeoutMs = settings.lockTimeoutMs;
    statementTimeoutMs = settings.statementTimeoutMs;

    async up(queryRunner: QueryRunner): Promise<void> {
      for (const statement of statements) await queryRunner.query(statement);
    }

    async down(): Promise<void> {}
  };
}
