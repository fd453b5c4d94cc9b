import type { PgInstrumentationConfig } from '@opentelemetry/instrumentation-pg';

/**
 * The pg spans: `pg-pool.connect` (waiting for a pooled connection) and `pg.query:<OPERATION> <database>` per
 * query, with the SQL text as sent (db.query.text: our SQL is parameterised, so it holds `$1`, never a value),
 * the operation (db.operation.name), the database, server address and port.
 */
export function dbSpanOptions(): PgInstrumentationConfig {
  return {
    // Never on: it copies every bound value ($1, $2, …: titles, authors, search terms) into the span.
    enhancedDatabaseReporting: false,
    // Only inside a request: the readiness ping, start-up and `migrate` make no traces of their own.
    requireParentSpan: true,
    // Both would change the SQL sent (a comment; a SET before each query) for a trace id in PostgreSQL's logs.
    addSqlCommenterCommentToQueries: false,
    enableTraceContextPropagation: false,
    // The instrumentation puts the operation into the span's name and metrics only; X-Ray and Jaeger
    // filter by attribute.
    requestHook: (span, { query }) => {
      if (span.isRecording()) span.setAttribute('db.operation.name', operationOf(query.text));
    },
  };
}

/** The SQL command: the statement's first word, upper-case (SELECT, INSERT, …), as the pg instrumentation names spans. */
export function operationOf(sql: string): string {
  const word = /^\s*([A-Za-z]+)/.exec(sql)?.[1];
  return word === undefined ? 'UNKNOWN' : word.toUpperCase();
}
