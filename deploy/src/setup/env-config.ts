import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * What `init` and `destroy` must know about an env before Terraform has outputs: its region, project name and
 * whether it is production, read from the env root's own files the way Terraform would resolve them.
 */
export interface EnvConfig {
  env: string;
  /** terraform/envs/<env> */
  dir: string;
  region?: string;
  /** Where the region came from (for messages). */
  regionFrom?: string;
  project: string;
  /** `local.environment` in the env root's main.tf (dev, prod), else the env's folder name. */
  environment: string;
  production: boolean;
}

/** The project name when neither a tfvars file nor variables.tf names one (the env roots' default). */
export const DEFAULT_PROJECT = 'library';

/** The body of `variable "<name>" { … }` (braces balanced), or undefined. */
function variableBlock(hcl: string, name: string): string | undefined {
  const start = new RegExp(`variable\\s+"${name}"\\s*\\{`).exec(hcl);
  if (!start) return undefined;
  let depth = 0;
  for (let i = start.index + start[0].length - 1; i < hcl.length; i++) {
    if (hcl[i] === '{') depth++;
    else if (hcl[i] === '}' && --depth === 0) return hcl.slice(start.index + start[0].length, i);
  }
  return undefined;
}

/** `name = "value"` at the start of a line (tfvars, locals), comments ignored. */
export function hclString(hcl: string, name: string): string | undefined {
  const m = new RegExp(`^\\s*${name}\\s*=\\s*"([^"]*)"`, 'm').exec(hcl.replace(/^\s*(#|\/\/).*$/gm, ''));
  return m?.[1];
}

/** A variable's default in variables.tf: `default = "…"` directly in its block (not in a nested validation block). */
export function variableDefault(variablesTf: string, name: string): string | undefined {
  const block = variableBlock(variablesTf, name);
  if (!block) return undefined;
  // Only the block's own lines, not those of nested blocks such as validation { … }.
  let depth = 0;
  const own: string[] = [];
  for (const line of block.split('\n')) {
    if (depth === 0) own.push(line);
    depth += (line.match(/\{/g) ?? []).length - (line.match(/\}/g) ?? []).length;
  }
  return hclString(own.join('\n'), 'default');
}

const read = (path: string) => (existsSync(path) ? readFileSync(path, 'utf8') : '');

/**
 * Terraform's variable precedence (Terraform docs, "Variable definition precedence"): the default, then
 * TF_VAR_<name>, then terraform.tfvars, then *.auto.tfvars in lexical order; later wins. The JSON forms
 * (terraform.tfvars.json, *.auto.tfvars.json) are not read.
 */
function resolveVariable(dir: string, env: NodeJS.ProcessEnv, name: string): { value?: string; from?: string } {
  let value = variableDefault(read(join(dir, 'variables.tf')), name);
  let from = value === undefined ? undefined : 'variables.tf default';
  if (env[`TF_VAR_${name}`]) [value, from] = [env[`TF_VAR_${name}`], `TF_VAR_${name}`];
  const files = [
    'terraform.tfvars',
    ...(existsSync(dir)
      ? readdirSync(dir)
          .filter((f) => f.endsWith('.auto.tfvars'))
          .sort()
      : []),
  ];
  for (const f of files) {
    const v = hclString(read(join(dir, f)), name);
    if (v !== undefined) [value, from] = [v, f];
  }
  return { value, from };
}

export function readEnvConfig(root: string, env: string, processEnv: NodeJS.ProcessEnv = {}): EnvConfig {
  const dir = join(root, 'terraform', 'envs', env);
  const region = resolveVariable(dir, processEnv, 'aws_region');
  const project = resolveVariable(dir, processEnv, 'project').value ?? DEFAULT_PROJECT;
  const environment = hclString(read(join(dir, 'main.tf')), 'environment') ?? env;
  return {
    env,
    dir,
    region: region.value,
    regionFrom: region.from,
    project,
    environment,
    production: /^prod(uction)?$/i.test(environment),
  };
}
