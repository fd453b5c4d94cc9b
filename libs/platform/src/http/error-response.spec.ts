import { BadRequestException, NotFoundException } from '@nestjs/common';
import { QueryFailedError } from 'typeorm';
import { describe, expect, it } from '@jest/globals';
import { toErrorResponse } from './error-response.js';

function pgError(code: string, message = 'boom'): QueryFailedError {
  return new QueryFailedError('SELECT secret FROM books', [], Object.assign(new Error(message), { code }));
}

describe('toErrorResponse', () => {
  it('keeps HTTP exceptions, joining validation messages', () => {
    expect(toErrorResponse(new BadRequestException(['a is bad', 'b is bad']), 'req-1').body).toEqual({
      statusCode: 400,
      error: 'Bad Request',
      message: 'a is bad; b is bad',
      requestId: 'req-1',
    });
    expect(toErrorResponse(new NotFoundException('book 1 not found'), 'req-1').body.message).toBe('book 1 not found');
  });

  it.each(['ECONNREFUSED', 'ETIMEDOUT', '57P01', '57P03', '08006', '53300', '57014', '28P01'])(
    'maps database outage code %s to a retryable 503',
    (code) => {
      const response = toErrorResponse(pgError(code), 'req-1');
      expect(response.body.statusCode).toBe(503);
      expect(response.headers['retry-after']).toBe('1');
    },
  );

  it.each(['Connection terminated unexpectedly', 'timeout exceeded when trying to connect'])('maps "%s" to 503', (message) => {
    expect(toErrorResponse(new Error(message), 'req-1').body.statusCode).toBe(503);
  });

  it('maps a transaction whose connection died under it to 503', async () => {
    const { QueryRunnerAlreadyReleasedError } = await import('typeorm');
    expect(toErrorResponse(new QueryRunnerAlreadyReleasedError(), 'req-1').body.statusCode).toBe(503);
  });

  it('maps a failure to sign an RDS IAM token for a new connection to 503', () => {
    const error = Object.assign(new Error('could not sign an RDS IAM auth token for library_reader@db:5432 in eu-west-1: no credentials'), {
      name: 'AuthTokenError',
    });
    const response = toErrorResponse(error, 'req-1');
    expect(response.body).toEqual({
      statusCode: 503,
      error: 'Service Unavailable',
      message: 'The database is unavailable; retry shortly',
      requestId: 'req-1',
    });
    expect(response.serverFault).toBe(true);
  });

  it('never leaks SQL, driver messages or stacks for unknown errors', () => {
    const response = toErrorResponse(pgError('42P01', 'relation "secret_table" does not exist'), 'req-1');
    expect(response).toEqual({
      body: { statusCode: 500, error: 'Internal Server Error', message: 'Internal server error', requestId: 'req-1' },
      headers: {},
      serverFault: true,
    });
  });

  it('passes Fastify client errors through with their status', () => {
    const tooLarge = Object.assign(new Error('Request body is too large'), { statusCode: 413, code: 'FST_ERR_CTP_BODY_TOO_LARGE' });
    expect(toErrorResponse(tooLarge, 'req-1').body).toEqual({
      statusCode: 413,
      error: 'Payload Too Large',
      message: 'Request body is too large',
      requestId: 'req-1',
    });
  });

  it('maps an unexpected unique violation to 409', () => {
    expect(toErrorResponse(pgError('23505'), 'req-1').body.statusCode).toBe(409);
  });
});
