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

/** What the funnel knows of a thrown value, read once. */
interface Thrown {
  err: unknown;
  name: string;
  msg: string;
  meta?: AwsLikeError['$metadata'];
  fault?: AwsLikeError['$fault'];
}

/** One kind of failure: how to recognise it, and the line, exit code and fix it becomes. */
interface Classifier {
  matches(t: Thrown): boolean;
  message(t: Thrown): string;
  exitCode: ExitCode | ((t: Thrown) => ExitCode);
  hint: string | ((t: Thrown) => string);
}

const named =
  (...names: string[]) =>
  (t: Thrown) =>
    names.includes(t.name);
const inSet = (set: Set<string>) => (t: Thrown) => set.has(t.name);

/**
 * AWS named what is wrong with this stack or these credentials, outside anything the command can fix:
 * `<what>: <AWS's message>`, exit code Preflight.
 */
const refusedBy = (names: string[], what: string, hint: string): Classifier => ({
  matches: named(...names),
  message: (t) => `${what}: ${t.msg}`,
  exitCode: ExitCode.Preflight,
  hint,
});

/** An SDK waiter (waitUntil…) that gave up throws an Error whose message is its JSON state (@smithy/util-waiter checkExceptions). */
const WAITER_STATE = /^\{"state":"(TIMEOUT|ABORTED|FAILURE)"/;

/** The table, first match wins; the last two rows catch any other AWS/named error, then bugs. */
const CLASSIFIERS: Classifier[] = [
  {
    matches: inSet(CREDENTIAL_EXPIRED),
    message: (t) => `AWS credentials have expired (${t.name})`,
    exitCode: ExitCode.Preflight,
    hint: 'refresh them (e.g. `aws sso login --profile <profile>`) and re-run',
  },
  {
    matches: named('CredentialsProviderError'),
    message: () => 'no AWS credentials found',
    exitCode: ExitCode.Preflight,
    hint: 'set AWS_PROFILE (or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY) and re-run',
  },
  {
    matches: inSet(CREDENTIAL_INVALID),
    message: (t) => `AWS rejected the credentials (${t.name}): ${t.msg}`,
    exitCode: ExitCode.Preflight,
    hint: 'check AWS_PROFILE and the region',
  },
  refusedBy(['AccessDeniedException', 'AccessDenied'], 'access denied', 'grant the deploy role the action named above'),
  refusedBy(['RepositoryNotFoundException'], 'ECR repository not found', 'run `terraform apply` for this env (registry module) and re-run'),
  refusedBy(
    ['ServiceNotFoundException', 'ServiceNotActiveException'],
    'ECS service not found or not active',
    'run `terraform apply` for this env, or check --env',
  ),
  refusedBy(['ClusterNotFoundException'], 'ECS cluster not found', 'check --env and AWS_REGION; run `terraform apply`'),
  {
    matches: inSet(THROTTLED),
    message: (t) => `AWS throttled the request (${t.name})${t.meta?.attempts ? ` after ${t.meta.attempts} attempts` : ''}`,
    exitCode: ExitCode.Error,
    hint: 'wait a minute and re-run; the SDK already retried with backoff',
  },
  {
    matches: (t) => t.name === 'ECONNREFUSED' || (t.err instanceof Error && /ECONNREFUSED|ENOTFOUND/.test(t.msg)),
    message: (t) => `cannot reach the AWS endpoint: ${t.msg}`,
    exitCode: ExitCode.Preflight,
    hint: 'check AWS_ENDPOINT_URL / network',
  },
  {
    // init and destroy turn Terraform's failures into their own lines; one that gets here still gets code 10.
    matches: named('TerraformError'),
    message: (t) => `terraform failed: ${t.msg}`,
    exitCode: ExitCode.Terraform,
    hint: 'run the same terraform command by hand in the env folder to see its full output',
  },
  refusedBy(['DBInstanceNotFoundFault'], 'RDS DB instance not found', 'check database.instance_identifier in the outputs and --env'),
  refusedBy(
    ['InvalidDBInstanceStateFault'],
    'RDS refused',
    'see the instance in the RDS console (Logs & events); re-run once it is available',
  ),
  {
    matches: (t) => WAITER_STATE.test(t.msg),
    message: (t) => `an AWS waiter ended in ${WAITER_STATE.exec(t.msg)![1]}`,
    exitCode: (t) => (WAITER_STATE.exec(t.msg)![1] === 'TIMEOUT' ? ExitCode.Timeout : ExitCode.Error),
    hint: '`deploy status` shows where things are; re-run the command once they settled',
  },
  {
    // An AWS service error (or another named one); some (5xx, a body the SDK could not parse) carry no message.
    matches: (t) => !!t.meta || !GENERIC_ERRORS.has(t.name),
    message: ({ name, msg, meta }) => {
      const where = [meta?.httpStatusCode && `HTTP ${meta.httpStatusCode}`, meta?.requestId && `request id ${meta.requestId}`]
        .filter(Boolean)
        .join(', ');
      return msg && msg !== name ? `${name}: ${msg}` : `AWS answered ${name} with no message${where ? ` (${where})` : ''}`;
    },
    exitCode: ExitCode.Error,
    hint: (t) =>
      t.fault === 'server' || (t.meta?.httpStatusCode ?? 0) >= 500
        ? 'an AWS-side failure: re-run in a minute; if it persists, check the AWS Health Dashboard for this region'
        : 'check the request named above (permissions, names in the Terraform outputs), then re-run',
  },
  {
    matches: () => true,
    message: ({ name, msg }) => `unexpected error: ${[name === 'Error' ? '' : name, msg].filter(Boolean).join(': ') || 'no message'}`,
    exitCode: ExitCode.Error,
    hint: 'this is a bug in the deploy CLI: re-run once, and report the command and this line if it happens again',
  },
];

/**
 * The one error funnel: whatever was thrown (AWS SDK error, zod error, docker failure, our own CliError)
 * becomes a CliError with a single actionable line: the first classifier that matches decides.
 */
export function toCliError(err: unknown): CliError {
  if (err instanceof CliError) return err;
  if (err instanceof ZodError) {
    const issue = err.issues[0];
    const where = issue?.path.length ? issue.path.join('.') : 'input';
    return new CliError(`invalid ${where}: ${issue?.message ?? err.message}`, ExitCode.Usage, 'see --help');
  }
  const e = (typeof err === 'object' && err !== null ? err : {}) as AwsLikeError;
  const t: Thrown = {
    err,
    name: e.name || e.Code || 'Error',
    msg: typeof err === 'object' && err !== null ? (e.message ?? '') : String(err),
    meta: e.$metadata,
    fault: e.$fault,
  };
  const c = CLASSIFIERS.find((k) => k.matches(t))!;
  const pick = <V>(v: V | ((t: Thrown) => V)) => (typeof v === 'function' ? (v as (t: Thrown) => V)(t) : v);
  return new CliError(c.message(t), pick(c.exitCode), pick(c.hint), { cause: err });
}

/** For process-level handlers (unhandledRejection, uncaughtException): the funnel's line, and its exit code. */
export function crashGuard(stderr: { write(s: string): unknown }, setExitCode: (code: number) => void): (err: unknown) => void {
  return (err) => {
    const e = toCliError(err);
    stderr.write(formatError(e));
    setExitCode(e.exitCode);
  };
}
