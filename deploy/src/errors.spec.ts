import { ECSServiceException, ServiceNotFoundException } from '@aws-sdk/client-ecs';
import { RepositoryNotFoundException } from '@aws-sdk/client-ecr';
import { ExpiredTokenException } from '@aws-sdk/client-sts';
import { describe, expect, it } from '@jest/globals';
import { z } from 'zod';
import { CliError, toCliError } from './errors.js';
import { ExitCode } from './exit-codes.js';
import { TerraformError } from './targets/terraform.js';

const meta = { $metadata: { attempts: 8 } };

describe('toCliError (the one error funnel)', () => {
  it.each([
    [
      new ExpiredTokenException({ message: 'The security token included in the request is expired', ...meta }),
      ExitCode.Preflight,
      /^AWS credentials have expired \(ExpiredTokenException\)$/,
      /aws sso login/,
    ],
    [
      Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' }),
      ExitCode.Preflight,
      /^no AWS credentials found$/,
      /AWS_PROFILE/,
    ],
    [
      new TerraformError('plan', 'Error: No valid credential sources found'),
      ExitCode.Terraform,
      /^terraform failed: Error: No valid credential sources found$/,
      /by hand/,
    ],
    [
      new RepositoryNotFoundException({ message: "The repository with name 'library/reader' does not exist", ...meta }),
      ExitCode.Preflight,
      /^ECR repository not found: /,
      /terraform apply/,
    ],
    [
      new ServiceNotFoundException({ message: 'Service not found.', ...meta }),
      ExitCode.Preflight,
      /^ECS service not found or not active/,
      /terraform apply/,
    ],
    [
      Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', ...meta }),
      ExitCode.Error,
      /^AWS throttled the request \(ThrottlingException\) after 8 attempts$/,
      /already retried/,
    ],
    [
      Object.assign(new Error('User: x is not authorized to perform: ecs:UpdateService'), { name: 'AccessDeniedException' }),
      ExitCode.Preflight,
      /ecs:UpdateService/,
      /grant/,
    ],
  ])('maps %s', (err, code, message, hint) => {
    const e = toCliError(err);
    expect(e.exitCode).toBe(code);
    expect(e.message).toMatch(message);
    expect(e.hint).toMatch(hint);
    expect(e.message).not.toContain('\n');
  });

  it('passes a CliError through and turns zod errors into usage errors naming the field', () => {
    const own = new CliError('x', ExitCode.Migration);
    expect(toCliError(own)).toBe(own);
    const zerr = z.object({ timeout: z.number() }).safeParse({ timeout: 'soon' }).error!;
    const e = toCliError(zerr);
    expect(e.exitCode).toBe(ExitCode.Usage);
    expect(e.message).toMatch(/^invalid timeout: /);
  });

  it('keeps unknown SDK errors as name: message', () => {
    const e = toCliError(new ECSServiceException({ name: 'InvalidParameterException', $fault: 'client', message: 'bad', $metadata: {} }));
    expect(e.message).toBe('InvalidParameterException: bad');
    expect(e.exitCode).toBe(ExitCode.Error);
  });
});

describe('toCliError: every failure gets one line and a fix', () => {
  it.each([
    [
      'an SDK error with no message',
      new ECSServiceException({
        name: 'InternalFailure',
        $fault: 'server',
        message: '',
        $metadata: { httpStatusCode: 500, requestId: 'r-1' },
      }),
    ],
    [
      'an SDK client error',
      new ECSServiceException({ name: 'InvalidParameterException', $fault: 'client', message: 'bad', $metadata: {} }),
    ],
    ['a waiter timeout', Object.assign(new Error('{"state":"TIMEOUT","reason":"Waiter has timed out"}'), { name: 'TimeoutError' })],
    ['a thrown string', 'boom'],
    ['undefined', undefined],
    ['an Error with no message', new Error()],
  ])('%s', (_what, err) => {
    const e = toCliError(err);
    expect(e.message).not.toContain('\n');
    expect(e.message).not.toMatch(/^\s*at /m);
    expect(e.hint).toBeTruthy();
  });

  it('names an SDK error without a message by its name, status and request id', () => {
    const e = toCliError(
      new ECSServiceException({
        name: 'InternalFailure',
        $fault: 'server',
        message: '',
        $metadata: { httpStatusCode: 500, requestId: 'r-1' },
      }),
    );
    expect(e.message).toBe('AWS answered InternalFailure with no message (HTTP 500, request id r-1)');
    expect(e.hint).toMatch(/re-run in a minute/);
    expect(e.exitCode).toBe(ExitCode.Error);
  });

  it('a waiter that timed out is the timeout exit code, not its JSON', () => {
    const e = toCliError(Object.assign(new Error('{"state":"TIMEOUT","observedResponses":{}}'), { name: 'TimeoutError' }));
    expect(e.exitCode).toBe(ExitCode.Timeout);
    expect(e.message).toBe('an AWS waiter ended in TIMEOUT');
  });
});
