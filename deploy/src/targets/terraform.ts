import { exec } from '../exec.js';
import type { TerraformRunner } from './load-targets.js';

/** What `init` and `destroy` ask of Terraform, beyond reading the outputs. */
export interface TerraformWorkflow {
  /** `terraform version -json`: the version string, e.g. "1.11.4". Throws TerraformError('missing') when it cannot run. */
  version(): Promise<string>;
  /** `terraform init -backend-config=<file>` (idempotent). */
  init(dir: string, backendConfig: string, onLine?: (line: string) => void): Promise<void>;
  /** `terraform plan -out=<file>` (with `-destroy` for a destroy plan). */
  plan(dir: string, out: string, opts: { destroy?: boolean; onLine?: (line: string) => void }): Promise<void>;
  /** `terraform show -json <plan>`: the plan's JSON representation (Terraform's "JSON Output Format"). */
  showJson(dir: string, plan: string): Promise<unknown>;
  /** `terraform apply <plan>`: applies exactly the saved plan (no prompt: a saved plan is the approval). */
  apply(dir: string, plan: string, onLine?: (line: string) => void): Promise<void>;
}

export type Terraform = TerraformRunner & TerraformWorkflow;

export class TerraformError extends Error {
  override readonly name = 'TerraformError';
  constructor(
    readonly step: 'missing' | 'version' | 'init' | 'plan' | 'show' | 'apply' | 'output',
    message: string,
    readonly output = '',
  ) {
    super(message);
  }
}

/**
 * Terraform frames diagnostics in boxes ("│ Error: …"): the first error line, and the first line of its detail
 * when the error line alone is short (e.g. `Error: Backend configuration changed (A change in the backend …)`).
 */
export function terraformErrorLine(stderr: string, code: number): string {
  const lines = stderr
    .split('\n')
    .map((l) => l.replace(/^[\s│╷╵]+/, '').trim())
    .filter(Boolean);
  const i = lines.findIndex((l) => l.startsWith('Error:'));
  if (i < 0) return lines[0] ?? `terraform exited ${code}`;
  const detail = lines[i + 1];
  return lines[i]!.length < 80 && detail && !detail.startsWith('Error:') && !/^(with|on) /.test(detail)
    ? `${lines[i]} (${detail.slice(0, 200)})`
    : lines[i]!;
}

export class TerraformCli implements Terraform {
  private readonly env: NodeJS.ProcessEnv;
  constructor(
    private readonly bin = 'terraform',
    env: NodeJS.ProcessEnv = process.env,
  ) {
    // TF_IN_AUTOMATION: Terraform leaves out the "run terraform apply next" hints meant for a person at a shell
    // (Terraform CLI docs, "Environment Variables").
    this.env = { ...env, TF_IN_AUTOMATION: '1' };
  }

  private async run(step: TerraformError['step'], dir: string | undefined, args: string[], onLine?: (l: string) => void) {
    let res;
    try {
      res = await exec(this.bin, [...(dir ? [`-chdir=${dir}`] : []), ...args], { env: this.env, onLine });
    } catch (err) {
      throw new TerraformError('missing', `cannot run ${this.bin}: ${(err as Error).message}`);
    }
    if (res.code !== 0) throw new TerraformError(step, terraformErrorLine(res.stderr || res.stdout, res.code), res.stderr);
    return res;
  }

  async outputJson(dir: string): Promise<string> {
    return (await this.run('output', dir, ['output', '-no-color', '-json'])).stdout;
  }

  async version(): Promise<string> {
    const res = await this.run('version', undefined, ['version', '-json']);
    const v = (JSON.parse(res.stdout) as { terraform_version?: string }).terraform_version;
    if (!v) throw new TerraformError('version', `terraform version -json named no version: ${res.stdout.slice(0, 80)}`);
    return v;
  }

  async init(dir: string, backendConfig: string, onLine?: (line: string) => void): Promise<void> {
    await this.run('init', dir, ['init', '-input=false', '-no-color', `-backend-config=${backendConfig}`], onLine);
  }

  async plan(dir: string, out: string, opts: { destroy?: boolean; onLine?: (line: string) => void }): Promise<void> {
    await this.run('plan', dir, ['plan', '-input=false', '-no-color', ...(opts.destroy ? ['-destroy'] : []), `-out=${out}`], opts.onLine);
  }

  async showJson(dir: string, plan: string): Promise<unknown> {
    const res = await this.run('show', dir, ['show', '-no-color', '-json', plan]);
    try {
      return JSON.parse(res.stdout) as unknown;
    } catch (err) {
      throw new TerraformError('show', `terraform show -json printed no JSON: ${(err as Error).message}`);
    }
  }

  async apply(dir: string, plan: string, onLine?: (line: string) => void): Promise<void> {
    await this.run('apply', dir, ['apply', '-input=false', '-no-color', plan], onLine);
  }
}
