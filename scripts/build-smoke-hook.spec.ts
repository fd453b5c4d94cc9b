/**
 * The ECS lifecycle hook (terraform/modules/delivery/hook/smoke-hook.mjs): its committed zip is what the build script
 * makes of its source today, and the handler decides as the ECS Developer Guide documents ("Lifecycle hooks for
 * Amazon ECS service deployments": a POST_TEST_TRAFFIC_SHIFT event in, {"hookStatus": ...} out), over real HTTP
 * against a server on 127.0.0.1 that answers only requests carrying the test header, as the test listener rule does.
 */
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { buildSmokeHookZip, HOOK_ZIP } from './build-smoke-hook.mjs';
import { handler } from '../terraform/modules/delivery/hook/smoke-hook.mjs';

describe('smoke-hook.zip', () => {
  it('is exactly what scripts/build-smoke-hook.mjs builds from smoke-hook.mjs (run it after changing the hook)', async () => {
    const built = await buildSmokeHookZip();
    expect(built.equals(readFileSync(HOOK_ZIP))).toBe(true);
  });
});

// ---- a stand-in for the ALB's test listener rule and the new revision behind it ------------------------------

const HEADER = 'x-deploy-test';
const HEADER_VALUE = 'prod';
const ACCOUNT = '123456789012';
const serviceArn = (service: string) => `arn:aws:ecs:eu-west-1:${ACCOUNT}:service/library-prod/${service}`;

/** An event as the ECS Developer Guide's lifecycle payloads show it. */
const event = (service: string) => ({
  serviceArn: serviceArn(service),
  targetServiceRevisionArn: `arn:aws:ecs:eu-west-1:${ACCOUNT}:service-revision/library-prod/${service}/4780912345678901234`,
  testTrafficWeights: { [`arn:aws:ecs:eu-west-1:${ACCOUNT}:service-revision/library-prod/${service}/4780912345678901234`]: 100 },
  productionTrafficWeights: { [`arn:aws:ecs:eu-west-1:${ACCOUNT}:service-revision/library-prod/${service}/1111111111111111111`]: 100 },
});

const book = {
  id: 1,
  title: 'Solaris',
  author: 'Stanisław Lem',
  description: '',
  isbn: '9780156027601',
  version: 1,
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
};

type Route = (req: IncomingMessage, body: string) => { status: number; json?: unknown };
/** What the new revision answers, per "<METHOD> <path>"; the test header is required, as by the test rule. */
let routes: Record<string, Route> = {};
const seen: { method: string; url: string; header: string | undefined; contentType: string | undefined }[] = [];

const healthyReader: Record<string, Route> = {
  'GET /health/ready': () => ({ status: 200, json: { status: 'ok' } }),
  'GET /books?limit=1': () => ({ status: 200, json: { items: [book], nextCursor: 'eyJpZCI6MX0' } }),
};
const healthyWriter: Record<string, Route> = {
  'POST /books': (_req, body) =>
    body === '{}'
      ? { status: 400, json: { statusCode: 400, error: 'Bad Request', message: 'title must be a string', requestId: 'r-1' } }
      : { status: 201, json: book },
};

let server: Server;
let appUrl: string;
/** The hook's one log line per invocation (what CloudWatch Logs would hold). */
const logged: string[] = [];

beforeAll(async () => {
  jest.spyOn(console, 'log').mockImplementation((line: string) => void logged.push(line));
  server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const header = req.headers[HEADER] as string | undefined;
      seen.push({ method: req.method!, url: req.url!, header, contentType: req.headers['content-type'] });
      const route = header === HEADER_VALUE ? routes[`${req.method} ${req.url}`] : undefined;
      const answer = route
        ? route(req, body)
        : { status: 404, json: { statusCode: 404, error: 'Not Found', message: 'no route', requestId: 'r-0' } };
      res.writeHead(answer.status, { 'content-type': 'application/json; charset=utf-8' });
      res.end(answer.json === undefined ? 'not json' : JSON.stringify(answer.json));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  appUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

const env = () => ({
  APP_URL: appUrl,
  TEST_HEADER_NAME: HEADER,
  TEST_HEADER_VALUE: HEADER_VALUE,
  SERVICES: JSON.stringify({ 'library-prod-reader': 'reader', 'library-prod-writer': 'writer' }),
});
const saved = { ...process.env };
const configure = (values: Record<string, string>) => Object.assign(process.env, values);

afterEach(() => {
  for (const k of Object.keys(env())) delete process.env[k];
  Object.assign(process.env, saved);
  seen.length = 0;
  logged.length = 0;
  routes = {};
});

describe('the hook at POST_TEST_TRAFFIC_SHIFT', () => {
  it('reader: SUCCEEDED when readiness is 200 and the first page has the contract shape, every request with the test header', async () => {
    configure(env());
    routes = healthyReader;
    await expect(handler(event('library-prod-reader'))).resolves.toEqual({ hookStatus: 'SUCCEEDED' });
    expect(seen.map((s) => `${s.method} ${s.url} ${s.header}`)).toEqual(['GET /health/ready prod', 'GET /books?limit=1 prod']);
  });

  it('writer: SUCCEEDED when an invalid book is refused with a 400 in the error shape (nothing written)', async () => {
    configure(env());
    routes = healthyWriter;
    await expect(handler(event('library-prod-writer'))).resolves.toEqual({ hookStatus: 'SUCCEEDED' });
    expect(seen).toEqual([{ method: 'POST', url: '/books', header: 'prod', contentType: 'application/json' }]);
  });

  it('accepts the fields under executionDetails too', async () => {
    configure(env());
    routes = healthyReader;
    await expect(handler({ executionDetails: event('library-prod-reader') })).resolves.toEqual({ hookStatus: 'SUCCEEDED' });
  });

  it.each<[string, string, Record<string, Route>]>([
    ['reader, readiness 503', 'library-prod-reader', { ...healthyReader, 'GET /health/ready': () => ({ status: 503, json: {} }) }],
    [
      'reader, a page of the wrong shape',
      'library-prod-reader',
      { ...healthyReader, 'GET /books?limit=1': () => ({ status: 200, json: { items: [{ ...book, id: '1' }], nextCursor: null } }) },
    ],
    ['reader, a page that is not JSON', 'library-prod-reader', { ...healthyReader, 'GET /books?limit=1': () => ({ status: 200 }) }],
    ['writer, the invalid book accepted (201)', 'library-prod-writer', { 'POST /books': () => ({ status: 201, json: book }) }],
    [
      'writer, a 400 without the error shape',
      'library-prod-writer',
      { 'POST /books': () => ({ status: 400, json: { statusCode: 400, message: 'x' } }) },
    ],
  ])('FAILED: %s', async (_name, service, answers) => {
    configure(env());
    routes = answers;
    await expect(handler(event(service))).resolves.toEqual({ hookStatus: 'FAILED' });
  });

  it('FAILED when the app is unreachable (nothing listens on the port)', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    configure({ ...env(), APP_URL: `http://127.0.0.1:${port}` });
    await expect(handler(event('library-prod-reader'))).resolves.toEqual({ hookStatus: 'FAILED' });
    expect(JSON.parse(logged.at(-1)!)).toMatchObject({
      hookStatus: 'FAILED',
      results: [{ ok: false, reason: 'GET /health/ready failed: ECONNREFUSED' }, { ok: false }],
    });
  });

  it('FAILED without sending anything for a service of another stack, a malformed ARN or a missing configuration', async () => {
    configure(env());
    routes = healthyReader;
    await expect(handler(event('someone-elses-reader'))).resolves.toEqual({ hookStatus: 'FAILED' });
    await expect(handler({ serviceArn: 'library-prod-reader' })).resolves.toEqual({ hookStatus: 'FAILED' });
    delete process.env.SERVICES;
    await expect(handler(event('library-prod-reader'))).resolves.toEqual({ hookStatus: 'FAILED' });
    expect(seen).toEqual([]);
  });
});
