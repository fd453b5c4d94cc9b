import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

export const IDEMPOTENCY_KEY_MAX_LENGTH = 255;

/**
 * The saved outcome of a POST made with an Idempotency-Key. Written in the same transaction as the book it
 * created, so a request that failed leaves no record and its retry simply runs again.
 */
@Entity({ name: 'idempotency_keys' })
export class IdempotencyRecord {
  @PrimaryColumn({ type: 'varchar', length: IDEMPOTENCY_KEY_MAX_LENGTH })
  key!: string;

  /** SHA-256 of the validated request, to tell a retry from a different request reusing the key. */
  @Column({ type: 'char', length: 64, name: 'request_hash' })
  requestHash!: string;

  @Column({ type: 'smallint', name: 'response_code' })
  responseCode!: number;

  @Column({ type: 'jsonb', name: 'response_body' })
  responseBody!: unknown;

  @Column({ type: 'varchar', length: 2048, nullable: true })
  location!: string | null;

  @CreateDateColumn({ type: 'timestamptz', name: 'created_at' })
  createdAt!: Date;
}
