export { runService } from './bootstrap/run-service.js';
export { configureServiceApp, createServiceApp, SERVICE_APP_OPTIONS, startLogging } from './bootstrap/create-app.js';
export { createFastifyAdapter } from './http/fastify-adapter.js';
export type { ServiceSpec } from './bootstrap/service-spec.js';
export { defineService } from './bootstrap/define-service.js';
export { PlatformModule } from './platform.module.js';
export { ParseResourceIdPipe } from './http/resource-id.pipe.js';
export { etagFor, ifNoneMatchHits, parseIfMatch, type IfMatchCondition } from './http/etag.js';
export { ErrorDto } from './http/error.dto.js';
