import { afterAll, beforeAll, expect } from '@jest/globals';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { readerService } from '../../apps/reader/src/reader.module.js';
import { writerService } from '../../apps/writer/src/writer.module.js';
import { AUTH_TOKEN_SIGNER_FACTORY, type AuthTokenSignerFactory } from '#libs/persistence';
import { configureServiceApp, createFastifyAdapter, createServiceApp, SERVICE_APP_OPTIONS, startLogging } from '#libs/platform';
import { adminClient, createMigratedDatabase, type Environment, environmentFor, type TestDatabase } from './database.js';
import { giveServiceRolesPasswords, SERVICE_ROLES, TEST_ROLE_PASSWORD } from './service-roles.js';

export interface RunningService {
  url: string;
  app: NestFastifyApplication;
  close: () => Promise<void>;
}

export const serviceSpecs = { reader: readerService, writer: writerService } as const;

let rolesReady: Promise<void> | undefined;

/** Gives the service roles their test password on the run's server, once per worker. */
export function serviceRolesReady(): Promise<void> {
  rolesReady ??= (async () => {
    const admin = adminClient();
    await admin.connect();
    try {
      await giveServiceRolesPasswords(admin);
    } finally {
      await admin.end();
    }
  })();
  return rolesReady;
}

/**
 * Starts a service in this process exactly as `serve` builds it, on a free loopback port, logged in as its
 * own least-privilege role (library_reader / library_writer) unless `overrides` names another DB_USER.
 */
export async function startService(name: 'reader' | 'writer', database: string, overrides: Environment = {}): Promise<RunningService> {
  const environment = environmentFor(database, { DB_USER: SERVICE_ROLES[name], DB_PASSWORD: TEST_ROLE_PASSWORD, ...overrides });
  if (environment.DB_USER === SERVICE_ROLES[name]) await serviceRolesReady();
  return listen(await createServiceApp(serviceSpecs[name], environment));
}

type ServiceName = keyof typeof serviceSpecs;

/** A spec file's own migrated database and the services it runs on it (see servicesOnMigratedDatabase). */
export type ServicesOnDatabase<N extends ServiceName> = { database: TestDatabase } & Record<N, RunningService>;

/**
 * For a spec file: before its tests, a migrated database of its own (named after `prefix`) and `names` started on
 * it (startService, with `overrides`); after them, the services closed and the database dropped. The returned
 * object is filled in beforeAll: read its fields inside hooks and tests.
 */
export function servicesOnMigratedDatabase<N extends ServiceName>(
  prefix: string,
  names: readonly N[],
  overrides: Environment = {},
): ServicesOnDatabase<N> {
  const started = {} as ServicesOnDatabase<N>;
  const running: RunningService[] = [];
  beforeAll(async () => {
    started.database = await createMigratedDatabase(prefix);
    await Promise.all(
      names.map(async (name) => {
        const service = await startService(name, started.database.name, overrides);
        running.push(service);
        (started as Record<N, RunningService>)[name] = service;
      }),
    );
  });
  afterAll(async () => {
    await Promise.all(running.map((service) => service.close()));
    await started.database?.drop();
  });
  return started;
}

export interface StartOptions {
  /** Replaces the IAM token signer (DB_AUTH=iam), e.g. with one that counts calls. */
  signerFactory?: AuthTokenSignerFactory;
}

/**
 * Starts a service with a complete `environment` (another server's, say) and, optionally, an injected IAM
 * token signer: the same root module and app configuration as `serve`, built through Nest's testing
 * module so one provider can be replaced.
 */
export async function startServiceWith(
  name: 'reader' | 'writer',
  environment: Environment,
  options: StartOptions = {},
): Promise<RunningService> {
  const spec = serviceSpecs[name];
  const builder = Test.createTestingModule({ imports: [spec.rootModule(environment)] });
  if (options.signerFactory) builder.overrideProvider(AUTH_TOKEN_SIGNER_FACTORY).useValue(options.signerFactory);
  const moduleRef = await builder.compile();
  const app = moduleRef.createNestApplication<NestFastifyApplication>(createFastifyAdapter(), SERVICE_APP_OPTIONS);
  await configureServiceApp(app, spec.openApi);
  return listen(app);
}

async function listen(app: NestFastifyApplication): Promise<RunningService> {
  await app.listen({ port: 0, host: '127.0.0.1' });
  startLogging(app);
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return { url: `http://127.0.0.1:${port}`, app, close: () => app.close() };
}

export async function json(response: Response): Promise<any> {
  const text = await response.text();
  return text ? JSON.parse(text) : undefined;
}

/**
 * The platform's error body on a real response: the status, its reason phrase, the message (a string or an
 * asymmetric matcher) and the request id the response echoes in X-Request-Id.
 */
export async function expectErrorResponse(response: Response, statusCode: number, error: string, message: unknown): Promise<void> {
  expect(response.status).toBe(statusCode);
  expect(await json(response)).toEqual({ statusCode, error, message, requestId: response.headers.get('x-request-id') });
}

export function postJson(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return sendJson('POST', url, body, headers);
}

export function sendJson(method: string, url: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(url, { method, headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
}
