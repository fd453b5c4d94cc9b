import { exec } from '../exec.js';
import type { TerraformRunner } from './load-targets.js';

export class TerraformCli implements TerraformRunner {
  constructor(
    private readonly bin = 'terraform',
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {}
  async outputJson(dir: string): Promise<string> {
    const res = await exec(this.bin, [`-chdir=${dir}`, 'output', '-json'], { env: this.env });
    if (res.code !== 0) throw new Error(res.stderr.trim() || `terraform exited ${res.code}`);
    return res.stdout;
  }
}
