import { randomUUID } from 'node:crypto';
import { maxHeaderSize, STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { errorBody } from './error-response.js';
import { API_SECURITY_HEADERS } from './security-headers.js';

/** Node's error codes for what its HTTP parser refuses before there is a request (Node: http, event 'clientError'). */
function describe(error: NodeJS.ErrnoException): { status: number; message: string } {
  if (error.code === 'HPE_HEADER_OVERFLOW') {
    return { status: 431, message: `Request line and header fields exceed ${maxHeaderSize / 1024} KiB` };
  }
  if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') return { status: 408, message: 'The request was not received in time' };
  return { status: 400, message: 'Malformed HTTP request' };
}

/**
 * Fastify's `clientErrorHandler`: what Node's parser refuses (over-large header fields: 431; a malformed
 * request line or header: 400; a request not received within requestTimeout: 408) is answered in the
 * error shape with a generated request id, as every other error, instead of Fastify's own body. There is
 * no request to route, so the answer is written on the socket, which is then closed, as Node's own default
 * does.
 */
export function answerClientError(this: FastifyInstance, error: NodeJS.ErrnoException, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const { status, message } = describe(error);
  const requestId = randomUUID();
  this.log.warn({ reqId: requestId, res: { statusCode: status }, code: error.code }, 'request refused by the HTTP parser');
  if (socket.writable) {
    const body = JSON.stringify(errorBody(status, message, requestId));
    const headers = {
      'content-type': 'application/json; charset=utf-8',
      'content-length': String(Buffer.byteLength(body)),
      'x-request-id': requestId,
      ...API_SECURITY_HEADERS,
      connection: 'close',
    };
    const head = Object.entries(headers)
      .map(([name, value]) => `${name}: ${value}\r\n`)
      .join('');
    socket.write(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n${head}\r\n${body}`);
  }
  socket.destroy(error);
}
