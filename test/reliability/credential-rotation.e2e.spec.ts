import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type AuthTokenSignerFactory, Database } from '#libs/persistence';
import { canServeTls, type DedicatedPostgres, startDedicatedPostgres } from '../support/dedicated-postgres.js';
import { giveServiceRolesPasswords, SERVICE_ROLES, TEST_ROLE_PASSWORD } from '../support/service-roles.js';
import { type RunningService, startServiceWith } from '../support/services.js';
import { countBy, now, recordFigures, runLoad, type Sample } from './support/load.js';

/**
 * docs/reliability.md#r-1: "a rotation of any secret fails zero requests". The master password is rotated
 * by a Terraform apply. The services log in as library_reader / library_writer with an IAM token per connection
 * (here: the injected signer hands out the role's password, as a valid token would be accepted), so
 * rotating the master password under load must not fail a single request, even while the pools open new
 * connections all the time. The negative control is the old set-up: a reader logged in as the master user
 * with the password it was given at start, which fails as soon as it needs a new connection.
 */
const tls = canServeTls();
const POOL_LIFETIME_SECONDS = 0.3;
const LOAD_MS = 6000;
const ROTATE_AFTER_MS = 2000;

(tls || process.env.CI === 'true' ? describe : describe.skip)('master password rotation under load', () => {
  let postgres: DedicatedPostgres;
  let reader: RunningService;
  let writer: RunningService;
  let control: RunningService;
  let tokens = 0;
  const signer: AuthTokenSignerFactory = () => ({
    getAuthToken: async () => {
      tokens++;
      return TEST_ROLE_PASSWORD;
    },
  });

  /**
   * Pool churn: pg-pool retires a client after maxLifetimeSeconds, once it is idle, and opens a new one on
   * demand. Set on the live pool (the services do not recycle connections; a token is only checked at
   * connect time) so every few hundred milliseconds each service logs in again.
   */
  const poolOf = (service: RunningService) => service.app.get(Database).pool;

  /** From now on every new connection of each service lives POOL_LIFETIME_SECONDS; the ones from start-up go now. */
  async function churn(services: RunningService[]): Promise<void> {
    for (const service of services) poolOf(service).options.maxLifetimeSeconds = POOL_LIFETIME_SECONDS;
    await postgres.sql(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name LIKE 'library-%'`);
    for (const deadline = now() + 5000; services.some((service) => poolOf(service).totalCount > 0);) {
      if (now() > deadline) throw new Error('the pools did not drop their terminated connections within 5 s');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  beforeAll(async () => {
    postgres = await startDedicatedPostgres({ ssl: true });
    const admin = postgres.admin();
    await admin.connect();
    await giveServiceRolesPasswords(admin);
    await admin.query(`INSERT INTO books (title, author) SELECT 'Book ' || g, 'Author' FROM generate_series(1, 50) g`);
    await admin.end();
    const iam = (user: string) => ({
      ...postgres.environment,
      DB_AUTH: 'iam',
      DB_SSL: 'require',
      AWS_REGION: 'eu-west-1',
      DB_USER: user,
      DB_PASSWORD: undefined,
      DB_POOL_MAX: '3',
      LOG_LEVEL: 'silent',
      DB_CONNECT_TIMEOUT_MS: '2000',
    });
    reader = await startServiceWith('reader', iam(SERVICE_ROLES.reader), { signerFactory: signer });
    writer = await startServiceWith('writer', iam(SERVICE_ROLES.writer), { signerFactory: signer });
    control = await startServiceWith('reader', {
      ...postgres.environment,
      DB_POOL_MAX: '3',
      LOG_LEVEL: 'silent',
      DB_CONNECT_TIMEOUT_MS: '2000',
    });
    await churn([reader, writer, control]);
  }, 60_000);

  afterAll(async () => {
    await Promise.all([reader, writer, control].map((service) => service?.close().catch(() => undefined)));
    await postgres?.destroy();
  });

  it('fails zero requests of the services that log in as their own roles; the master-password control fails', async () => {
    const start = now();
    let rotatedAt = Number.NaN;
    let tokensAtRotation = 0;
    const rotation = (async () => {
      await new Promise((resolve) => setTimeout(resolve, ROTATE_AFTER_MS));
      await postgres.rotateMasterPassword(`rotated-${randomUUID()}`);
      rotatedAt = now();
      tokensAtRotation = tokens;
    })();
    const [services, controlSamples] = await Promise.all([
      runLoad({
        durationMs: LOAD_MS,
        concurrency: 4,
        maxRequests: 20_000,
        timeoutMs: 5000,
        next: (sequence) => {
          switch (sequence % 4) {
            case 0:
              return { name: 'GET /books', url: `${reader.url}/books?limit=5` };
            case 1:
              return { name: 'GET /books/:id', url: `${reader.url}/books/${1 + (sequence % 50)}` };
            case 2:
              return {
                name: 'POST /books',
                url: `${writer.url}/books`,
                init: {
                  method: 'POST',
                  headers: { 'content-type': 'application/json', 'idempotency-key': randomUUID() },
                  body: JSON.stringify({ title: `rotation-${sequence}`, author: 'Load' }),
                },
              };
            default:
              return {
                name: 'PATCH /books/:id',
                url: `${writer.url}/books/${1 + (sequence % 50)}`,
                init: {
                  method: 'PATCH',
                  headers: { 'content-type': 'application/json' },
                  body: JSON.stringify({ description: `d${sequence}` }),
                },
              };
          }
        },
      }),
      runLoad({
        durationMs: LOAD_MS,
        concurrency: 1,
        maxRequests: 5000,
        timeoutMs: 5000,
        next: () => ({ name: 'control', url: `${control.url}/books?limit=5` }),
      }),
      rotation,
    ]);

    const afterRotation = (samples: Sample[]) => samples.filter((sample) => sample.startedAt > rotatedAt);
    const failed = services.filter((sample) => sample.status < 200 || sample.status >= 300);
    const controlFailedAfter = afterRotation(controlSamples).filter((sample) => sample.status !== 200);
    const figures = {
      loadMs: Math.round(now() - start),
      rotatedAfterMs: Math.round(rotatedAt - start),
      requests: services.length,
      requestsAfterRotation: afterRotation(services).length,
      byStatus: countBy(services, (sample) => sample.status),
      failed: failed.length,
      connectionsOpenedAfterRotation: tokens - tokensAtRotation,
      controlRequests: controlSamples.length,
      controlFailedAfterRotation: controlFailedAfter.length,
      controlStatusesAfterRotation: countBy(afterRotation(controlSamples), (sample) => sample.status),
    };
    await recordFigures('credentialRotation', figures);

    expect(failed).toEqual([]);
    expect(figures.requestsAfterRotation).toBeGreaterThan(50);
    // The pools really did log in again after the rotation, many times, each with a fresh token.
    expect(figures.connectionsOpenedAfterRotation).toBeGreaterThan(5);
    // The control proves a stale master password would have failed requests here.
    expect(figures.controlFailedAfterRotation).toBeGreaterThan(0);
    expect(Object.keys(figures.controlStatusesAfterRotation)).toContain('503');
  }, 60_000);
});
