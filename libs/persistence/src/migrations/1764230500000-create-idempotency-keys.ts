import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateIdempotencyKeys1764230500000 implements MigrationInterface {
  name = 'CreateIdempotencyKeys1764230500000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE idempotency_keys (
        key           varchar(255) PRIMARY KEY,
        request_hash  char(64) NOT NULL,
        response_code smallint NOT NULL,
        response_body jsonb NOT NULL,
        location      varchar(2048),
        created_at    timestamptz NOT NULL DEFAULT now()
      )`);
    // The purge deletes by age.
    await queryRunner.query(`CREATE INDEX idempotency_keys_created_at_idx ON idempotency_keys (created_at)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE idempotency_keys`);
  }
}
