// The reader's entry point: `node dist/apps/reader/src/main.js [serve|migrate]` (the image's dist/main.js, `npm run
// dev`, `nest start reader`). Tracing, when OTEL_EXPORTER_OTLP_ENDPOINT is set, has to hook pg and Fastify before
// they are loaded, so the service itself is imported only after startTracing; with tracing off this costs
// one small module.
import 'reflect-metadata';
import { startTracing } from '#libs/telemetry';

// eslint-disable-next-line no-restricted-syntax -- the process boundary hands the raw environment to the validator
await startTracing('reader', process.env);
await import('./run.js');
