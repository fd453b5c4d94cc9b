/**
 * The one security header that means something on a JSON API: no MIME sniffing. The browser set (CSP and
 * the rest of helmet's) goes on the OpenAPI UI only, where a browser renders HTML (openapi.ts).
 */
export const API_SECURITY_HEADERS = { 'x-content-type-options': 'nosniff' } as const;
