import { beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { type Runtime, detectRuntime } from '../container/support/runtime.js';
import { STACK_FILE, type Stack } from './stack.js';

/**
 * Requests through docker-compose.yml's gateway (nginx on :8080, docker/gateway/nginx.conf) to the reader and
 * writer containers, with the stack that test/compose/stack.ts brought up. Which container answered is read
 * from that container's own log: each logs the request id the gateway forwards.
 */

let stack: Stack;
let runtime: Runtime;

beforeAll(async () => {
  stack = JSON.parse(readFileSync(STACK_FILE, 'utf8')) as Stack;
  const detection = await detectRuntime();
  if (!detection.available) throw new Error(detection.missing);
  runtime = detection.runtime;
});

async function logsOf(service: string): Promise<string> {
  const result = await runtime.run(['logs', stack.containers[service]!], { timeoutMs: 30_000 });
  return result.stdout + result.stderr;
}

async function eventually(check: () => Promise<boolean>, limitMs: number): Promise<boolean> {
  const deadline = Date.now() + limitMs;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  return check();
}

const send = (method: string, path: string, requestId: string, body?: unknown): Promise<Response> =>
  fetch(`${stack.gateway}${path}`, {
    method,
    headers: { 'x-request-id': requestId, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  });

describe('the compose gateway routes by method, as the ALB does', () => {
  let created: { id: number; title: string };

  it('sends POST to the writer, which stores the book in the compose database', async () => {
    const requestId = `compose-post-${randomUUID()}`;
    const response = await send('POST', '/books', requestId, { title: `Compose ${requestId}`, author: 'Gateway Test' });
    expect(response.status).toBe(201);
    expect(response.headers.get('x-request-id')).toBe(requestId);
    created = (await response.json()) as { id: number; title: string };
    expect(await eventually(async () => (await logsOf('writer')).includes(requestId), 5_000)).toBe(true);
    expect(await logsOf('reader')).not.toContain(requestId);
  });

  it('sends GET to the reader, which reads what the writer stored', async () => {
    const requestId = `compose-get-${randomUUID()}`;
    const response = await send('GET', `/books/${created.id}`, requestId);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ id: created.id, title: created.title });
    expect(await eventually(async () => (await logsOf('reader')).includes(requestId), 5_000)).toBe(true);
    expect(await logsOf('writer')).not.toContain(requestId);
  });

  it.each(['OPTIONS', 'PROPFIND', 'MKCOL'])('answers %s itself with a JSON 405, reaching no service', async (method) => {
    const requestId = `compose-${method.toLowerCase()}-${randomUUID()}`;
    const response = await send(method, '/books', requestId);
    expect(response.status).toBe(405);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await response.json()).toEqual({ statusCode: 405, error: 'Method Not Allowed', message: 'Method not allowed' });
    const [reader, writer] = await Promise.all([logsOf('reader'), logsOf('writer')]);
    expect(reader + writer).not.toContain(requestId);
  });

  it("delivers both services' traces to the collector's place (its stand-in logs each export)", async () => {
    // The services export in batches (every few seconds); the requests above made spans on both.
    const exported = await eventually(async () => {
      const lines = (await logsOf('otel-collector')).split('\n').filter((line) => line.includes('"export received"'));
      return lines.some((line) => line.includes('/v1/traces'));
    }, 20_000);
    expect(exported).toBe(true);
  });
});
