import { Controller, Get, HttpCode, Res, ServiceUnavailableException } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import type { FastifyReply } from 'fastify';
import { DataSource } from 'typeorm';
import { ShutdownState } from './shutdown-state.js';

const DB_PING_TIMEOUT_MS = 1000;

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly moduleRef: ModuleRef,
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
        () => this.pingDatabase(),
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

  /**
   * `SELECT 1` on the service's pool within DB_PING_TIMEOUT_MS, as a Terminus indicator. Written here
   * rather than with Terminus's TypeOrmHealthIndicator, which imports @nestjs/typeorm by a name computed
   * at run time: in the bundled build (BENCHMARKS.md) that loads a second copy of the package, whose
   * DataSource token matches nothing. The DataSource is looked up, not injected, so apps without a
   * database (the controller tests) still start.
   */
  private async pingDatabase() {
    const indicator = this.indicators.check('database');
    const started = performance.now();
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timeout of ${DB_PING_TIMEOUT_MS}ms exceeded`)), DB_PING_TIMEOUT_MS);
    });
    try {
      await Promise.race([this.moduleRef.get(DataSource, { strict: false }).query('SELECT 1'), timedOut]);
      return indicator.up();
    } catch (error) {
      return indicator.down({
        message: error instanceof Error ? error.message : String(error),
        responseTime: Math.round(performance.now() - started),
      });
    } finally {
      clearTimeout(timer);
    }
  }
}
