import { exec } from '../exec.js';
import type { TerraformRunner } from './load-targets.js';

export class TerraformCli implements TerraformRunner {
  constructor(
    private readonly bin = 'terraform',
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {}
  async outputJson(dir: string): Promise<string> {
    const res = await exec(this.bin, [`-chdir=${dir}`, 'output', '-no-color', '-json'], { env: this.env });
    if (res.code !== 0) {
      // Terraform frames diagnostics in boxes ("│ Error: …"); keep the first error line.
      const lines = res.stderr
        .split('\n')
        .map((l) => l.replace(/^[\s│╷╵]+/, '').trim())
        .filter(Boolean);
      throw new Error(lines.find((l) => l.startsWith('Error:')) ?? lines[0] ?? `terraform exited ${res.code}`);
    }
    return res.stdout;
  }
}
