export { startTracing, stopTracing, traceLogMixin, tracingSettings, tracingSummary, type TracingSettings } from './tracing.js';
