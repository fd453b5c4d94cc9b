import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { CliError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import { FIXTURE } from '../../test/harness.js';
import { loadTargets, type TerraformRunner } from './load-targets.js';
import { isProduction, parseRepositoryUrl } from './schema.js';

const fixture = readFileSync(FIXTURE, 'utf8');
const tf = (text: string): TerraformRunner & { dirs: string[] } => {
  const dirs: string[] = [];
  return { dirs, outputJson: async (d) => (dirs.push(d), text) };
};
const without = (key: string) => {
  const doc = JSON.parse(fixture);
  delete doc[key];
  return JSON.stringify(doc);
};

describe('loadTargets', () => {
  it('reads terraform output -json of terraform/envs/<env> once and unwraps the values', async () => {
    const runner = tf(fixture);
    const { targets, origin } = await loadTargets({ env: 'dev', overrides: [], root: '/repo' }, runner);
    expect(runner.dirs).toEqual([join('/repo', 'terraform', 'envs', 'dev')]);
    expect(targets.services.reader.service_name).toBe('library-dev-reader');
    expect(targets.migration.subnet_ids).toEqual(['subnet-0a1', 'subnet-0b2']);
    expect(targets.database.read_endpoint).toBeNull();
    expect(origin).toBe('terraform -chdir=/repo/terraform/envs/dev output -json');
  });

  it('names a missing output in one line', async () => {
    const err = await loadTargets({ env: 'dev', overrides: [], root: '/r' }, tf(without('migration'))).catch((e: CliError) => e);
    expect(err).toBeInstanceOf(CliError);
    expect((err as CliError).message).toBe('output "migration" is missing (terraform -chdir=/r/terraform/envs/dev output -json)');
    expect((err as CliError).exitCode).toBe(ExitCode.Preflight);
  });

  it('names a malformed output and the nested key', async () => {
    const doc = JSON.parse(fixture);
    doc.services.value.writer.ecr_repository_url = 'no-slash';
    const err = (await loadTargets({ env: 'dev', overrides: [], root: '/r' }, tf(JSON.stringify(doc))).catch(
      (e: unknown) => e,
    )) as CliError;
    expect(err.message).toMatch(/^output "services.writer.ecr_repository_url" is malformed .*expected <registry>\/<repository>/);
  });

  it('reports a terraform failure with the command to run', async () => {
    const failing: TerraformRunner = { outputJson: async () => Promise.reject(new Error('Error: Backend initialization required\nmore')) };
    const err = (await loadTargets({ env: 'prod', overrides: [], root: '/r' }, failing).catch((e: unknown) => e)) as CliError;
    expect(err.message).toBe('terraform output failed for env "prod" (/r/terraform/envs/prod): Error: Backend initialization required');
    expect(err.hint).toMatch(/terraform -chdir=\/r\/terraform\/envs\/prod init/);
  });

  it('rejects output that is not JSON', async () => {
    const err = (await loadTargets({ env: 'dev', overrides: [], root: '/r' }, tf('Warning: No outputs found')).catch(
      (e: unknown) => e,
    )) as CliError;
    expect(err.message).toMatch(/is not valid JSON/);
  });

  it('a file, inline JSON and --set can supply every value instead of terraform', async () => {
    const runner = tf('should not be called');
    const fromFile = await loadTargets(
      { file: FIXTURE, overrides: ['app_url=http://127.0.0.1:9', 'migration.assign_public_ip=true'], root: '/r' },
      runner,
    );
    expect(fromFile.targets.app_url).toBe('http://127.0.0.1:9');
    expect(fromFile.targets.migration.assign_public_ip).toBe(true);
    const inline = await loadTargets({ inline: fixture, overrides: [], root: '/r' }, runner);
    expect(inline.origin).toBe('DEPLOY_TARGETS_JSON');
    const plain = Object.fromEntries(
      Object.entries(JSON.parse(fixture) as Record<string, { value: unknown }>).map(([k, v]) => [k, v.value]),
    );
    const sets = Object.entries(plain).map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`);
    const fromFlags = await loadTargets({ overrides: sets, root: '/r' }, runner);
    expect(fromFlags.targets).toEqual(inline.targets);
    expect(runner.dirs).toEqual([]);
  });

  it('without any source it is a usage error', async () => {
    const err = (await loadTargets({ overrides: [], root: '/r' }, tf('')).catch((e: unknown) => e)) as CliError;
    expect(err.exitCode).toBe(ExitCode.Usage);
  });
});

describe('schema helpers', () => {
  it('parses an ECR repository URL', () => {
    expect(parseRepositoryUrl('123456789012.dkr.ecr.eu-west-1.amazonaws.com/library/reader')).toEqual({
      registry: '123456789012.dkr.ecr.eu-west-1.amazonaws.com',
      registryId: '123456789012',
      repositoryName: 'library/reader',
    });
  });
  it('knows production', () => {
    expect(isProduction({ environment: 'prod' })).toBe(true);
    expect(isProduction({ environment: 'production' })).toBe(true);
    expect(isProduction({ environment: 'dev' })).toBe(false);
  });
});
