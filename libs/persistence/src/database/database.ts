import type { Pool, PoolClient, QueryResultRow } from 'pg';

/**
 * A fixed SQL statement under a name. node-postgres prepares a named statement once per connection and
 * afterwards only binds and executes it (node-postgres docs, "Queries", "Prepared Statements"): PostgreSQL
 * parses and plans an unnamed statement on every execution, a named one once per connection and, for these
 * single-row and keyset queries, plans it once too (BENCHMARKS.md). Each name is used with one text only.
 */
export interface Statement<Row extends QueryResultRow> {
  readonly name: string;
  readonly text: string;
  /** Only carries the row type; never set. */
  readonly row?: Row;
}

export function statement<Row extends QueryResultRow = Record<string, never>>(name: string, text: string): Statement<Row> {
  return { name, text };
}

/** Where a statement runs: the pool (a connection per statement) or one transaction's connection. */
export type Session = Pick<Pool, 'query'> | PoolClient;

/**
 * The service's one connection pool: the pool of the TypeORM DataSource that @nestjs/typeorm owns
 * (PersistenceModule hands it over; TypeOrmModule ends it on shutdown). Repositories run their statements through `run`, outside a
 * transaction on the pool and inside one on the transaction's connection: one data-access style either way.
 * Errors are node-postgres's own (`code`, `constraint`), which the exception filter maps.
 */
export class Database {
  constructor(readonly pool: Pool) {}

  async run<Row extends QueryResultRow>(
    { name, text }: Statement<Row>,
    values: unknown[],
    session: Session = this.pool,
  ): Promise<{ rows: Row[]; rowCount: number }> {
    const result = await session.query<Row>({ name, text, values });
    return { rows: result.rows, rowCount: result.rowCount ?? 0 };
  }

  /**
   * BEGIN … COMMIT on one pooled connection, ROLLBACK when `work` throws (node-postgres docs,
   * "Transactions": a transaction must use one client). A connection whose ROLLBACK fails is broken, so it is
   * destroyed rather than returned to the pool.
   */
  async transaction<T>(work: (session: Session) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    let broken: Error | undefined;
    // The pool's 'error' listener covers idle clients only (node-postgres docs, "Pool", events): a checked-out
    // client whose connection drops between two statements (the server stopped) emits 'error' itself, and an
    // unheard 'error' event ends the process. Heard here, it marks the client broken; the next statement fails.
    const onError = (error: Error): void => {
      broken = error;
    };
    client.on('error', onError);
    try {
      await client.query('BEGIN');
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch((rollbackError: Error) => (broken = rollbackError));
      throw error;
    } finally {
      client.off('error', onError);
      client.release(broken);
    }
  }

  /** One round trip, for readiness: `SELECT 1` on a pooled connection. */
  async ping(): Promise<void> {
    await this.pool.query('SELECT 1');
  }
}
