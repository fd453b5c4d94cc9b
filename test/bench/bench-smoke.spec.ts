import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';
import { expectWith } from '../support/expect-with.js';

/**
 * `npm run bench` is too slow and noisy for CI, but its smoke mode (500 books, count-bounded windows) runs
 * the whole pipeline: embedded PostgreSQL, migrate, dataset, the built services, the ceiling, autocannon,
 * pgbench and the report. It fails here if a scenario is missing or any request errs (a 412 on PATCH, a 400
 * for a cursor the reader no longer accepts, a 5xx), or if the ceiling stops answering what the reader does.
 */
const root = fileURLToPath(new URL('../..', import.meta.url));
const SCENARIOS = ['get-by-id', 'first-page', 'deep-page', 'search', 'search-1conn', 'post', 'patch'];

function runSmoke(): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['bench/run.mjs', '--smoke', '--no-write'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGTERM'), 280_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

function tableRows(output: string, firstHeader: string): Array<Record<string, string>> {
  const lines = output.split('\n').filter((line) => line.startsWith('|'));
  const headerIndex = lines.findIndex((line) => line.split('|')[1]?.trim() === firstHeader);
  if (headerIndex < 0) return [];
  const cells = (line: string) =>
    line
      .split('|')
      .slice(1, -1)
      .map((cell) => cell.trim());
  const header = cells(lines[headerIndex]!);
  const rows: Array<Record<string, string>> = [];
  for (const line of lines.slice(headerIndex + 2)) {
    const values = cells(line);
    if (values.length !== header.length || values[0] === firstHeader) break;
    rows.push(Object.fromEntries(header.map((name, i) => [name, values[i]!])));
  }
  return rows;
}

describe('npm run bench -- --smoke', () => {
  it('measures every scenario against the ceiling with zero errors', async () => {
    const { code, stdout, stderr } = await runSmoke();
    const context = `${stdout}\n${stderr.slice(-4000)}`;
    expectWith(code, context).toBe(0);
    expectWith(stdout, context).toMatch(/Byte-identical JSON to the reader: yes/);

    const rows = tableRows(stdout, 'scenario');
    expect(rows.map((row) => row.scenario)).toEqual(SCENARIOS);
    for (const row of rows) {
      expectWith(row.errors, `${row.scenario}: service errors`).toBe('0');
      expectWith(row['ceiling errors'], `${row.scenario}: ceiling errors`).toBe('0');
      expectWith(Number(row['req/s']?.replace(/,/g, '')), `${row.scenario}: req/s`).toBeGreaterThan(0);
      expectWith(row.ratio, `${row.scenario}: ratio`).toMatch(/^\d+\.\d\d×$/);
      expectWith(Number(row['tracing off req/s']?.replace(/,/g, '')), `${row.scenario}: tracing off req/s`).toBeGreaterThan(0);
      expectWith(row['on/off'], `${row.scenario}: on/off`).toMatch(/^\d+\.\d\d×$/);
    }

    const services = tableRows(stdout, 'service');
    // The production configuration (tracing on) and the same artifact with tracing off.
    expect(services.map((row) => row.service)).toEqual([
      'reader (tracing on)',
      'reader (tracing off)',
      'writer (tracing on)',
      'writer (tracing off)',
    ]);
    for (const row of services) expectWith(Number(row['idle RSS MiB']), `${row.service} idle RSS`).toBeGreaterThan(0);
  }, 290_000);
});
