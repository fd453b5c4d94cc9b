import { ECSServiceException, ServiceNotFoundException } from '@aws-sdk/client-ecs';
import { RepositoryNotFoundException } from '@aws-sdk/client-ecr';
import { ExpiredTokenException } from '@aws-sdk/client-sts';
import { describe, expect, it } from '@jest/globals';
import { z } from 'zod';
import { CliError, toCliError } from './errors.js';
import { ExitCode } from './exit-codes.js';

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
