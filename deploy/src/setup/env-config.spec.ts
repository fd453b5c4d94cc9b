import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';
import { DEFAULT_PROJECT, readEnvConfig, variableDefault } from './env-config.js';

const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

function root(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'env-config-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

describe('readEnvConfig', () => {
  it('reads the real env roots (their variables.tf and main.tf, not a local tfvars): dev is not production, prod is', () => {
    const real = (env: string, f: string) => readFileSync(join(REPO_ROOT, 'terraform', 'envs', env, f), 'utf8');
    const copy = root(
      Object.fromEntries(
        ['dev', 'prod'].flatMap((env) => ['variables.tf', 'main.tf'].map((f) => [`terraform/envs/${env}/${f}`, real(env, f)])),
      ),
    );
    const dev = readEnvConfig(copy, 'dev');
    expect(dev).toMatchObject({
      region: 'eu-west-1',
      regionFrom: 'variables.tf default',
      project: 'library',
      environment: 'dev',
      production: false,
    });
    expect(readEnvConfig(copy, 'prod')).toMatchObject({ environment: 'prod', production: true });
  });

  it('follows Terraform precedence: default < TF_VAR_ < terraform.tfvars < *.auto.tfvars', () => {
    const vars = 'variable "aws_region" {\n  type = string\n  default = "eu-west-1"\n}\n';
    const dir = 'terraform/envs/dev';
    expect(readEnvConfig(root({ [`${dir}/variables.tf`]: vars }), 'dev', { TF_VAR_aws_region: 'us-east-1' })).toMatchObject({
      region: 'us-east-1',
      regionFrom: 'TF_VAR_aws_region',
    });
    const withFiles = root({
      [`${dir}/variables.tf`]: vars,
      [`${dir}/terraform.tfvars`]: '# aws_region = "ap-south-1"\naws_region = "eu-central-1"\n',
      [`${dir}/b.auto.tfvars`]: 'aws_region = "us-west-2"\n',
      [`${dir}/a.auto.tfvars`]: 'aws_region = "ca-central-1"\n',
    });
    expect(readEnvConfig(withFiles, 'dev', { TF_VAR_aws_region: 'us-east-1' })).toMatchObject({
      region: 'us-west-2',
      regionFrom: 'b.auto.tfvars',
    });
  });

  it('without any file: no region, the default project, the folder name as environment', () => {
    expect(readEnvConfig(root({}), 'staging')).toEqual(
      expect.objectContaining({ region: undefined, project: DEFAULT_PROJECT, environment: 'staging', production: false }),
    );
  });
});

describe('variableDefault', () => {
  it('takes the default of the block itself, not a string in a nested block or another variable', () => {
    const tf = [
      'variable "project" {',
      '  validation {',
      '    condition = var.project != "x"',
      '    default = "not-this"',
      '  }',
      '  default = "shop"',
      '}',
      'variable "other" {',
      '  default = "nope"',
      '}',
    ].join('\n');
    expect(variableDefault(tf, 'project')).toBe('shop');
    expect(variableDefault(tf, 'missing')).toBeUndefined();
  });
});
