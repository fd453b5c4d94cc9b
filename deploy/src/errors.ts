import { ZodError } from 'zod';
import { ExitCode } from './exit-codes.js';

/** An error the user can act on: one line, a fix, and the exit code it maps to. */
export class CliError extends Error {
  override readonly name = 'CliError';
  constructor(
    message: string,
    readonly exitCode: ExitCode,
    readonly hint?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

interface AwsLikeError {
  name?: string;
  message?: string;
  Code?: string;
  $metadata?: { httpStatusCode?: number; attempts?: number };
}

const CREDENTIAL_EXPIRED = new Set(['ExpiredTokenException', 'ExpiredToken', 'RequestExpired', 'TokenRefreshRequired']);
const CREDENTIAL_INVALID = new Set([
  'InvalidClientTokenId',
  'UnrecognizedClientException',
  'SignatureDoesNotMatch',
  'InvalidSignatureException',
  'IncompleteSignature',
]);
const THROTTLED = new Set([
  'ThrottlingException',
  'Throttling',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'ProvisionedThroughputExceededException',
]);

/**
 * The one error funnel: whatever was thrown (AWS SDK error, zod error, docker failure, our own CliError)
 * becomes a CliError with a single actionable line.
 */
export function toCliError(err: unknown): CliError {
  if (err instanceof CliError) return err;
  if (err instanceof ZodError) {
    const issue = err.issues[0];
    const where = issue?.path.length ? issue.path.join('.') : 'input';
    return new CliError(`invalid ${where}: ${issue?.message ?? err.message}`, ExitCode.Usage, 'see --help');
  }
  const e = (err ?? {}) as AwsLikeError;
  const name = e.name ?? e.Code ?? 'Error';
  const msg = e.message ?? String(err);
  if (CREDENTIAL_EXPIRED.has(name)) {
    return new CliError(
      `AWS credentials have expired (${name})`,
      ExitCode.Preflight,
      'refresh them (e.g. `aws sso login --profile <profile>`) and re-run',
      { cause: err },
    );
  }
  if (name === 'CredentialsProviderError') {
    return new CliError(
      'no AWS credentials found',
      ExitCode.Preflight,
      'set AWS_PROFILE (or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY) and re-run',
      { cause: err },
    );
  }
  if (CREDENTIAL_INVALID.has(name)) {
    return new CliError(`AWS rejected the credentials (${name}): ${msg}`, ExitCode.Preflight, 'check AWS_PROFILE and the region', {
      cause: err,
    });
  }
  if (name === 'AccessDeniedException' || name === 'AccessDenied') {
    return new CliError(`access denied: ${msg}`, ExitCode.Preflight, 'grant the deploy role the action named above', { cause: err });
  }
  if (name === 'RepositoryNotFoundException') {
    return new CliError(
      `ECR repository not found: ${msg}`,
      ExitCode.Preflight,
      'run `terraform apply` for this env (registry module) and re-run',
      {
        cause: err,
      },
    );
  }
  if (name === 'ServiceNotFoundException' || name === 'ServiceNotActiveException') {
    return new CliError(
      `ECS service not found or not active: ${msg}`,
      ExitCode.Preflight,
      'run `terraform apply` for this env, or check --env',
      {
        cause: err,
      },
    );
  }
  if (name === 'ClusterNotFoundException') {
    return new CliError(`ECS cluster not found: ${msg}`, ExitCode.Preflight, 'check --env and AWS_REGION; run `terraform apply`', {
      cause: err,
    });
  }
  if (THROTTLED.has(name)) {
    const attempts = e.$metadata?.attempts;
    return new CliError(
      `AWS throttled the request (${name})${attempts ? ` after ${attempts} attempts` : ''}`,
      ExitCode.Error,
      'wait a minute and re-run; the SDK already retried with backoff',
      { cause: err },
    );
  }
  if (name === 'ECONNREFUSED' || (err instanceof Error && /ECONNREFUSED|ENOTFOUND/.test(msg))) {
    return new CliError(`cannot reach the AWS endpoint: ${msg}`, ExitCode.Preflight, 'check AWS_ENDPOINT_URL / network', { cause: err });
  }
  return new CliError(`${name}: ${msg}`, ExitCode.Error, undefined, { cause: err });
}
