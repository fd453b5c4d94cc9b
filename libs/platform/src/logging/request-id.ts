import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/** Caller-controlled values end up in logs: accept only short ids made of safe characters. */
const SAFE_REQUEST_ID = /^[A-Za-z0-9._:=;-]{1,128}$/;
const REQUEST_ID = Symbol('requestId');

type RequestWithId = IncomingMessage & { [REQUEST_ID]?: string };

/**
 * One request id per request, shared by Fastify and the HTTP logger: the client's `X-Request-Id` when it is
 * safe, else the ALB's `X-Amzn-Trace-Id`, else a new UUID. The Fastify adapter echoes it as `X-Request-Id`.
 */
export function requestIdOf(req: IncomingMessage): string {
  const tagged = req as RequestWithId;
  if (!tagged[REQUEST_ID]) {
    tagged[REQUEST_ID] = safeHeader(req.headers['x-request-id']) ?? safeHeader(req.headers['x-amzn-trace-id']) ?? randomUUID();
  }
  return tagged[REQUEST_ID];
}

function safeHeader(value: string | string[] | undefined): string | undefined {
  return typeof value === 'string' && SAFE_REQUEST_ID.test(value) ? value : undefined;
}
