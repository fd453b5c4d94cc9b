/**
 * Exit codes of the deploy CLI. Documented in deploy/README.md; every one is asserted in a test.
 * 0 also covers "no change" (the digest equals the running one), so CI can re-run a deploy safely.
 */
export const ExitCode = {
  Ok: 0,
  /** Unexpected error, or `diff --exit-code` found a difference (like `git diff --exit-code`). */
  Error: 1,
  /** Bad flags or arguments. */
  Usage: 2,
  /** Preflight failed: credentials, targets, docker, dirty tree, missing AWS resource, deployment in progress, `verify` failure. */
  Preflight: 3,
  /** `docker buildx build` or `docker push` failed. */
  Build: 4,
  /** The migration task failed; no service was changed. */
  Migration: 5,
  /** The rollout failed (ECS marked it FAILED, the circuit breaker or we rolled back, smoke check failed); the previous revision runs again. */
  RolledBack: 6,
  /** The rollout did not finish within --timeout; the previous revision runs again. */
  Timeout: 7,
  /** The rollback itself did not settle: a person must look now. */
  RollbackFailed: 8,
  /** `status` found something unhealthy. */
  Unhealthy: 9,
  /** `init`/`destroy`: terraform init, plan, apply or destroy failed; its error line is shown. */
  Terraform: 10,
  /** Ctrl-C while following a rollout: ECS carries on; nothing was rolled back. */
  Interrupted: 130,
} as const;

export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];
