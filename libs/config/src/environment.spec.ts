import { describe, expect, it } from '@jest/globals';
import { ConfigurationError, validateEnvironment } from './environment.js';

describe('validateEnvironment', () => {
  it('applies the documented defaults', () => {
    const env = validateEnvironment({ DB_HOST: 'db.internal' });
    expect(env).toMatchObject({
      DB_HOST: 'db.internal',
      DB_PORT: 5432,
      DB_NAME: 'library_db',
      DB_USER: 'postgres',
      DB_SSL: 'off',
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
    let error: unknown;
    try {
      validateEnvironment({
        DB_PORT: '70000',
        PORT: 'eighty',
        DB_SSL: 'yes',
        LOG_LEVEL: 'loud',
        DB_POOL_MAX: '0',
        DB_PASSWORD: 12345 as unknown as string,
      });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigurationError);
    const { problems, message } = error as ConfigurationError;
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

  it('ignores unrelated variables', () => {
    expect(() => validateEnvironment({ DB_HOST: 'db', HOME: '/root', AWS_REGION: 'eu-west-1' })).not.toThrow();
  });
});
