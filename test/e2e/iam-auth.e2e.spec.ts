import { jest } from '@jest/globals';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ServiceLogger as Logger } from '#libs/platform';
import { freePort } from '../../scripts/embedded-postgres.mjs';
import { type AuthTokenSignerFactory, type AuthTokenTarget, Database } from '#libs/persistence';
import { canServeTls, type DedicatedPostgres, startDedicatedPostgres } from '../support/dedicated-postgres.js';
import { expectStartupFailure, runToExit } from '../support/process.js';
import { giveServiceRolesPasswords, SERVICE_ROLES, TEST_ROLE_PASSWORD } from '../support/service-roles.js';
import { expectErrorResponse, type RunningService, startServiceWith } from '../support/services.js';

/**
 * DB_AUTH=iam against a real PostgreSQL that serves TLS (IAM needs DB_SSL), with the signer injected: it
 * returns the role's real password, so PostgreSQL accepts each "token" exactly as RDS would accept a valid
 * one, and it counts how often it is asked. The start-up failure runs the built service with the real
 * @aws-sdk/rds-signer and no AWS credentials at all.
 *
 * Needs openssl for the throwaway certificate; skipped with a message where it is missing outside CI.
 */
const tls = canServeTls();
if (!tls && process.env.CI !== 'true') console.warn('iam-auth.e2e.spec.ts skipped: openssl is not installed');

(tls || process.env.CI === 'true' ? describe : describe.skip)('DB_AUTH=iam', () => {
  let postgres: DedicatedPostgres;
  let reader: RunningService;
  const signed: AuthTokenTarget[] = [];
  let failSigning = false;
  const countingSigner: AuthTokenSignerFactory = (target) => ({
    getAuthToken: async () => {
      if (failSigning) throw new Error('Could not load credentials from any providers');
      signed.push(target);
      return TEST_ROLE_PASSWORD;
    },
  });

  const iamEnvironment = () => ({
    ...postgres.environment,
    DB_AUTH: 'iam',
    DB_SSL: 'require',
    AWS_REGION: 'eu-west-1',
    DB_USER: SERVICE_ROLES.reader,
    DB_PASSWORD: undefined,
    DB_POOL_MAX: '4',
    LOG_LEVEL: 'silent',
  });

  beforeAll(async () => {
    postgres = await startDedicatedPostgres({ ssl: true });
    const admin = postgres.admin();
    await admin.connect();
    await giveServiceRolesPasswords(admin);
    await admin.query(`INSERT INTO books (title, author) VALUES ('Kindred', 'Octavia E. Butler')`);
    await admin.end();
    reader = await startServiceWith('reader', iamEnvironment(), { signerFactory: countingSigner });
  }, 60_000);
  afterAll(async () => {
    await reader?.close();
    await postgres?.destroy();
  });

  /** The reader's sessions on the server right now: pid, user and whether they use TLS. */
  const sessions = () =>
    postgres.sql<{ pid: number; usename: string; ssl: boolean }>(
      `SELECT a.pid, a.usename, s.ssl FROM pg_stat_activity a JOIN pg_stat_ssl s USING (pid)
        WHERE a.application_name = 'library-reader' ORDER BY a.pid`,
    );
  /** Ends every reader session on the server and waits (bounded) until the pool has noticed and let go of all of them. */
  async function terminateReaderSessions(): Promise<void> {
    await postgres.sql(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'library-reader'`);
    const { pool } = reader.app.get(Database);
    for (const deadline = performance.now() + 5000; pool.totalCount > 0;) {
      if (performance.now() > deadline) throw new Error(`the pool still holds ${pool.totalCount} terminated connections after 5 s`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  it('signs one token per new connection, for the host, port, user and region it connects to, over TLS', async () => {
    const before = await sessions();
    expect(before.length).toBeGreaterThan(0);
    expect(before.every((session) => session.usename === SERVICE_ROLES.reader && session.ssl)).toBe(true);
    expect(signed).toHaveLength(before.length);
    expect(signed[0]).toEqual({
      hostname: postgres.environment.DB_HOST,
      port: Number(postgres.environment.DB_PORT),
      username: SERVICE_ROLES.reader,
      region: 'eu-west-1',
    });

    // Serving from open connections signs nothing.
    for (let i = 0; i < 5; i++) expect((await fetch(`${reader.url}/books`)).status).toBe(200);
    expect(signed).toHaveLength(before.length);

    // Every connection replaced, and the pool grown to four by parallel requests: one token each.
    await terminateReaderSessions();
    const { pool } = reader.app.get(Database);
    const signedBefore = signed.length;
    await Promise.all(Array.from({ length: 4 }, () => pool.query('SELECT pg_sleep(0.2)')));
    const after = await sessions();
    expect(after).toHaveLength(4);
    expect(after.map((session) => session.pid)).not.toEqual(expect.arrayContaining(before.map((session) => session.pid)));
    expect(signed.length - signedBefore).toBe(4);
  });

  it('answers 503 (not 500, not a hang) when a token cannot be signed, logs why, and recovers', async () => {
    const logger = reader.app.get(Logger);
    const errors = jest.spyOn(logger, 'error');
    failSigning = true;
    try {
      await terminateReaderSessions();
      const started = performance.now();
      const response = await fetch(`${reader.url}/books`, { signal: AbortSignal.timeout(10_000) });
      expect(performance.now() - started).toBeLessThan(3000);
      await expectErrorResponse(response, 503, 'Service Unavailable', 'The database is unavailable; retry shortly');
      expect(response.headers.get('retry-after')).toBe('1');
      const logged = errors.mock.calls.map((call) => String(call[0] instanceof Error ? call[0].message : call[0]));
      expect(logged).toEqual(
        expect.arrayContaining([
          expect.stringMatching(
            /^could not sign an RDS IAM auth token for library_reader@127\.0\.0\.1:\d+ in eu-west-1: Could not load credentials from any providers$/,
          ),
        ]),
      );
      expect((await fetch(`${reader.url}/health/ready`)).status).toBe(503);
      expect((await fetch(`${reader.url}/health`)).status).toBe(200);
    } finally {
      failSigning = false;
      errors.mockRestore();
    }
    expect((await fetch(`${reader.url}/books`)).status).toBe(200);
  });

  it('start-up with the real signer and no AWS credentials: exit 1, one JSON fatal line naming the signing failure', async () => {
    const result = await runToExit('reader', [], {
      ...iamEnvironment(),
      DB_PASSWORD: '',
      PORT: String(await freePort()),
      DB_STARTUP_RETRY_SECONDS: '0',
      // No credentials anywhere in the default chain, and no instance metadata service (loopback only).
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_CONFIG_FILE: '/nonexistent/aws-config',
      AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/aws-credentials',
      HOME: '/nonexistent',
    });
    const fatal = expectStartupFailure(result);
    expect(fatal.msg).toMatch(
      /^Cannot connect to PostgreSQL at 127\.0\.0\.1:\d+\/library_test: could not sign an RDS IAM auth token for library_reader@127\.0\.0\.1:\d+ in eu-west-1: .*credentials.* \(check that the task role may rds-db:connect as DB_USER, and AWS_REGION\)$/i,
    );
  });
});
