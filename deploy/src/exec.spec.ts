import { describe, expect, it } from '@jest/globals';
import { exec } from './exec.js';

describe('exec', () => {
  it('reports the exit code of a child that exits before reading its input, every time (no EPIPE crash)', async () => {
    // 1 MiB is more than a pipe buffer holds, so each write reaches a closed pipe. `sh` exits in a millisecond
    // (a node child costs ~50 ms of CPU each, too much for a busy CI machine).
    const input = 'x'.repeat(1 << 20);
    const results = await Promise.all(Array.from({ length: 40 }, () => exec('sh', ['-c', 'exit 3'], { input })));
    expect(results.map((result) => result.code)).toEqual(Array(40).fill(3));
  }, 20_000);

  it('gives a child without input no stdin to wait on', async () => {
    const result = await exec(process.execPath, ['-e', 'process.stdin.resume(); process.stdin.on("end", () => process.exit(7))']);
    expect(result.code).toBe(7);
  });

  it('passes input on stdin and splits output into lines', async () => {
    const lines: string[] = [];
    const result = await exec(process.execPath, ['-e', 'process.stdin.pipe(process.stdout)'], {
      input: 'a\nb\n',
      onLine: (line) => lines.push(line),
    });
    expect(result).toEqual({ code: 0, stdout: 'a\nb\n', stderr: '' });
    expect(lines).toEqual(['a', 'b']);
  });
});
