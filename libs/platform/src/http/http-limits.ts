/** The HTTP server's limits: the Fastify adapter applies them and the OpenAPI document states them. */
export const HTTP_LIMITS = {
  /** Books are small; anything larger is refused with 413 before it is parsed. */
  bodyLimitBytes: 64 * 1024,
  /** Must exceed the ALB's 60 s idle timeout, or the ALB reuses sockets we already closed and returns 502. */
  keepAliveTimeoutMs: 72_000,
  /** Bounds a slow client; well above the DB statement timeout so slow queries answer 503 first. */
  requestTimeoutMs: 30_000,
} as const;
