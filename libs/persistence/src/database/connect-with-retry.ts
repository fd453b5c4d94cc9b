import { setTimeout as sleep } from 'node:timers/promises';
import { AuthTokenError } from './iam-auth.js';

/** Where a pool or DataSource connects, for the one-line error that names it. */
export interface DatabaseTarget {
  host?: string;
  port?: number;
  database?: string;
}

/**
 * Start-up tolerates a database that is still coming up (compose, a restarting RDS instance) for a few
 * seconds, then gives up so a task with a wrong DB setting fails its deployment instead of serving errors.
 * `connect` is one attempt: the service pool's first connection, or the migrator's DataSource.initialize().
 */
export async function connectWithRetry<T>(
  target: DatabaseTarget,
  connect: () => Promise<T>,
  retrySeconds: number,
  onRetry: (attempt: number, error: Error) => void = () => undefined,
): Promise<T> {
  const deadline = Date.now() + retrySeconds * 1000;
  for (let attempt = 1; ; attempt++) {
    try {
      return await connect();
    } catch (error) {
      const reason = error instanceof Error ? error : new Error(String(error));
      if (Date.now() + 1000 > deadline) throw new DatabaseUnreachableError(target, reason, attempt);
      onRetry(attempt, reason);
      await sleep(1000);
    }
  }
}

export class DatabaseUnreachableError extends Error {
  constructor(target: DatabaseTarget, cause: Error, attempts = 1) {
    const fix =
      cause instanceof AuthTokenError
        ? 'check that the task role may rds-db:connect as DB_USER, and AWS_REGION'
        : 'check DB_HOST, DB_PORT, DB_NAME, DB_USER, DB_PASSWORD, DB_AUTH, DB_SSL and the security group';
    super(
      `Cannot connect to PostgreSQL at ${target.host}:${target.port}/${target.database}` +
        `${attempts > 1 ? ` (${attempts} attempts)` : ''}: ${cause.message || cause.name} (${fix})`,
      { cause },
    );
    this.name = 'DatabaseUnreachableError';
  }
}
