export { startTracing, stopTracing, traceLogMixin, tracingSettings, tracingSummary } from './tracing.js';
export type { TracingSettings } from './tracing-settings.js';
