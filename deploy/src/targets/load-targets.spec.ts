import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { CliError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import { FIXTURE, FIXTURES } from '../../test/harness.js';
import { loadTargets, type TerraformRunner } from './load-targets.js';
import { isProduction, parseRepositoryUrl, ROLLING } from './schema.js';

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

describe('services.<svc>.delivery', () => {
  const prodFixture = readFileSync(FIXTURES.prod, 'utf8');
  const load = (text: string) => loadTargets({ env: 'prod', overrides: [], root: '/r' }, tf(text));
  const withDelivery = (change: (d: Record<string, unknown>) => void) => {
    const doc = JSON.parse(prodFixture);
    change(doc.services.value.reader.delivery);
    return JSON.stringify(doc);
  };
  const refusal = (text: string) =>
    load(text).then(
      () => 'accepted',
      (e: CliError) => `${e.exitCode} ${e.message}`,
    );

  it("reads prod's CANARY delivery as Terraform renders it", async () => {
    const { targets } = await load(prodFixture);
    expect(targets.services.reader.delivery).toMatchObject({
      strategy: 'CANARY',
      canary: { percent: 10, bake_time_minutes: 5 },
      bake_time_minutes: 10,
    });
  });

  it('a stack older than the contract (no delivery) deploys ROLLING', async () => {
    const doc = JSON.parse(fixture);
    delete doc.services.value.writer.delivery;
    const { targets } = await loadTargets({ env: 'dev', overrides: [], root: '/r' }, tf(JSON.stringify(doc)));
    expect(targets.services.writer.delivery).toEqual(ROLLING);
  });

  it.each<[string, (d: Record<string, unknown>) => void, string]>([
    ['CANARY without canary', (d) => (d.canary = null), 'services.reader.delivery.canary'],
    ['linear settings with CANARY', (d) => (d.linear = { step_percent: 25, step_bake_time_minutes: 2 }), 'services.reader.delivery.linear'],
    [
      'ROLLING with a load balancer pair',
      (d) => Object.assign(d, { strategy: 'ROLLING', canary: null }),
      'services.reader.delivery.load_balancer',
    ],
    ['an unknown strategy', (d) => (d.strategy = 'RED_BLACK'), 'services.reader.delivery.strategy'],
    ['a canary percent of 0', (d) => (d.canary = { percent: 0, bake_time_minutes: 5 }), 'services.reader.delivery.canary.percent'],
    ['a bake longer than 24 h', (d) => (d.bake_time_minutes = 1441), 'services.reader.delivery.bake_time_minutes'],
    [
      'a hook at BAKE_TIME',
      (d) => ((d.hook as { lifecycle_stages: string[] }).lifecycle_stages = ['BAKE_TIME']),
      'services.reader.delivery.hook.lifecycle_stages',
    ],
    [
      'a target group name instead of its ARN',
      (d) => ((d.load_balancer as Record<string, string>).alternate_target_group_arn = 'library-prod-reader-alt'),
      'services.reader.delivery.load_balancer.alternate_target_group_arn',
    ],
    [
      'the same target group twice',
      (d) => {
        const lb = d.load_balancer as Record<string, string>;
        lb.alternate_target_group_arn = lb.target_group_arn!;
      },
      'services.reader.delivery.load_balancer',
    ],
  ])('refuses %s (exit 3, naming the key)', async (_name, change, key) => {
    expect(await refusal(withDelivery(change))).toMatch(new RegExp(`^3 .*${key.replace(/\./g, '\\.')}`));
  });
});
