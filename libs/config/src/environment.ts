import { plainToInstance, Transform } from 'class-transformer';
import {
  IsEnum,
  IsInt,
  IsNumber,
  IsOptional,
  IsString,
  IsUrl,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  validateSync,
} from 'class-validator';

export const DB_SSL_MODES = ['off', 'require', 'verify-full'] as const;
export type DbSslMode = (typeof DB_SSL_MODES)[number];

/** `password`: DB_PASSWORD (local, tests, the `migrate` task). `iam`: an RDS IAM token per connection (the services on AWS). */
export const DB_AUTH_MODES = ['password', 'iam'] as const;
export type DbAuthMode = (typeof DB_AUTH_MODES)[number];

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** The samplers of the OpenTelemetry specification's OTEL_TRACES_SAMPLER ("Environment Variable Specification"). */
export const TRACES_SAMPLERS = [
  'always_on',
  'always_off',
  'traceidratio',
  'parentbased_always_on',
  'parentbased_always_off',
  'parentbased_traceidratio',
] as const;
export type TracesSampler = (typeof TRACES_SAMPLERS)[number];

/** OTLP over HTTP, as protobuf (the specification's default) or JSON. The ECS sidecar listens for both on 4318. */
export const OTLP_PROTOCOLS = ['http/protobuf', 'http/json'] as const;
export type OtlpProtocol = (typeof OTLP_PROTOCOLS)[number];

/** Environment variables only: '8000' must become 8000, 'abc' must stay 'abc' so validation names it. */
const toInteger = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value.trim()) : value;
const emptyToUndefined = ({ value }: { value: unknown }): unknown => (value === '' ? undefined : value);
/** '0.1' must become 0.1; anything else stays as given so validation names it. */
const toDecimal = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' && /^\s*(\d+(\.\d*)?|\.\d+)\s*$/.test(value) ? Number(value) : value === '' ? undefined : value;

/**
 * An integer setting within [min, max], given as a string in the environment: one message names the
 * variable and its range whatever check fails ('abc', '1.5', '0').
 */
function IntegerBetween(min: number, max: number): PropertyDecorator {
  return (target, property) => {
    const message = `${String(property)} must be an integer between ${min} and ${max}`;
    // Applied in the order a stack of decorators would apply them (bottom-up).
    for (const decorator of [Max(max, { message }), Min(min, { message }), IsInt({ message }), Transform(toInteger)]) {
      decorator(target, property as string);
    }
  };
}

/** An AWS region name such as eu-west-1 or us-gov-west-1. */
const AWS_REGION_NAME = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;

const HOSTNAME = /^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$|^\[?[0-9a-fA-F:]+\]?$/;

/**
 * Every setting either service reads, with its default. The names are the contract in docs/configuration.md;
 * nothing else in the code reads process.env.
 */
export class EnvironmentVariables {
  @IsOptional()
  @IntegerBetween(1, 65535)
  PORT?: number;

  // Decorators run bottom-up and stop at the first failure, so the presence check is last.
  @Matches(HOSTNAME, { message: 'DB_HOST must be a host name or IP address' })
  @IsString({ message: 'DB_HOST is required (the PostgreSQL host name)' })
  @Transform(emptyToUndefined)
  DB_HOST!: string;

  @Matches(HOSTNAME, { message: 'DB_READ_HOST must be a host name or IP address' })
  @IsString()
  @Transform(emptyToUndefined)
  @IsOptional()
  DB_READ_HOST?: string;

  @IntegerBetween(1, 65535)
  DB_PORT: number = 5432;

  @IsString()
  @MinLength(1, { message: 'DB_NAME must not be empty' })
  @MaxLength(63, { message: 'DB_NAME must be at most 63 characters' })
  DB_NAME: string = 'library_db';

  @IsString()
  @MinLength(1, { message: 'DB_USER must not be empty' })
  @MaxLength(63, { message: 'DB_USER must be at most 63 characters' })
  DB_USER: string = 'postgres';

  @IsOptional()
  @IsString()
  DB_PASSWORD?: string;

  /** How the services log in: see DB_AUTH_MODES. `iam` needs DB_SSL and AWS_REGION (checked below). */
  @IsEnum(DB_AUTH_MODES, { message: `DB_AUTH must be one of: ${DB_AUTH_MODES.join(', ')}` })
  DB_AUTH: DbAuthMode = 'password';

  @IsEnum(DB_SSL_MODES, { message: `DB_SSL must be one of: ${DB_SSL_MODES.join(', ')}` })
  DB_SSL: DbSslMode = 'off';

  /** The region IAM tokens are signed for (the RDS instance's). */
  @Matches(AWS_REGION_NAME, { message: 'AWS_REGION must be an AWS region name such as eu-west-1' })
  @IsString()
  @Transform(emptyToUndefined)
  @IsOptional()
  AWS_REGION?: string;

  @IntegerBetween(1, 100)
  DB_POOL_MAX: number = 10;

  /** How long one connection attempt may take before the request fails with 503. */
  @IntegerBetween(100, 60_000)
  DB_CONNECT_TIMEOUT_MS: number = 5000;

  /** PostgreSQL `statement_timeout`; kept well below the ALB's 60 s idle timeout. */
  @IntegerBetween(100, 55_000)
  DB_STATEMENT_TIMEOUT_MS: number = 5000;

  /** How long start-up keeps retrying an unreachable database before exiting non-zero. */
  @IntegerBetween(0, 120)
  DB_STARTUP_RETRY_SECONDS: number = 10;

  /** How long a POST's Idempotency-Key is remembered; older keys are purged and count as new. */
  @IntegerBetween(1, 720)
  IDEMPOTENCY_KEY_TTL_HOURS: number = 24;

  @IsEnum(LOG_LEVELS, { message: `LOG_LEVEL must be one of: ${LOG_LEVELS.join(', ')}` })
  LOG_LEVEL: LogLevel = 'info';

  // Tracing (libs/telemetry): the variables the ECS task sets when tracing is on (terraform/modules/service/
  // tracing.tf), with the OpenTelemetry specification's names and defaults. Without an endpoint tracing is off.

  /** Where spans go: OTLP over HTTP, `/v1/traces` appended (the collector sidecar, http://127.0.0.1:4318). */
  @IsUrl(
    { protocols: ['http', 'https'], require_protocol: true, require_tld: false, allow_query_components: false, allow_fragments: false },
    { message: 'OTEL_EXPORTER_OTLP_ENDPOINT must be an http(s) URL such as http://127.0.0.1:4318 (or unset: tracing off)' },
  )
  @IsString({ message: 'OTEL_EXPORTER_OTLP_ENDPOINT must be a string' })
  @Transform(emptyToUndefined)
  @IsOptional()
  OTEL_EXPORTER_OTLP_ENDPOINT?: string;

  @IsEnum(OTLP_PROTOCOLS, { message: `OTEL_EXPORTER_OTLP_PROTOCOL must be one of: ${OTLP_PROTOCOLS.join(', ')}` })
  OTEL_EXPORTER_OTLP_PROTOCOL: OtlpProtocol = 'http/protobuf';

  /** The service's name on every span (the task sets `<project>-<env>-reader`); the service's own name when unset. */
  @MaxLength(255, { message: 'OTEL_SERVICE_NAME must be at most 255 characters' })
  @IsString()
  @Transform(emptyToUndefined)
  @IsOptional()
  OTEL_SERVICE_NAME?: string;

  @IsEnum(TRACES_SAMPLERS, { message: `OTEL_TRACES_SAMPLER must be one of: ${TRACES_SAMPLERS.join(', ')}` })
  OTEL_TRACES_SAMPLER: TracesSampler = 'parentbased_always_on';

  /** The share of new traces the ratio samplers keep (the task: 0.1); 1 when unset, as the specification says. */
  @Max(1, { message: 'OTEL_TRACES_SAMPLER_ARG must be a number between 0 and 1 (the share of new traces to sample)' })
  @Min(0, { message: 'OTEL_TRACES_SAMPLER_ARG must be a number between 0 and 1 (the share of new traces to sample)' })
  @IsNumber({}, { message: 'OTEL_TRACES_SAMPLER_ARG must be a number between 0 and 1 (the share of new traces to sample)' })
  @Transform(toDecimal)
  @IsOptional()
  OTEL_TRACES_SAMPLER_ARG?: number;
}

export class ConfigurationError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration: ${problems.join('; ')}`);
    this.name = 'ConfigurationError';
  }
}

/**
 * Validates the raw environment once and returns typed settings. Throws one ConfigurationError that
 * lists every bad variable, so a misconfigured task says everything that is wrong in one log line.
 */
export function validateEnvironment(raw: Record<string, unknown>): EnvironmentVariables {
  const known = Object.keys(new EnvironmentVariables()).concat([
    'PORT',
    'DB_HOST',
    'DB_READ_HOST',
    'DB_PASSWORD',
    'AWS_REGION',
    'OTEL_EXPORTER_OTLP_ENDPOINT',
    'OTEL_SERVICE_NAME',
    'OTEL_TRACES_SAMPLER_ARG',
  ]);
  const picked = Object.fromEntries(Object.entries(raw).filter(([key]) => known.includes(key)));
  const settings = plainToInstance(EnvironmentVariables, picked, { exposeDefaultValues: true });
  const errors = validateSync(settings, { skipMissingProperties: false, forbidUnknownValues: true, stopAtFirstError: true });
  const problems = errors.map((error) => {
    const message = Object.values(error.constraints ?? {})[0] ?? `${error.property} is invalid`;
    const shown = error.property === 'DB_PASSWORD' || error.value === undefined ? '' : ` (got "${String(error.value)}")`;
    return `${message}${shown}`;
  });
  problems.push(...iamAuthProblems(settings));
  if (problems.length > 0) throw new ConfigurationError(problems);
  return settings;
}

/**
 * What DB_AUTH=iam needs besides itself. RDS accepts IAM tokens only over SSL/TLS (AWS RDS User Guide, "IAM
 * database authentication for MariaDB, MySQL, and PostgreSQL"), and a token is signed for one region. The
 * master secret has no business in a service that logs in with tokens: only the `migrate` task gets it.
 */
function iamAuthProblems(settings: EnvironmentVariables): string[] {
  if (settings.DB_AUTH !== 'iam') return [];
  const problems: string[] = [];
  if (settings.DB_SSL === 'off')
    problems.push('DB_SSL must be require or verify-full when DB_AUTH=iam (RDS accepts IAM tokens only over SSL)');
  if (settings.AWS_REGION === undefined) problems.push('AWS_REGION is required when DB_AUTH=iam (the region of the RDS instance)');
  if (settings.DB_PASSWORD) problems.push('DB_PASSWORD must not be set when DB_AUTH=iam (each connection signs an IAM token instead)');
  return problems;
}
