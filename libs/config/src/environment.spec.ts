import { describe, expect, it } from '@jest/globals';
import { ConfigurationError, validateEnvironment } from './environment.js';

/** The ConfigurationError validateEnvironment throws for these variables (fails the test when it throws none). */
function configurationError(variables: Parameters<typeof validateEnvironment>[0]): ConfigurationError {
  try {
    validateEnvironment(variables);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigurationError);
    return error as ConfigurationError;
  }
  throw new Error(`validateEnvironment accepted ${JSON.stringify(variables)}`);
}

describe('validateEnvironment', () => {
  it('applies the documented defaults', () => {
    const env = validateEnvironment({ DB_HOST: 'db.internal' });
    expect(env).toMatchObject({
      DB_HOST: 'db.internal',
      DB_PORT: 5432,
      DB_NAME: 'library_db',
      DB_USER: 'postgres',
      DB_SSL: 'off',
      DB_AUTH: 'password',
      DB_POOL_MAX: 10,
      LOG_LEVEL: 'info',
      IDEMPOTENCY_KEY_TTL_HOURS: 24,
    });
    expect(env.PORT).toBeUndefined();
    expect(env.DB_READ_HOST).toBeUndefined();
  });

  it('converts numeric strings and keeps the reader replica host', () => {
    const env = validateEnvironment({
      DB_HOST: '10.0.1.5',
      DB_PORT: '6432',
      PORT: '8000',
      DB_POOL_MAX: '5',
      DB_READ_HOST: 'replica.rds.amazonaws.com',
    });
    expect(env).toMatchObject({ DB_PORT: 6432, PORT: 8000, DB_POOL_MAX: 5, DB_READ_HOST: 'replica.rds.amazonaws.com' });
  });

  it('treats an empty DB_READ_HOST as unset (Terraform passes "" without a replica)', () => {
    expect(validateEnvironment({ DB_HOST: 'db', DB_READ_HOST: '' }).DB_READ_HOST).toBeUndefined();
  });

  it('lists every bad variable in one error, without echoing the password', () => {
    const { problems, message } = configurationError({
      DB_PORT: '70000',
      PORT: 'eighty',
      DB_SSL: 'yes',
      LOG_LEVEL: 'loud',
      DB_POOL_MAX: '0',
      DB_PASSWORD: 12345 as unknown as string,
    });
    expect(problems).toEqual([
      'PORT must be an integer between 1 and 65535 (got "eighty")',
      'DB_HOST is required (the PostgreSQL host name)',
      'DB_PORT must be an integer between 1 and 65535 (got "70000")',
      'DB_PASSWORD must be a string',
      'DB_SSL must be one of: off, require, verify-full (got "yes")',
      'DB_POOL_MAX must be an integer between 1 and 100 (got "0")',
      'LOG_LEVEL must be one of: fatal, error, warn, info, debug, trace, silent (got "loud")',
    ]);
    expect(message).not.toContain('12345');
    expect(message.split('\n')).toHaveLength(1);
  });

  it('accepts DB_AUTH=iam with SSL and a region, and no password', () => {
    const env = validateEnvironment({
      DB_HOST: 'db',
      DB_AUTH: 'iam',
      DB_SSL: 'verify-full',
      AWS_REGION: 'eu-west-1',
      DB_USER: 'library_reader',
    });
    expect(env).toMatchObject({ DB_AUTH: 'iam', DB_SSL: 'verify-full', AWS_REGION: 'eu-west-1', DB_USER: 'library_reader' });
    expect(env.DB_PASSWORD).toBeUndefined();
  });

  it('lists what DB_AUTH=iam lacks together with every other bad variable', () => {
    const error = configurationError({ DB_HOST: 'db', DB_PORT: 'abc', DB_AUTH: 'iam', DB_PASSWORD: 'secret' });
    expect(error.problems).toEqual([
      'DB_PORT must be an integer between 1 and 65535 (got "abc")',
      'DB_SSL must be require or verify-full when DB_AUTH=iam (RDS accepts IAM tokens only over SSL)',
      'AWS_REGION is required when DB_AUTH=iam (the region of the RDS instance)',
      'DB_PASSWORD must not be set when DB_AUTH=iam (each connection signs an IAM token instead)',
    ]);
    expect(error.message).not.toContain('secret');
  });

  it.each([
    [{ DB_AUTH: 'kerberos' }, 'DB_AUTH must be one of: password, iam (got "kerberos")'],
    [
      { DB_AUTH: 'iam', DB_SSL: 'require', AWS_REGION: 'Ireland' },
      'AWS_REGION must be an AWS region name such as eu-west-1 (got "Ireland")',
    ],
  ])('rejects %j', (variables, problem) => {
    expect(() => validateEnvironment({ DB_HOST: 'db', ...variables })).toThrow(problem);
  });

  describe('tracing (OTEL_*)', () => {
    it('is off without an endpoint, with the specification defaults', () => {
      const env = validateEnvironment({ DB_HOST: 'db' });
      expect(env.OTEL_EXPORTER_OTLP_ENDPOINT).toBeUndefined();
      expect(env).toMatchObject({ OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf', OTEL_TRACES_SAMPLER: 'parentbased_always_on' });
      expect(env.OTEL_TRACES_SAMPLER_ARG).toBeUndefined();
      expect(env.OTEL_SERVICE_NAME).toBeUndefined();
    });

    it('accepts exactly what the ECS task sets (terraform/modules/service/tracing.tf)', () => {
      const env = validateEnvironment({
        DB_HOST: 'db',
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318',
        OTEL_SERVICE_NAME: 'library-prod-reader',
        OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
        OTEL_TRACES_SAMPLER_ARG: '0.1',
      });
      expect(env).toMatchObject({
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318',
        OTEL_SERVICE_NAME: 'library-prod-reader',
        OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
        OTEL_TRACES_SAMPLER_ARG: 0.1,
      });
    });

    it.each(['http://otel-collector:4318', 'https://collector.internal:4318/', 'http://[::1]:4318'])('accepts the endpoint %s', (url) => {
      expect(validateEnvironment({ DB_HOST: 'db', OTEL_EXPORTER_OTLP_ENDPOINT: url }).OTEL_EXPORTER_OTLP_ENDPOINT).toBe(url);
    });

    it.each(['1', '0', '0.25', '.5'])('accepts the sampler argument %s', (arg) => {
      expect(validateEnvironment({ DB_HOST: 'db', OTEL_TRACES_SAMPLER_ARG: arg }).OTEL_TRACES_SAMPLER_ARG).toBe(Number(arg));
    });

    it('treats empty values as unset (tracing off)', () => {
      const env = validateEnvironment({
        DB_HOST: 'db',
        OTEL_EXPORTER_OTLP_ENDPOINT: '',
        OTEL_SERVICE_NAME: '',
        OTEL_TRACES_SAMPLER_ARG: '',
      });
      expect(env.OTEL_EXPORTER_OTLP_ENDPOINT).toBeUndefined();
      expect(env.OTEL_SERVICE_NAME).toBeUndefined();
      expect(env.OTEL_TRACES_SAMPLER_ARG).toBeUndefined();
    });

    it('lists every bad tracing variable with the other bad variables, in one error', () => {
      const error = configurationError({
        DB_HOST: 'db',
        DB_PORT: 'x',
        OTEL_EXPORTER_OTLP_ENDPOINT: '127.0.0.1:4318',
        OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc',
        OTEL_TRACES_SAMPLER: 'xray',
        OTEL_TRACES_SAMPLER_ARG: '10%',
      });
      expect(error.problems).toEqual([
        'DB_PORT must be an integer between 1 and 65535 (got "x")',
        'OTEL_EXPORTER_OTLP_ENDPOINT must be an http(s) URL such as http://127.0.0.1:4318 (or unset: tracing off) (got "127.0.0.1:4318")',
        'OTEL_EXPORTER_OTLP_PROTOCOL must be one of: http/protobuf, http/json (got "grpc")',
        'OTEL_TRACES_SAMPLER must be one of: always_on, always_off, traceidratio, parentbased_always_on, parentbased_always_off, parentbased_traceidratio (got "xray")',
        'OTEL_TRACES_SAMPLER_ARG must be a number between 0 and 1 (the share of new traces to sample) (got "10%")',
      ]);
    });

    it.each([
      ['a ratio above 1', { OTEL_TRACES_SAMPLER_ARG: '1.5' }, 'OTEL_TRACES_SAMPLER_ARG must be a number between 0 and 1'],
      ['a negative ratio', { OTEL_TRACES_SAMPLER_ARG: '-0.1' }, 'OTEL_TRACES_SAMPLER_ARG must be a number between 0 and 1'],
      [
        'a non-HTTP endpoint',
        { OTEL_EXPORTER_OTLP_ENDPOINT: 'udp://127.0.0.1:4318' },
        'OTEL_EXPORTER_OTLP_ENDPOINT must be an http(s) URL',
      ],
      [
        'an endpoint with a query',
        { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318?x=1' },
        'OTEL_EXPORTER_OTLP_ENDPOINT must be an http(s) URL',
      ],
      ['a 256-character service name', { OTEL_SERVICE_NAME: 'x'.repeat(256) }, 'OTEL_SERVICE_NAME must be at most 255 characters'],
    ])('rejects %s', (_label, variables, problem) => {
      expect(() => validateEnvironment({ DB_HOST: 'db', ...variables })).toThrow(problem);
    });
  });

  it('ignores unrelated variables', () => {
    expect(() => validateEnvironment({ DB_HOST: 'db', HOME: '/root', AWS_REGION: 'eu-west-1' })).not.toThrow();
  });
});
