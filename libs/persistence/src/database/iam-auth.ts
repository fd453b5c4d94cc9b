import type { EnvironmentVariables } from '#libs/config';

/**
 * RDS IAM database authentication (AWS RDS User Guide, "IAM database authentication for MariaDB, MySQL, and
 * PostgreSQL" and "Connecting to your DB instance using IAM authentication"): instead of a password, the
 * client presents a token it signs itself with SigV4 from the task role's credentials. A token is valid for
 * 15 minutes and is only checked when a connection opens; an open session is never cut off by its expiry.
 * So a fresh token is signed for every NEW connection: node-postgres accepts `password` as an (async)
 * function and calls it each time a pooled client connects (node-postgres docs, "Client" config); the
 * TypeORM DataSource of each service (PersistenceModule) and of the `migrate` command passes
 * buildPoolConfig's settings to pg.Pool through `extra`. Nothing is cached, so nothing
 * goes stale: a pool that grows or replaces a connection an hour after start-up signs a new token then.
 */

/** Where a token is valid: RDS checks the host name, port and user it was signed for. */
export interface AuthTokenTarget {
  hostname: string;
  port: number;
  username: string;
  region: string;
}

/** Signs tokens for one target. `@aws-sdk/rds-signer`'s Signer has this shape. */
export interface AuthTokenSigner {
  getAuthToken(): Promise<string>;
}

/** Makes the signer for a target; tests inject one that counts calls (AUTH_TOKEN_SIGNER_FACTORY). */
export type AuthTokenSignerFactory = (target: AuthTokenTarget) => AuthTokenSigner;

/**
 * The production signer: `Signer` from `@aws-sdk/rds-signer` with the SDK's default credential chain, which
 * on ECS resolves the task role from the container credentials endpoint. Loaded on first use, so services
 * that log in with a password never load the AWS SDK.
 */
export const rdsSignerFactory: AuthTokenSignerFactory = (target) => {
  const signer = import('@aws-sdk/rds-signer').then(({ Signer }) => new Signer(target));
  return { getAuthToken: async () => (await signer).getAuthToken() };
};

/** Signing failed: no credentials (task role missing), no region, a clock far off. Answered with 503. */
export class AuthTokenError extends Error {
  constructor(target: AuthTokenTarget, cause: unknown) {
    const reason = cause instanceof Error ? cause.message || cause.name : String(cause);
    super(`could not sign an RDS IAM auth token for ${target.username}@${target.hostname}:${target.port} in ${target.region}: ${reason}`, {
      cause,
    });
    this.name = 'AuthTokenError';
  }
}

/**
 * The `password` for node-postgres: a string for DB_AUTH=password, or a function that signs a new IAM token
 * each time the pool opens a connection. `host` is the host this pool connects to (the reader may use a
 * replica), since a token is only valid for the host it was signed for.
 */
export function databasePassword(
  env: EnvironmentVariables,
  host: string,
  signerFactory: AuthTokenSignerFactory = rdsSignerFactory,
): string | undefined | (() => Promise<string>) {
  if (env.DB_AUTH !== 'iam') return env.DB_PASSWORD;
  // Validation guarantees AWS_REGION when DB_AUTH=iam.
  const target: AuthTokenTarget = { hostname: host, port: env.DB_PORT, username: env.DB_USER, region: env.AWS_REGION! };
  const signer = signerFactory(target);
  return async () => {
    try {
      return await signer.getAuthToken();
    } catch (error) {
      throw new AuthTokenError(target, error);
    }
  };
}
