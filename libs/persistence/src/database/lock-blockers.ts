import type { QueryRunner } from 'typeorm';

/** A session that stands between a waiting statement and the lock it wants. */
export interface LockBlocker {
  pid: number;
  applicationName: string;
  user: string;
  /** pg_stat_activity.state: `idle in transaction` is the usual culprit. */
  state: string;
  /** Its current or (when idle) last statement, cut to 300 characters. */
  query: string;
  /** How long its transaction has been open, in ms (null outside a transaction). */
  transactionMs: number | null;
  /** What the waiting session asked for: the lock's object and mode. */
  wanted: { locktype: string; relation: string | null; mode: string } | null;
  /** The modes the blocker holds on that same object (empty when it is only ahead in the queue). */
  heldModes: string[];
  /** Every table lock it holds in this database, as "table mode". */
  tableLocks: string[];
}

/**
 * Who blocks `pid` right now. pg_blocking_pids lists the sessions that hold a lock conflicting with the one
 * `pid` waits for, or that wait ahead of it for a conflicting one (PostgreSQL docs 17, "System Information
 * Functions", pg_blocking_pids); pg_locks says which lock, pg_stat_activity who the session is.
 */
export async function lockBlockersOf(runner: QueryRunner, pid: number): Promise<LockBlocker[]> {
  const rows = (await runner.query(
    `SELECT b.pid,
            coalesce(a.application_name, '') AS application_name,
            coalesce(a.usename::text, '') AS usename,
            coalesce(a.state, '') AS state,
            left(coalesce(a.query, ''), 300) AS query,
            round(extract(epoch FROM now() - a.xact_start) * 1000)::bigint AS transaction_ms,
            w.locktype AS wanted_locktype,
            w.relation::regclass::text AS wanted_relation,
            w.mode AS wanted_mode,
            coalesce((SELECT array_agg(DISTINCT h.mode ORDER BY h.mode)
                        FROM pg_locks h
                       WHERE h.pid = b.pid AND h.granted AND h.locktype = w.locktype
                         AND h.database IS NOT DISTINCT FROM w.database
                         AND h.relation IS NOT DISTINCT FROM w.relation
                         AND h.virtualxid IS NOT DISTINCT FROM w.virtualxid
                         AND h.transactionid IS NOT DISTINCT FROM w.transactionid
                         AND h.classid IS NOT DISTINCT FROM w.classid
                         AND h.objid IS NOT DISTINCT FROM w.objid), '{}') AS held_modes,
            coalesce((SELECT array_agg(h.relation::regclass::text || ' ' || h.mode ORDER BY 1)
                        FROM pg_locks h JOIN pg_class c ON c.oid = h.relation
                       WHERE h.pid = b.pid AND h.granted AND h.locktype = 'relation'
                         AND h.database = (SELECT oid FROM pg_database WHERE datname = current_database())
                         AND c.relkind IN ('r', 'p', 'm')
                         AND c.relnamespace <> 'pg_catalog'::regnamespace), '{}') AS table_locks
       FROM unnest(pg_blocking_pids($1)) AS b(pid)
       JOIN pg_stat_activity a ON a.pid = b.pid
       LEFT JOIN LATERAL (SELECT * FROM pg_locks l WHERE l.pid = $1 AND NOT l.granted LIMIT 1) w ON true
      ORDER BY b.pid`,
    [pid],
  )) as Array<{
    pid: number;
    application_name: string;
    usename: string;
    state: string;
    query: string;
    transaction_ms: string | null;
    wanted_locktype: string | null;
    wanted_relation: string | null;
    wanted_mode: string | null;
    held_modes: string[];
    table_locks: string[];
  }>;
  return rows.map((row) => ({
    pid: row.pid,
    applicationName: row.application_name,
    user: row.usename,
    state: row.state,
    query: row.query,
    transactionMs: row.transaction_ms === null ? null : Number(row.transaction_ms),
    wanted: row.wanted_locktype ? { locktype: row.wanted_locktype, relation: row.wanted_relation, mode: row.wanted_mode ?? '' } : null,
    heldModes: row.held_modes,
    tableLocks: row.table_locks,
  }));
}

/** One sentence naming each blocker: who, holding what, doing what. */
export function describeBlockers(blockers: LockBlocker[]): string {
  if (blockers.length === 0) return 'no blocking session seen';
  return blockers
    .map((blocker) => {
      const who =
        `pid ${blocker.pid} (application_name "${blocker.applicationName}", user ${blocker.user || '?'}, ${blocker.state || 'unknown state'}` +
        `${blocker.transactionMs === null ? '' : `, transaction open ${Math.round(blocker.transactionMs / 1000)} s`})`;
      const wanted = blocker.wanted;
      const what = !wanted
        ? ''
        : wanted.locktype === 'relation'
          ? ` holding ${blocker.heldModes.join('+') || 'a queued request'} on ${wanted.relation}, which conflicts with the ${wanted.mode} the migration waited for`
          : wanted.locktype === 'virtualxid'
            ? ' whose open transaction the migration waited to end (CREATE INDEX CONCURRENTLY waits for every transaction that could still use the table)'
            : wanted.locktype === 'transactionid'
              ? ' whose uncommitted change (a row, or a name in a catalog) the migration also needed, so it waited for that transaction to end'
              : ` holding ${blocker.heldModes.join('+') || 'a queued request'} on a ${wanted.locktype} lock, which conflicts with the ${wanted.mode} the migration waited for`;
      const tables = blocker.tableLocks.length ? `; its table locks: ${blocker.tableLocks.join(', ')}` : '';
      return `blocked by ${who}${what}${tables}; its last query: ${JSON.stringify(blocker.query)}`;
    })
    .join('; ');
}
