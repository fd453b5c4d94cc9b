import type { FastifyReply } from 'fastify';

/**
 * The Django original's write URLs (`POST /books/create/`, `PUT /books/<id>/update/`,
 * `DELETE /books/<id>/delete/`), served as aliases of the new ones so old clients keep working; the
 * trailing slash is optional on every route (Fastify's ignoreTrailingSlash). The ALB and the compose
 * gateway route by method, so these reach the writer with no routing change.
 */
export const DJANGO_PATHS = { create: 'create', update: ':id/update', delete: ':id/delete' } as const;

/** When the aliases were deprecated: the day the new URLs replaced them (2026-11-30T00:00:00Z). */
export const DJANGO_PATHS_DEPRECATED_AT = new Date('2026-11-30T00:00:00Z');

/**
 * RFC 9745: `Deprecation` is a structured-field Date, `@` + Unix seconds; a `Link` with
 * rel="successor-version" (RFC 5829) names the URL to use instead.
 */
export function markDeprecated(reply: FastifyReply, successor: string): void {
  void reply
    .header('deprecation', `@${Math.floor(DJANGO_PATHS_DEPRECATED_AT.getTime() / 1000)}`)
    .header('link', `<${successor}>; rel="successor-version"`);
}
