import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/**
 * Caller-controlled values end up in logs and response headers: a request id is 1–128 characters from
 * [A-Za-z0-9._:-] (the HTTP contract), anything else is replaced by a generated one, never echoed or logged.
 */
export const SAFE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;
/** The Root field of an ALB's X-Amzn-Trace-Id (`Root=1-67891233-abcdef012345678912345678;…`), which is a safe id. */
const ALB_TRACE_ROOT = /(?:^|;)\s*Root=(1-[0-9a-fA-F]{8}-[0-9a-fA-F]{24})\s*(?:;|$)/;
const REQUEST_ID = Symbol('requestId');

type RequestWithId = IncomingMessage & { [REQUEST_ID]?: string };

/**
 * One request id per request, shared by Fastify and the HTTP logger: the client's `X-Request-Id` when it is
 * safe, else the Root of the ALB's `X-Amzn-Trace-Id`, else a new UUID. The Fastify adapter echoes it as
 * `X-Request-Id`, and error bodies carry it as `requestId`.
 */
export function requestIdOf(req: IncomingMessage): string {
  const tagged = req as RequestWithId;
  if (!tagged[REQUEST_ID]) {
    tagged[REQUEST_ID] = clientRequestId(req.headers['x-request-id']) ?? albTraceRoot(req.headers['x-amzn-trace-id']) ?? randomUUID();
  }
  return tagged[REQUEST_ID];
}

function clientRequestId(value: string | string[] | undefined): string | undefined {
  return typeof value === 'string' && SAFE_REQUEST_ID.test(value) ? value : undefined;
}

function albTraceRoot(value: string | string[] | undefined): string | undefined {
  return typeof value === 'string' && value.length <= 256 ? ALB_TRACE_ROOT.exec(value)?.[1] : undefined;
}
