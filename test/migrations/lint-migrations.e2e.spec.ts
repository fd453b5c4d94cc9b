import { afterAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validateEnvironment } from '#libs/config';
import { type CapturedMigration, type MigrationClass, runMigrations } from '#libs/persistence';
import { lintCapturedMigrations, readMigrationExceptions } from '../../scripts/lint-migrations.mjs';
import { createTestDatabase, environmentFor } from '../support/database.js';
import { expectWith } from '../support/expect-with.js';
import { applicationMigrations, sqlMigration } from './support/migrations.js';

/**
 * `npm run lint:migrations` end to end: migrations applied to a real database, their SQL captured by the
 * runner, linted by squawk with the project's .squawk.toml. Unsafe migrations must fail it; the safe way to
 * write the same change must pass.
 */
const outDirs: string[] = [];
afterAll(() => {
  for (const dir of outDirs) rmSync(dir, { recursive: true, force: true });
});

/** Applies the application's migrations plus `extra` to a fresh database and lints everything they sent. */
async function lint(extra: MigrationClass[], exceptions = readMigrationExceptions()) {
  const database = await createTestDatabase('lint');
  try {
    const captured: CapturedMigration[] = [];
    await runMigrations(
      validateEnvironment(environmentFor(database.name)),
      { info: () => undefined },
      { migrations: [...applicationMigrations, ...extra], capture: (migration) => captured.push(migration) },
    );
    const outDir = mkdtempSync(join(tmpdir(), 'lint-migrations-test-'));
    outDirs.push(outDir);
    return lintCapturedMigrations(captured, { outDir, exceptions });
  } finally {
    await database.drop();
  }
}

const safe = [
  // Nullable, no default: a catalog change only (ALTER TABLE, "Notes": no rewrite, a brief ACCESS EXCLUSIVE).
  sqlMigration('AddSubtitle1900000000101', ['ALTER TABLE books ADD COLUMN subtitle text']),
  // An index on a live table: built CONCURRENTLY, outside a transaction, re-runnable, with a long statement_timeout.
  sqlMigration('IndexSubtitle1900000000102', ['CREATE INDEX CONCURRENTLY IF NOT EXISTS books_subtitle_idx ON books (subtitle)'], {
    transaction: false,
    statementTimeoutMs: 3_600_000,
  }),
  // A constraint on a live table: added NOT VALID (no scan), then validated in a later migration, whose
  // SHARE UPDATE EXCLUSIVE lock lets reads and writes go on (ALTER TABLE, VALIDATE CONSTRAINT).
  sqlMigration('CheckSubtitle1900000000103', [
    `ALTER TABLE books ADD CONSTRAINT books_subtitle_length CHECK (length(subtitle) <= 200) NOT VALID`,
  ]),
  sqlMigration('ValidateSubtitle1900000000104', ['ALTER TABLE books VALIDATE CONSTRAINT books_subtitle_length']),
];

describe('lint:migrations', () => {
  it('passes the application migrations and the safe way to add a column, an index and a constraint', async () => {
    const result = await lint(safe);
    expectWith(result.ok, `${result.report}\n${result.problems.join('\n')}`).toBe(true);
    expect(result.violations).toEqual([]);
    expect(result.files).toHaveLength(applicationMigrations.length + safe.length);
  }, 60_000);

  it.each([
    [
      'a plain CREATE INDEX on an existing table (blocks writes for the whole build)',
      sqlMigration('IndexTitle1900000000201', ['CREATE INDEX books_title_idx ON books (title)']),
      'require-concurrent-index-creation',
    ],
    [
      'ADD COLUMN with a volatile default (rewrites the table under ACCESS EXCLUSIVE)',
      sqlMigration('AddToken1900000000202', ['ALTER TABLE books ADD COLUMN token uuid DEFAULT gen_random_uuid()']),
      'adding-field-with-default',
    ],
    [
      'ADD CONSTRAINT without NOT VALID (scans the table while blocking writes)',
      sqlMigration('CheckTitle1900000000203', [`ALTER TABLE books ADD CONSTRAINT books_title_length CHECK (length(title) <= 150)`]),
      'constraint-missing-not-valid',
    ],
    [
      'VALIDATE CONSTRAINT in the same transaction as ADD … NOT VALID (the ADD lock is held through the scan)',
      sqlMigration('CheckAuthor1900000000204', [
        `ALTER TABLE books ADD CONSTRAINT books_author_length CHECK (length(author) <= 90) NOT VALID`,
        'ALTER TABLE books VALIDATE CONSTRAINT books_author_length',
      ]),
      'constraint-missing-not-valid',
    ],
  ])(
    'fails %s',
    async (_title, migration, rule) => {
      const result = await lint([migration]);
      const name = new migration().name!;
      expectWith(result.ok, result.report).toBe(false);
      expect(result.squawkStatus).not.toBe(0);
      expect(result.violations).toContainEqual(expect.objectContaining({ migration: name, rule }));
      // Only the unsafe migration is reported; the application's own stay clean.
      expect(new Set(result.violations.map((violation: { migration?: string }) => violation.migration))).toEqual(new Set([name]));
    },
    60_000,
  );

  it('fails on an exception nothing needs any more, or one naming no migration', async () => {
    const exceptions = {
      ...readMigrationExceptions(),
      AddSubtitle1900000000101: { 'require-concurrent-index-creation': 'a reason long enough to pass the reason check' },
      NoSuchMigration1900000000999: { 'prefer-text-field': 'a reason long enough to pass the reason check' },
    };
    const result = await lint(safe, exceptions);
    expect(result.ok).toBe(false);
    expect(result.problems).toEqual([
      '.squawk.toml: [migrations.NoSuchMigration1900000000999] names no migration that ran',
      '.squawk.toml: [migrations.AddSubtitle1900000000101] require-concurrent-index-creation is not needed any more (squawk reports nothing for it): remove it',
    ]);
  }, 60_000);
});
