import { type ArgumentsHost, Catch, type ExceptionFilter, Logger } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { toErrorResponse } from './error-response.js';

@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  private readonly logger = new Logger('HttpError');

  catch(exception: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const { body, headers, serverFault } = toErrorResponse(exception);
    if (serverFault) this.logger.error(exception instanceof Error ? exception : String(exception));
    if (reply.sent) return;
    void reply.status(body.statusCode).headers(headers).send(body);
  }
}
