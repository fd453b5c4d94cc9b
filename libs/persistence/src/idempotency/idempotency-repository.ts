import { Injectable } from '@nestjs/common';
import { Database, type Session, statement } from '../database/database.js';
import type { IdempotencyRecord } from './idempotency-record.entity.js';

/** A saved outcome, as the writer stores and replays it (the `idempotency_keys` row in the entity's names). */
export type SavedOutcome = Pick<IdempotencyRecord, 'key' | 'requestHash' | 'responseCode' | 'responseBody' | 'location' | 'createdAt'>;

const SQL = {
  /** Transaction-scoped, so it is let go at COMMIT or ROLLBACK; `try`, so a duplicate never waits. */
  lock: statement<{ locked: boolean }>('idempotency_lock', 'SELECT pg_try_advisory_xact_lock(hashtextextended($1, 0)) AS locked'),
  find: statement<SavedOutcome>(
    'idempotency_find',
    `SELECT key, request_hash AS "requestHash", response_code AS "responseCode", response_body AS "responseBody", location,
            created_at AS "createdAt"
       FROM idempotency_keys WHERE key = $1`,
  ),
  delete: statement('idempotency_delete', 'DELETE FROM idempotency_keys WHERE key = $1'),
  insert: statement(
    'idempotency_insert',
    `INSERT INTO idempotency_keys (key, request_hash, response_code, response_body, location) VALUES ($1, $2, $3, $4::jsonb, $5)`,
  ),
  purge: statement('idempotency_purge', 'DELETE FROM idempotency_keys WHERE created_at < now() - make_interval(hours => $1)'),
};

/**
 * The saved outcomes of POSTs made with an Idempotency-Key. Every statement but the purge runs inside the
 * caller's transaction (`session`), the one that also writes the book, so both commit or neither does.
 */
@Injectable()
export class IdempotencyRepository {
  constructor(private readonly database: Database) {}

  /** Takes the key's lock for the rest of the transaction; false when another transaction holds it. */
  async tryLock(key: string, session: Session): Promise<boolean> {
    return (await this.database.run(SQL.lock, [key], session)).rows[0]!.locked;
  }

  async find(key: string, session: Session): Promise<SavedOutcome | undefined> {
    return (await this.database.run(SQL.find, [key], session)).rows[0];
  }

  async delete(key: string, session: Session): Promise<void> {
    await this.database.run(SQL.delete, [key], session);
  }

  async insert(outcome: Omit<SavedOutcome, 'createdAt'>, session: Session): Promise<void> {
    const values = [outcome.key, outcome.requestHash, outcome.responseCode, JSON.stringify(outcome.responseBody), outcome.location];
    await this.database.run(SQL.insert, values, session);
  }

  /** Deletes the outcomes saved more than `hours` ago; returns how many went. */
  async purgeOlderThan(hours: number): Promise<number> {
    return (await this.database.run(SQL.purge, [hours])).rowCount;
  }
}
