import { describe, expect, it } from '@jest/globals';
import { CliError } from '../errors.js';
import { parseBackend, renderBackend } from '../setup/backend.js';
import { deniesInsecureTransport, expiresNoncurrentVersions, lifecycleRule, stateBucketName, tlsOnlyStatement } from './state-bucket.js';

describe('stateBucketName', () => {
  it('is <project>-tfstate-<account>-<region>, within S3’s 63 characters for any valid project and region', () => {
    expect(stateBucketName('library', '123456789012', 'eu-west-1')).toBe('library-tfstate-123456789012-eu-west-1');
    // the longest project the env roots accept (16) and a long region name
    expect(stateBucketName('abcdefghijklmnop', '123456789012', 'ap-southeast-5').length).toBeLessThanOrEqual(63);
  });

  it.each([
    ['x'.repeat(40), /is 71 characters \(S3 allows 63\)/],
    ['Library', /may hold only lowercase letters/],
    ['xn--shop', /starts with a prefix S3 reserves/],
  ])('refuses %s with a fix', (project, message) => {
    expect(() => stateBucketName(project, '123456789012', 'eu-west-1')).toThrow(message);
    expect(() => stateBucketName(project, '123456789012', 'eu-west-1')).toThrow(CliError);
  });
});

describe('the bucket policy and lifecycle checks', () => {
  const arn = 'arn:aws:s3:::b';
  it('recognises a TLS-only deny whoever wrote it, and not an allow or a deny on something else', () => {
    expect(deniesInsecureTransport({ Statement: [tlsOnlyStatement(arn)] })).toBe(true);
    expect(
      deniesInsecureTransport({
        Statement: { Effect: 'Deny', Principal: { AWS: '*' }, Action: ['s3:*'], Condition: { Bool: { 'aws:SecureTransport': false } } },
      }),
    ).toBe(true);
    expect(deniesInsecureTransport({ Statement: [{ ...tlsOnlyStatement(arn), Effect: 'Allow' }] })).toBe(false);
    expect(deniesInsecureTransport({ Statement: [{ ...tlsOnlyStatement(arn), Action: 's3:GetObject' }] })).toBe(false);
    expect(deniesInsecureTransport({})).toBe(false);
  });

  it('a rule for the whole bucket must expire noncurrent versions; one for a prefix does not count', () => {
    expect(expiresNoncurrentVersions([lifecycleRule()])).toBe(true);
    expect(expiresNoncurrentVersions([{ ...lifecycleRule(), Status: 'Disabled' }])).toBe(false);
    expect(expiresNoncurrentVersions([{ ...lifecycleRule(), Filter: { Prefix: 'logs/' } }])).toBe(false);
    expect(expiresNoncurrentVersions([{ ID: 'x', Status: 'Enabled', Filter: {}, Expiration: { Days: 30 } }])).toBe(false);
  });
});

describe('backend.hcl', () => {
  it('renders what it parses back', () => {
    const b = { bucket: 'library-tfstate-1-eu-west-1', key: 'library/dev/terraform.tfstate', region: 'eu-west-1', useLockfile: true };
    const text = renderBackend(b, 'dev');
    expect(parseBackend(text)).toEqual(b);
    expect(text).toMatch(/^encrypt {6}= true$/m);
    expect(parseBackend('# use_lockfile = true\nbucket = "x"\n')).toEqual({
      bucket: 'x',
      key: undefined,
      region: undefined,
      useLockfile: undefined,
    });
  });
});
