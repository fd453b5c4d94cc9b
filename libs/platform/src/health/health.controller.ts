import { Controller, Get, HttpCode, Res, ServiceUnavailableException } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import type { FastifyReply } from 'fastify';
import { DatabaseIndicator } from './database.indicator.js';
import { ShutdownState } from './shutdown-state.js';

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly database: DatabaseIndicator,
    private readonly shutdown: ShutdownState,
  ) {}

  @Get()
  @HttpCode(200)
  @ApiOperation({ summary: 'Liveness: the process serves requests. Never touches the database.' })
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('ready')
  @ApiOperation({ summary: 'Readiness: 503 while the database is unreachable or the process is shutting down.' })
  @ApiResponse({ status: 200, description: 'Ready' })
  @ApiResponse({ status: 503, description: 'Not ready' })
  async ready(@Res({ passthrough: true }) reply: FastifyReply): Promise<unknown> {
    try {
      return await this.health.check([
        () => {
          const lifecycle = this.indicators.check('lifecycle');
          return this.shutdown.isShuttingDown ? lifecycle.down({ reason: 'shutting down' }) : lifecycle.up();
        },
        () => this.database.ping(),
      ]);
    } catch (error) {
      // Keep Terminus's detailed body (which check failed) instead of the generic error shape.
      if (error instanceof ServiceUnavailableException) {
        void reply.status(503).header('retry-after', '1');
        return error.getResponse();
      }
      throw error;
    }
  }
}
