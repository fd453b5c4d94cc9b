import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import helmet, { type HelmetOptions } from 'helmet';
import { ErrorDto } from './error.dto.js';
import { documentHttpLayer } from './http-layer.js';

export interface OpenApiInfo {
  title: string;
  description: string;
  version: string;
}

/** The Swagger UI's own scripts and styles, inline styles (it sets them), its embedded images. */
const DOCS_HELMET_OPTIONS: HelmetOptions = {
  contentSecurityPolicy: {
    directives: {
      defaultSrc: ["'self'"],
      styleSrc: ["'self'", "'unsafe-inline'"],
      imgSrc: ["'self'", 'data:'],
      scriptSrc: ["'self'"],
    },
  },
};

/**
 * The browser security headers (CSP, frame and referrer policies, HSTS…) for the pages a browser renders:
 * helmet's middleware run once, at start-up, against a recording response, so the UI gets exactly
 * helmet's headers while no request pays for building them (@fastify/helmet re-ran helmet per request).
 */
export function browserSecurityHeaders(options: HelmetOptions = DOCS_HELMET_OPTIONS): Record<string, string> {
  const headers: Record<string, string> = {};
  const recorder = {
    setHeader: (name: string, value: string) => void (headers[name.toLowerCase()] = value),
    removeHeader: (name: string) => void delete headers[name.toLowerCase()],
  };
  helmet(options)({} as never, recorder as never, (error?: unknown) => {
    if (error) throw error;
  });
  return headers;
}

const DOCS_PATH = '/docs';

/**
 * Swagger UI at /docs, the document at /docs/json (and /docs/yaml). The document is built on the first
 * request for it, not at start-up: scanning every controller and DTO is work no request to the API needs.
 */
export function mountOpenApi(app: NestFastifyApplication, info: OpenApiInfo): void {
  const config = new DocumentBuilder()
    .setTitle(info.title)
    .setDescription(info.description)
    .setVersion(info.version)
    // Relative: the document describes the host it is served from (a task, the ALB, the compose gateway).
    .addServer('/')
    .build();
  // The API has no authentication scheme; an empty list says so explicitly (OpenAPI 3.0, Security Requirement Object).
  config.security = [];
  const document = () => documentHttpLayer(SwaggerModule.createDocument(app, config, { extraModels: [ErrorDto] }));
  SwaggerModule.setup(DOCS_PATH.slice(1), app, document, {
    jsonDocumentUrl: 'docs/json',
    yamlDocumentUrl: 'docs/yaml',
  });
  const docsHeaders = browserSecurityHeaders();
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('onRequest', (request, reply, done) => {
      if (request.url.startsWith(DOCS_PATH)) void reply.headers(docsHeaders);
      done();
    });
}
