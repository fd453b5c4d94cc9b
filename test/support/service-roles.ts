import { setTimeout as sleep } from 'node:timers/promises';
import type pg from 'pg';

/** The least-privilege roles the migration creates (libs/persistence …-create-service-roles.ts). */
export const SERVICE_ROLES = { reader: 'library_reader', writer: 'library_writer' } as const;

/**
 * The password tests give a service role. The migration sets none (on RDS the roles log in with IAM tokens);
 * locally a role with a password stands in for one with a token. Roles are cluster-wide, so every test
 * file on a server sets the same one.
 */
export const TEST_ROLE_PASSWORD = 'library-role-test-password';

/**
 * Gives both service roles TEST_ROLE_PASSWORD through `admin` (a connected superuser client). Test files
 * run in parallel and ALTER ROLE on one role from two sessions at once fails with PostgreSQL's "tuple
 * concurrently updated", so that error is retried (bounded).
 */
export async function giveServiceRolesPasswords(admin: pg.Client, password = TEST_ROLE_PASSWORD): Promise<void> {
  for (const role of Object.values(SERVICE_ROLES)) {
    const [{ statement }] = (
      await admin.query<{ statement: string }>(`SELECT format('ALTER ROLE %I PASSWORD %L', $1::text, $2::text) AS statement`, [
        role,
        password,
      ])
    ).rows as [{ statement: string }];
    for (let attempt = 1; ; attempt++) {
      try {
        await admin.query(statement);
        break;
      } catch (error) {
        if (!/tuple concurrently updated/.test((error as Error).message) || attempt === 20) throw error;
        await sleep(10 * attempt);
      }
    }
  }
}
