import { Injectable, type OnModuleDestroy } from '@nestjs/common';

/**
 * Flips when Nest starts closing on SIGTERM (onModuleDestroy runs first, before the HTTP server stops
 * accepting), so /health/ready answers 503 while in-flight requests drain. Terminus's own graceful
 * shutdown option only waits; it does not fail readiness.
 */
@Injectable()
export class ShutdownState implements OnModuleDestroy {
  private draining = false;

  get isShuttingDown(): boolean {
    return this.draining;
  }

  onModuleDestroy(): void {
    this.draining = true;
  }
}
