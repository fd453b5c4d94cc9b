import { describe, expect, it } from '@jest/globals';
import { AWS_MAX_ATTEMPTS, createAwsClients } from './clients.js';

describe('createAwsClients', () => {
  it('honours AWS_ENDPOINT_URL and the region for every client', async () => {
    const c = createAwsClients('eu-central-1', { AWS_ENDPOINT_URL: 'http://127.0.0.1:4566' });
    expect(c.endpoint).toBe('http://127.0.0.1:4566');
    for (const client of [c.ecs, c.ecr, c.sts, c.logs, c.elbv2, c.cloudwatch, c.rds, c.ec2, c.s3]) {
      expect(await client.config.region()).toBe('eu-central-1');
      const ep = await client.config.endpoint!();
      expect(`${ep.protocol}//${ep.hostname}:${ep.port}`).toBe('http://127.0.0.1:4566');
    }
    expect(c.s3.config.forcePathStyle).toBe(true);
    expect(createAwsClients('eu-west-1', {}).s3.config.forcePathStyle).toBe(false);
  });

  it('retries throttling with the adaptive retry mode', async () => {
    const c = createAwsClients('eu-west-1', {});
    expect(await c.ecs.config.maxAttempts()).toBe(AWS_MAX_ATTEMPTS);
    expect(c.ecs.config.retryMode).toBe('adaptive');
    expect(c.endpoint).toBeUndefined();
  });
});
