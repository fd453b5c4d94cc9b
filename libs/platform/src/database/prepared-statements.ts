import type { Pool } from 'pg';
import type { DataSource } from 'typeorm';

/** A fixed SQL statement, prepared once per pooled connection: later calls only bind and execute. */
export type PreparedStatement<Row> = (values: unknown[]) => Promise<{ rows: Row[]; rowCount: number }>;

/**
 * Named prepared statements on the service's own pool (the one TypeORM opened: same read-only sessions,
 * timeouts, TLS, IAM tokens and pool error handler). PostgreSQL parses and plans an unnamed statement on
 * every execution; a named one is parsed once per connection and, for these single-row and keyset
 * queries, planned once too. TypeORM's `query()` sends unnamed statements and adds a query runner per
 * call, so the hot paths use this instead (BENCHMARKS.md).
 *
 * Errors are node-postgres's own (with `code`, `constraint`), which the exception filter maps like
 * TypeORM's QueryFailedError. Each `name` must always be used with the same `text`.
 */
export function preparedStatement<Row>(dataSource: DataSource, name: string, text: string): PreparedStatement<Row> {
  // TypeORM's PostgresDriver keeps its pg.Pool as `master`; read it per call, since it is only created by
  // initialize() and replaced if the DataSource is re-initialized.
  const driver = dataSource.driver as unknown as { master: Pool };
  return async (values) => {
    const result = await driver.master.query<Row & object>({ name, text, values });
    return { rows: result.rows, rowCount: result.rowCount ?? 0 };
  };
}
