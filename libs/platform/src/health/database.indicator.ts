import { Injectable } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { HealthIndicatorService } from '@nestjs/terminus';
import { Database } from '#libs/persistence';

const DB_PING_TIMEOUT_MS = 1000;

@Injectable()
export class DatabaseIndicator {
  constructor(
    private readonly indicators: HealthIndicatorService,
    private readonly moduleRef: ModuleRef,
  ) {}

  /**
   * `SELECT 1` on the service's pool (PersistenceModule's Database) within DB_PING_TIMEOUT_MS, as a
   * Terminus indicator. The Database is looked up, not injected, so apps without a database (the
   * controller tests) still start.
   */
  async ping() {
    const indicator = this.indicators.check('database');
    const started = performance.now();
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timeout of ${DB_PING_TIMEOUT_MS}ms exceeded`)), DB_PING_TIMEOUT_MS);
    });
    try {
      await Promise.race([this.moduleRef.get(Database, { strict: false }).ping(), timedOut]);
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
