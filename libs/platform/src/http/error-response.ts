import { HttpException, HttpStatus } from '@nestjs/common';
import { STATUS_CODES } from 'node:http';

/** The HTTP contract's error shape: every error a service answers, framework errors and 431 included. */
export interface ErrorBody {
  statusCode: number;
  error: string;
  message: string;
  /** The request's id, as in its X-Request-Id response header, to quote when reporting the error. */
  requestId: string;
}

export interface ErrorResponse {
  body: ErrorBody;
  headers: Record<string, string>;
  /** True when the cause is ours (a bug or an outage), so it is logged at error level with its stack. */
  serverFault: boolean;
}

/** node-postgres / PostgreSQL signs that the database is unreachable or went away: answer 503, retryable. */
const CONNECTION_ERROR_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  '57P01',
  '57P02',
  '57P03', // admin_shutdown, crash_shutdown, cannot_connect_now
  '53300', // too_many_connections
  '57014', // query_canceled (statement_timeout)
]);
const CONNECTION_ERROR_MESSAGES = [
  /Connection terminated/i,
  /timeout exceeded when trying to connect/i,
  /Query read timeout/i,
  /Client has encountered a connection error/i,
  /Connection is not established/i,
  /Cannot use a pool after calling end/i,
  /is not currently accepting connections/i, // 55000 while a database is being restored or dropped
];

function errorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const candidate = error as { code?: unknown; driverError?: { code?: unknown } };
  const code = candidate.driverError?.code ?? candidate.code;
  return typeof code === 'string' ? code : undefined;
}

/**
 * Errors that mean "no usable connection", by name: TypeORM's when the connection under a transaction died
 * (the server went away mid-request), and ours when an RDS IAM token could not be signed for a new
 * connection (libs/persistence iam-auth.ts), which clears up when the credentials do.
 */
const CONNECTION_ERROR_NAMES = new Set(['QueryRunnerAlreadyReleasedError', 'QueryRunnerProviderAlreadyReleasedError', 'AuthTokenError']);

export function isDatabaseUnavailable(error: unknown): boolean {
  if (error instanceof Error && CONNECTION_ERROR_NAMES.has(error.name)) return true;
  const code = errorCode(error);
  // Class 08: connection exceptions. Class 28: the server refused the login (a rotated or wrong password, a
  // role without LOGIN): no request can be served until the credentials are fixed, so it is 503 too.
  if (code && (CONNECTION_ERROR_CODES.has(code) || code.startsWith('08') || code.startsWith('28'))) return true;
  const message = error instanceof Error ? error.message : '';
  return CONNECTION_ERROR_MESSAGES.some((pattern) => pattern.test(message));
}

export function errorBody(statusCode: number, message: string, requestId: string): ErrorBody {
  return { statusCode, error: STATUS_CODES[statusCode] ?? 'Error', message, requestId };
}

function messageOf(response: string | object): string {
  if (typeof response === 'string') return response;
  const message = (response as { message?: unknown }).message;
  if (Array.isArray(message)) return message.join('; ');
  return typeof message === 'string' ? message : 'Request failed';
}

/**
 * The single mapping from anything thrown to the error shape `{ statusCode, error, message }` (docs/http-contract.md#errors). Used by the Nest
 * exception filter and by Fastify's own error and not-found handlers, so framework errors (bad JSON, 413,
 * 415) come out in the same shape. Never includes SQL, stack traces or driver messages.
 */
export function toErrorResponse(error: unknown, requestId: string): ErrorResponse {
  const body = (statusCode: number, message: string) => errorBody(statusCode, message, requestId);
  if (error instanceof HttpException) {
    const status = error.getStatus();
    const headers: Record<string, string> = {};
    if (status === HttpStatus.TOO_MANY_REQUESTS || status === HttpStatus.SERVICE_UNAVAILABLE) headers['retry-after'] = '1';
    return { body: body(status, messageOf(error.getResponse())), headers, serverFault: status >= 500 };
  }
  if (isDatabaseUnavailable(error)) {
    return {
      body: body(503, 'The database is unavailable; retry shortly'),
      headers: { 'retry-after': '1' },
      serverFault: true,
    };
  }
  if (errorCode(error) === '23505') {
    return { body: body(409, 'The request conflicts with an existing record'), headers: {}, serverFault: false };
  }
  // Fastify's own client errors (body too large, bad JSON, wrong content type, proto poisoning) carry a 4xx
  // statusCode and a message written for clients.
  const frameworkStatus = (error as { statusCode?: unknown } | null)?.statusCode;
  if (typeof frameworkStatus === 'number' && frameworkStatus >= 400 && frameworkStatus < 500) {
    const message = error instanceof Error && error.message ? error.message : (STATUS_CODES[frameworkStatus] ?? 'Bad request');
    return { body: body(frameworkStatus, message), headers: {}, serverFault: false };
  }
  return { body: body(500, 'Internal server error'), headers: {}, serverFault: true };
}
