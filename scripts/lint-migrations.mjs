// `npm run lint:migrations`: lints the SQL every migration REALLY sends, with squawk (squawk-cli).
//
// The SQL is not read from the TypeScript: the built `migrate` runner (dist/, the code the image ships) applies
// every migration to a scratch embedded PostgreSQL, and its capture hook records each migration's
// statements as PostgreSQL received them, the runner's own `SET lock_timeout` / `SET statement_timeout`
// included, wrapped in BEGIN/COMMIT when the migration ran in a transaction. One file per migration goes to
// .test-results/migrations-sql/, then squawk lints them with .squawk.toml.
//
// .squawk.toml holds squawk's own settings (pg_version, rules off for every file, each with its reason) and a
// [migrations.<Name>] table that squawk ignores and this script reads: the rules off for ONE migration, each
// with its reason, written into that migration's file as `-- squawk-ignore-file`. An exception that no
// longer matches anything squawk reports, or that names no migration, fails the run, so the list cannot
// silently outlive its reasons.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parse as parseToml } from 'smol-toml';

const root = fileURLToPath(new URL('..', import.meta.url));
export const SQUAWK_CONFIG = join(root, '.squawk.toml');
const squawkBin = join(root, 'node_modules', '.bin', 'squawk');

/**
 * The per-migration exceptions of a squawk config: `{ [migration]: { [rule]: reason } }`. A reason must say
 * something; an empty one is an error.
 * @param {string} configPath
 * @returns {Record<string, Record<string, string>>}
 */
export function readMigrationExceptions(configPath = SQUAWK_CONFIG) {
  const config = parseToml(readFileSync(configPath, 'utf8'));
  const exceptions = /** @type {Record<string, Record<string, unknown>>} */ (config.migrations ?? {});
  for (const [migration, rules] of Object.entries(exceptions)) {
    for (const [rule, reason] of Object.entries(rules)) {
      if (typeof reason !== 'string' || reason.trim().length < 20) {
        throw new Error(`${configPath}: [migrations.${migration}] ${rule} needs a reason (a sentence, not "${String(reason)}")`);
      }
    }
  }
  return /** @type {Record<string, Record<string, string>>} */ (exceptions);
}

/**
 * One migration's SQL file: what the runner sent, in order, each statement ended by a semicolon.
 * @param {{ name: string, transaction: boolean, statements: string[] }} migration
 * @param {string[]} ignoredRules
 */
export function renderMigrationSql(migration, ignoredRules = []) {
  const lines = [
    `-- ${migration.name}: the SQL the migrate runner sent, captured from a run on a scratch database.`,
    `-- ${migration.transaction ? 'Ran inside one transaction (TypeORM START TRANSACTION … COMMIT).' : 'Ran outside a transaction (transaction = false): each statement commits on its own.'}`,
  ];
  if (ignoredRules.length) lines.push(`-- squawk-ignore-file ${ignoredRules.join(', ')}`);
  if (migration.transaction) lines.push('BEGIN;');
  for (const statement of migration.statements) lines.push(`${statement.trim().replace(/;\s*$/, '')};`);
  if (migration.transaction) lines.push('COMMIT;');
  return `${lines.join('\n')}\n`;
}

/**
 * Lints captured migrations with squawk. Returns squawk's verdict and report, plus the exceptions that
 * matched nothing (stale) or named a migration that was not captured.
 * @param {Array<{ name: string, transaction: boolean, statements: string[] }>} captured
 * @param {{ outDir: string, configPath?: string, exceptions?: Record<string, Record<string, string>> }} options
 */
export function lintCapturedMigrations(captured, { outDir, configPath = SQUAWK_CONFIG, exceptions = readMigrationExceptions(configPath) }) {
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  const rawDir = mkdtempSync(join(tmpdir(), 'migrations-sql-raw-'));
  try {
    const files = captured.map((migration, index) => {
      const file = `${String(index + 1).padStart(3, '0')}-${migration.name}.sql`;
      writeFileSync(join(outDir, file), renderMigrationSql(migration, Object.keys(exceptions[migration.name] ?? {})));
      writeFileSync(join(rawDir, file), renderMigrationSql(migration));
      return file;
    });
    const problems = [];
    const capturedNames = new Set(captured.map((migration) => migration.name));
    for (const name of Object.keys(exceptions)) {
      if (!capturedNames.has(name)) problems.push(`.squawk.toml: [migrations.${name}] names no migration that ran`);
    }
    // Which rules fire on each file without its exceptions: an exception nothing needs is stale.
    const raw = runSquawk(['--config', configPath, '--reporter', 'json', ...files.map((file) => join(rawDir, file))]);
    const fired = new Map();
    for (const violation of parseSquawkJson(raw.stdout)) {
      const file = violation.file.split('/').pop();
      if (!fired.has(file)) fired.set(file, new Set());
      fired.get(file).add(violation.rule_name);
    }
    captured.forEach((migration, index) => {
      for (const rule of Object.keys(exceptions[migration.name] ?? {})) {
        if (!fired.get(files[index])?.has(rule)) {
          problems.push(
            `.squawk.toml: [migrations.${migration.name}] ${rule} is not needed any more (squawk reports nothing for it): remove it`,
          );
        }
      }
    });
    // The verdict: squawk itself, on the files as written (with their exceptions), in its own words.
    const written = files.map((file) => join(outDir, file));
    const verdict = runSquawk(['--config', configPath, ...written]);
    const violations = parseSquawkJson(runSquawk(['--config', configPath, '--reporter', 'json', ...written]).stdout).map((violation) => ({
      migration: captured[files.indexOf(violation.file.split('/').pop())]?.name,
      rule: violation.rule_name,
      line: violation.line,
    }));
    return {
      ok: verdict.status === 0 && problems.length === 0,
      squawkStatus: verdict.status,
      report: verdict.stdout + verdict.stderr,
      violations,
      problems,
      files,
    };
  } finally {
    rmSync(rawDir, { recursive: true, force: true });
  }
}

function runSquawk(args) {
  const result = spawnSync(squawkBin, args, { cwd: root, encoding: 'utf8', timeout: 60_000, env: { ...process.env, NO_COLOR: '1' } });
  if (result.error) throw new Error(`squawk could not run (${squawkBin}): ${result.error.message}`);
  return result;
}

function parseSquawkJson(stdout) {
  const text = stdout.trim();
  if (!text) return [];
  return /** @type {Array<{ file: string, rule_name: string, line: number }>} */ (JSON.parse(text));
}

/** Applies every migration of the built runner to a scratch PostgreSQL and returns what each sent. */
async function captureFromScratchDatabase() {
  const { ensureBuild } = await import('./ensure-build.mjs');
  const { startEmbeddedPostgres } = await import('./embedded-postgres.mjs');
  ensureBuild();
  const persistence = await import(pathToFileURL(join(root, 'dist/libs/persistence/src/index.js')).href);
  const config = await import(pathToFileURL(join(root, 'dist/libs/config/src/index.js')).href);
  const dir = mkdtempSync(join(tmpdir(), 'lint-migrations-pg-'));
  chmodSync(dir, 0o755);
  const server = await startEmbeddedPostgres({ dataDir: join(dir, 'data'), persistent: false });
  try {
    await server.createDatabase('lint_migrations');
    const env = config.validateEnvironment({
      DB_HOST: server.host,
      DB_PORT: String(server.port),
      DB_USER: server.user,
      DB_PASSWORD: server.password,
      DB_NAME: 'lint_migrations',
      DB_STARTUP_RETRY_SECONDS: '0',
      LOG_LEVEL: 'silent',
    });
    const captured = [];
    await persistence.runMigrations(env, { info: () => undefined }, { capture: (migration) => captured.push(migration) });
    return captured;
  } finally {
    await server.stop().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const outDir = join(root, '.test-results', 'migrations-sql');
  const captured = await captureFromScratchDatabase();
  const result = lintCapturedMigrations(captured, { outDir });
  process.stdout.write(result.report);
  for (const problem of result.problems) process.stdout.write(`${problem}\n`);
  process.stdout.write(
    `\n${captured.length} migration(s) captured into ${outDir}; squawk ${result.squawkStatus === 0 ? 'passed' : 'FAILED'}` +
      `${result.problems.length ? `, ${result.problems.length} problem(s) with the exceptions` : ''}\n`,
  );
  process.exitCode = result.ok ? 0 : 1;
}
