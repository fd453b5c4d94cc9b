import { type ArgumentsHost, Catch, type ExceptionFilter, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { toErrorResponse } from './error-response.js';

@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  private readonly logger = new Logger('HttpError');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const reply = http.getResponse<FastifyReply>();
    const requestId = http.getRequest<FastifyRequest>().id;
    const { body, headers, serverFault } = toErrorResponse(exception, requestId);
    // With the request's id, so the error line and the request's completion line can be matched.
    if (serverFault) this.logger.error(exception instanceof Error ? exception : String(exception), { reqId: requestId });
    if (reply.sent) return;
    void reply.status(body.statusCode).headers(headers).send(body);
  }
}
