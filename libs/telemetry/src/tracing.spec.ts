import { describe, expect, it } from '@jest/globals';
import { validateEnvironment } from '#libs/config';
import { startTracing, stopTracing, traceLogMixin, tracingSettings, tracingSummary } from './tracing.js';

const settingsOf = (variables: Record<string, string>) => tracingSettings(validateEnvironment({ DB_HOST: 'db', ...variables }), 'reader');

describe('tracingSettings', () => {
  it('is off without OTEL_EXPORTER_OTLP_ENDPOINT', () => {
    expect(settingsOf({ OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: '0.1' })).toBeUndefined();
  });

  it('reads what the ECS task sets', () => {
    expect(
      settingsOf({
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318',
        OTEL_SERVICE_NAME: 'library-prod-reader',
        OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
        OTEL_TRACES_SAMPLER_ARG: '0.1',
      }),
    ).toEqual({
      tracesUrl: 'http://127.0.0.1:4318/v1/traces',
      protocol: 'http/protobuf',
      serviceName: 'library-prod-reader',
      sampler: 'parentbased_traceidratio',
      ratio: 0.1,
    });
  });

  it('defaults the service name to the service and the ratio to 1, and appends /v1/traces once', () => {
    expect(settingsOf({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/', OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' })).toEqual({
      tracesUrl: 'http://collector:4318/v1/traces',
      protocol: 'http/json',
      serviceName: 'reader',
      sampler: 'parentbased_always_on',
      ratio: 1,
    });
  });
});

describe('startTracing', () => {
  it('starts nothing without an endpoint', async () => {
    await startTracing('reader', { DB_HOST: 'db' });
    expect(tracingSummary()).toBe('off');
    expect(traceLogMixin()).toBeUndefined();
    await expect(stopTracing()).resolves.toBeUndefined();
  });

  it('starts nothing on a bad configuration, leaving the error to the service’s start-up', async () => {
    await expect(
      startTracing('writer', { DB_HOST: 'db', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318', OTEL_TRACES_SAMPLER_ARG: '2' }),
    ).resolves.toBeUndefined();
    expect(tracingSummary()).toBe('off');
  });
});
