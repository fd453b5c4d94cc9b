import { describe, expect, it } from '@jest/globals';
import { fastifyServerOptions } from './fastify-adapter.js';
import { HTTP_LIMITS } from './http-limits.js';

describe('Fastify server options', () => {
  it('keeps connections alive longer than the ALB idle timeout (60 s), or the ALB answers 502', () => {
    expect(fastifyServerOptions.keepAliveTimeout).toBeGreaterThan(60_000);
  });

  it('refuses bodies over 64 KiB and JSON prototype poisoning', () => {
    expect(fastifyServerOptions.bodyLimit).toBe(64 * 1024);
    expect(fastifyServerOptions.onProtoPoisoning).toBe('error');
    expect(fastifyServerOptions.onConstructorPoisoning).toBe('error');
  });

  it('trusts exactly one proxy hop (the ALB) for the client address', () => {
    expect(fastifyServerOptions.trustProxy('10.0.0.1', 0)).toBe(true);
    expect(fastifyServerOptions.trustProxy('203.0.113.9', 1)).toBe(false);
  });

  it('accepts a trailing slash on every route, as the Django original did', () => {
    expect(fastifyServerOptions.routerOptions.ignoreTrailingSlash).toBe(true);
  });

  it('answers 503 to requests arriving during shutdown and closes idle sockets', () => {
    expect(fastifyServerOptions.return503OnClosing).toBe(true);
    expect(fastifyServerOptions.forceCloseConnections).toBe('idle');
    expect(HTTP_LIMITS.requestTimeoutMs).toBeLessThan(60_000);
  });
});
