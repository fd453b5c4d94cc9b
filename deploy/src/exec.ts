import { spawn } from 'node:child_process';

export interface ExecResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface ExecOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  input?: string;
  /** Called with each complete line of stdout/stderr (for live progress). */
  onLine?: (line: string) => void;
  signal?: AbortSignal;
}

/** Runs a program without a shell; never throws for a non-zero exit (callers decide), only when it cannot start. */
export function exec(cmd: string, args: string[], opts: ExecOptions = {}): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    const stdin = opts.input === undefined ? 'ignore' : 'pipe';
    const child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env ?? process.env, stdio: [stdin, 'pipe', 'pipe'], signal: opts.signal });
    let stdout = '';
    let stderr = '';
    const splitter = () => {
      let buf = '';
      return (chunk: Buffer) => {
        buf += chunk.toString('utf8');
        let nl: number;
        while ((nl = buf.indexOf('\n')) >= 0) {
          opts.onLine?.(buf.slice(0, nl));
          buf = buf.slice(nl + 1);
        }
      };
    };
    const outLines = splitter();
    const errLines = splitter();
    child.stdout!.on('data', (c: Buffer) => {
      stdout += c.toString('utf8');
      outLines(c);
    });
    child.stderr!.on('data', (c: Buffer) => {
      stderr += c.toString('utf8');
      errLines(c);
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
    if (child.stdin) {
      // A child may exit before it reads its input (docker login refusing at once): the write then fails with
      // EPIPE. That is not our failure to report; the child's exit code and stderr say what happened.
      child.stdin.on('error', () => undefined);
      child.stdin.end(opts.input);
    }
  });
}
