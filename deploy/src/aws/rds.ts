import { DescribeDBInstancesCommand, StartDBInstanceCommand, type RDSClient } from '@aws-sdk/client-rds';
import { CliError, toCliError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import { poll, PollTimeoutError, type PollOptions } from '../poll/poller.js';

/**
 * What `resume` does about each status DescribeDBInstances can report (RDS User Guide, "Viewing Amazon RDS DB
 * instance status"). `stopping` and `starting` take minutes; StartDBInstance is accepted only when stopped.
 */
const RUNNING_BUSY = new Set([
  // billed, running, and back to `available` by themselves
  'backing-up',
  'configuring-enhanced-monitoring',
  'configuring-iam-database-auth',
  'configuring-log-exports',
  'converting-to-vpc',
  'creating',
  'maintenance',
  'modifying',
  'moving-to-vpc',
  'rebooting',
  'renaming',
  'resetting-master-credentials',
  'storage-config-upgrade',
  'storage-initialization',
  'storage-optimization',
  'upgrading',
]);

/** States that no waiting fixes, with what a person has to do (wording after the User Guide's descriptions). */
const NEEDS_A_PERSON: Record<string, string> = {
  deleting: 'the instance is being deleted: run `terraform apply` to create the env again',
  'delete-precheck': 'the instance is being deleted: run `terraform apply` to create the env again',
  failed: 'RDS cannot recover the instance: restore it to the latest restorable time (RDS console), then `terraform apply`',
  'inaccessible-encryption-credentials':
    'the KMS key of the instance cannot be used: re-enable the key or its grants, then restore from a backup',
  'inaccessible-encryption-credentials-recoverable':
    'the KMS key of the instance cannot be used: re-enable the key, then run `deploy resume` again',
  'incompatible-network':
    'the VPC cannot host the instance (e.g. no free IP in its subnets): free addresses, then start it from the RDS console',
  'incompatible-option-group': 'an option group change could not be applied: see Logs & events in the RDS console',
  'incompatible-parameters': 'the parameter group does not fit the instance: revert the parameter change (see Logs & events), then resume',
  'incompatible-restore': 'a point-in-time restore failed: see Logs & events in the RDS console',
  'incompatible-create': 'RDS could not create the instance: see Logs & events in the RDS console',
  'insufficient-capacity':
    'RDS has no capacity for this instance class in its AZ now: run `deploy resume` again later, or change the class',
  'restore-error': 'a restore failed: see Logs & events in the RDS console',
  'storage-full': 'the instance has no free storage: raise allocated storage in Terraform and apply, then resume',
};

export async function dbStatus(rds: RDSClient, id: string): Promise<string> {
  const res = await rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: id }));
  return res.DBInstances?.[0]?.DBInstanceStatus ?? 'unknown';
}

/** Polls after StartDBInstance during which a still-`stopped` instance is put down to eventual consistency. */
const STOPPED_AFTER_START_POLLS = 3;

/**
 * Brings the database to `available` from whatever state it is in: waits out `stopping`, starts it once
 * `stopped`, waits out `starting` and the other transient states; anything else is an error with a fix.
 * A timeout is ExitCode.Timeout with what to do next, never a raw waiter error.
 */
export async function startDatabase(
  rds: RDSClient,
  id: string,
  wait: PollOptions & { timeoutMs: number },
  step: { update(line: string): void },
): Promise<{ was: string }> {
  const { timeoutMs } = wait;
  let was: string | undefined;
  let last = '';
  let startedAt: number | undefined;
  let transient: unknown;
  try {
    await poll(
      async (attempt) => {
        const status = await dbStatus(rds, id);
        was ??= status;
        const progressed = status !== last;
        if (progressed) step.update(`${id} is ${status}`);
        last = status;
        if (status === 'available') return { done: true, value: undefined };
        if (status === 'stopped') {
          if (startedAt === undefined) {
            await rds.send(new StartDBInstanceCommand({ DBInstanceIdentifier: id }));
            startedAt = attempt;
            step.update(`StartDBInstance ${id}; waiting for available (RDS starts in minutes)`);
            return { done: false, progressed: true };
          }
          if (attempt - startedAt > STOPPED_AFTER_START_POLLS) {
            throw new CliError(
              `RDS did not start ${id}: it is still stopped after StartDBInstance`,
              ExitCode.Preflight,
              'see Logs & events of the instance in the RDS console (e.g. insufficient capacity), then run `deploy resume` again',
            );
          }
          return { done: false, progressed };
        }
        if (status === 'stopping' || status === 'starting' || RUNNING_BUSY.has(status)) return { done: false, progressed };
        throw new CliError(
          `database ${id} is ${status}; \`resume\` cannot bring it back by starting or waiting`,
          ExitCode.Preflight,
          NEEDS_A_PERSON[status] ??
            'see the instance in the RDS console (Logs & events), and run `deploy resume` again once it is stopped or available',
        );
      },
      {
        ...wait,
        onTransientError: (err) => {
          transient = err;
          step.update(`AWS said ${(err as Error).name}; retrying with backoff`);
        },
      },
    );
  } catch (err) {
    if (!(err instanceof PollTimeoutError)) throw err;
    if (!last) {
      const e = toCliError(transient);
      throw new CliError(
        `could not read the status of ${id} within ${Math.round(timeoutMs / 1000)}s: ${e.message}`,
        ExitCode.Timeout,
        e.hint,
      );
    }
    throw new CliError(
      `database ${id} is still ${last} after ${Math.round(timeoutMs / 1000)}s`,
      ExitCode.Timeout,
      last === 'stopping'
        ? 'the database is still stopping; run `deploy resume` again in a few minutes or check the RDS console'
        : `the database is still ${last}; run \`deploy resume\` again in a few minutes (RDS carries on by itself) or check the RDS console`,
    );
  }
  return { was: was ?? last };
}
