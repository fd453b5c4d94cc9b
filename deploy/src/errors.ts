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
  $fault?: 'client' | 'server';
  $metadata?: { httpStatusCode?: number; attempts?: number; requestId?: string };
}

/** Names of JavaScript's own errors: thrown by a bug, not by AWS or a tool (those carry their own names). */
const GENERIC_ERRORS = new Set(['Error', 'TypeError', 'RangeError', 'ReferenceError', 'SyntaxError', 'AggregateError']);

/** The one way an error is shown: `✖ <cause>` and, on the next line, `  fix: <what to do>`. */
export function formatError(e: CliError): string {
  return `✖ ${e.message}\n${e.hint ? `  fix: ${e.hint}\n` : ''}`;
}

/** The JSON form of a failure (`--json`), printed when no result document was printed instead. */
export function errorDocument(e: CliError): { ok: false; exitCode: ExitCode; error: { message: string; hint: string | null } } {
  return { ok: false, exitCode: e.exitCode, error: { message: e.message, hint: e.hint ?? null } };
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
  const e = (typeof err === 'object' && err !== null ? err : {}) as AwsLikeError;
  const name = e.name || e.Code || 'Error';
  const msg = typeof err === 'object' && err !== null ? (e.message ?? '') : String(err);
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
  if (name === 'TerraformError') {
    // init and destroy turn Terraform's failures into their own lines; one that gets here still gets code 10.
    return new CliError(
      `terraform failed: ${msg}`,
      ExitCode.Terraform,
      'run the same terraform command by hand in the env folder to see its full output',
      {
        cause: err,
      },
    );
  }
  if (name === 'DBInstanceNotFoundFault') {
    return new CliError(
      `RDS DB instance not found: ${msg}`,
      ExitCode.Preflight,
      'check database.instance_identifier in the outputs and --env',
      {
        cause: err,
      },
    );
  }
  if (name === 'InvalidDBInstanceStateFault') {
    return new CliError(
      `RDS refused: ${msg}`,
      ExitCode.Preflight,
      'see the instance in the RDS console (Logs & events); re-run once it is available',
      {
        cause: err,
      },
    );
  }
  // An SDK waiter (waitUntil…) that gave up throws an Error whose message is its JSON state
  // (@smithy/util-waiter checkExceptions: TimeoutError, AbortError, or the raw FAILURE result).
  if (/^\{"state":"(TIMEOUT|ABORTED|FAILURE)"/.test(msg)) {
    const state = /^\{"state":"(\w+)"/.exec(msg)![1];
    return new CliError(
      `an AWS waiter ended in ${state}`,
      state === 'TIMEOUT' ? ExitCode.Timeout : ExitCode.Error,
      '`deploy status` shows where things are; re-run the command once they settled',
      { cause: err },
    );
  }
  const meta = e.$metadata;
  if (meta || !GENERIC_ERRORS.has(name)) {
    // An AWS service error (or another named one); some (5xx, a body the SDK could not parse) carry no message.
    const where = [meta?.httpStatusCode && `HTTP ${meta.httpStatusCode}`, meta?.requestId && `request id ${meta.requestId}`]
      .filter(Boolean)
      .join(', ');
    return new CliError(
      msg && msg !== name ? `${name}: ${msg}` : `AWS answered ${name} with no message${where ? ` (${where})` : ''}`,
      ExitCode.Error,
      e.$fault === 'server' || (meta?.httpStatusCode ?? 0) >= 500
        ? 'an AWS-side failure: re-run in a minute; if it persists, check the AWS Health Dashboard for this region'
        : 'check the request named above (permissions, names in the Terraform outputs), then re-run',
      { cause: err },
    );
  }
  return new CliError(
    `unexpected error: ${[name === 'Error' ? '' : name, msg].filter(Boolean).join(': ') || 'no message'}`,
    ExitCode.Error,
    'this is a bug in the deploy CLI: re-run once, and report the command and this line if it happens again',
    { cause: err },
  );
}

/** For process-level handlers (unhandledRejection, uncaughtException): the funnel's line, and its exit code. */
export function crashGuard(stderr: { write(s: string): unknown }, setExitCode: (code: number) => void): (err: unknown) => void {
  return (err) => {
    const e = toCliError(err);
    stderr.write(formatError(e));
    setExitCode(e.exitCode);
  };
}
