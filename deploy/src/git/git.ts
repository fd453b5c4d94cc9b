import { exec } from '../exec.js';

export interface GitRunner {
  /** Full commit sha of HEAD. */
  head(): Promise<string>;
  /** True when tracked or untracked files differ from HEAD. */
  isDirty(): Promise<boolean>;
  /** Absolute repository root. */
  root(): Promise<string>;
}

export class GitCli implements GitRunner {
  constructor(private readonly cwd = process.cwd()) {}
  private async git(args: string[]): Promise<string> {
    const res = await exec('git', args, { cwd: this.cwd });
    if (res.code !== 0) throw new Error(`git ${args.join(' ')}: ${res.stderr.trim()}`);
    return res.stdout.trim();
  }
  head(): Promise<string> {
    return this.git(['rev-parse', 'HEAD']);
  }
  async isDirty(): Promise<boolean> {
    return (await this.git(['status', '--porcelain'])).length > 0;
  }
  root(): Promise<string> {
    return this.git(['rev-parse', '--show-toplevel']);
  }
}
