/**
 * The IAM policies exactly as Terraform renders them: terraform/tests/iam-render calls the real modules (deployer,
 * service, kms) over the deploy CLI's test world, `terraform test -json -verbose` applies it against the shared mock
 * provider (no AWS account) and prints the resulting state, and this file reads the policies out of it.
 *
 * The render takes ~20-30 s, so its result is cached in the OS temp folder under a hash of every file it reads
 * (the modules, the render root, the mocks, the fixture) and of the terraform version: any change to them renders
 * again; a cached render is never stale.
 */
import { execFile, execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { FIXTURE, REPO_ROOT } from './harness.js';

const run = promisify(execFile);
export const RENDER_ROOT = join(REPO_ROOT, 'terraform', 'tests', 'iam-render');

/** An IAM policy document (the JSON IAM receives). */
export type PolicyDocument = { Version: string; Statement: Record<string, unknown>[] };

export interface RenderedRole {
  name: string;
  arn: string;
  trustPolicy: PolicyDocument;
  /** Inline policies and attached managed policies, by name. */
  policies: { name: string; policy: PolicyDocument }[];
}

export interface RenderedTaskDefinition {
  /** e.g. module.service["reader"].aws_ecs_task_definition.this */
  address: string;
  family: string;
  containerDefinitions: {
    name: string;
    image: string;
    environment?: { name: string; value: string }[];
    secrets?: { name: string; valueFrom: string }[];
    logConfiguration?: { logDriver: string; options: Record<string, string> };
  }[];
  executionRole: RenderedRole;
  taskRole: RenderedRole;
  /** The revision's own tags (besides the provider's default tags). */
  tags: Record<string, string>;
  /** A service's revision whose service has ECS Exec on (the migrate task runs without). */
  execEnabled: boolean;
}

export interface RenderedIam {
  inputs: {
    account_id: string;
    region: string;
    cluster_arn: string;
    db_resource_id: string;
    exec_log_group_name: string;
    exec_kms_key_arn: string;
    secret_kms_key_arn: string;
    collector_repository: string;
    github_subject: string;
    github_provider_arn: string;
    state: { bucket: string; key: string };
    default_tags: Record<string, string>;
  };
  /** The GitHub OIDC role with the deployer policy attached. */
  deployer: RenderedRole;
  taskDefinitions: RenderedTaskDefinition[];
  /** Key policies by key ARN. */
  keyPolicies: Record<string, PolicyDocument>;
}

interface StateResource {
  address: string;
  type: string;
  values: Record<string, unknown>;
}

/** terraform on PATH, or null (then the IAM evaluation cannot run here). */
export function terraformVersion(): string | null {
  try {
    return execFileSync('terraform', ['version', '-json'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  } catch {
    return null;
  }
}

/** Every file the render reads, hashed with the terraform version: the cache key. */
function renderKey(version: string): string {
  const hash = createHash('sha256').update(version);
  const walk = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.name !== '.terraform')
      .flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)]))
      .filter((f) => /\.(tf|hcl|json)$/.test(f));
  const files = [...walk(join(REPO_ROOT, 'terraform', 'modules')), ...walk(join(REPO_ROOT, 'terraform', 'tests')), FIXTURE].sort();
  for (const f of files) hash.update(relative(REPO_ROOT, f)).update('\0').update(readFileSync(f)).update('\0');
  return hash.digest('hex').slice(0, 32);
}

/**
 * Where the AWS provider comes from, as terraform/scripts/test.sh finds it: $TF_PLUGIN_DIR, else a local
 * filesystem mirror on this machine, else the registry (plain `terraform init`).
 */
async function pluginDir(): Promise<string | undefined> {
  if (process.env.TF_PLUGIN_DIR) return process.env.TF_PLUGIN_DIR;
  const { stdout } = await run(
    'bash',
    [
      '-c',
      `find / -maxdepth 8 \\( -path /proc -o -path /sys -o -path /dev -o -name node_modules -o -name .git \\) -prune ` +
        `-o -name 'terraform-provider-aws*' -path '*/registry.terraform.io/hashicorp/aws/*' -print 2>/dev/null | head -n 1 || true`,
    ],
    { maxBuffer: 1 << 20 },
  );
  const bin = stdout.trim();
  return bin ? bin.slice(0, bin.indexOf('/registry.terraform.io/')) : undefined;
}

function terraformEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, TF_IN_AUTOMATION: '1', TF_INPUT: '0' };
  // A TF_CLI_CONFIG_FILE naming a missing file only produces a warning on every command.
  if (env.TF_CLI_CONFIG_FILE && !existsSync(env.TF_CLI_CONFIG_FILE)) delete env.TF_CLI_CONFIG_FILE;
  return env;
}

async function terraformRender(): Promise<StateResource[]> {
  const env = terraformEnv();
  const initArgs = ['init', '-backend=false', '-input=false', '-no-color'];
  const plugins = await pluginDir();
  if (plugins) initArgs.push(`-plugin-dir=${plugins}`);
  try {
    await run('terraform', [`-chdir=${RENDER_ROOT}`, ...initArgs], { env, maxBuffer: 16 << 20 });
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string };
    throw new Error(`terraform init in ${relative(REPO_ROOT, RENDER_ROOT)} failed:\n${e.stderr ?? ''}${e.stdout ?? ''}`);
  }
  let stdout: string;
  try {
    ({ stdout } = await run('terraform', [`-chdir=${RENDER_ROOT}`, 'test', '-json', '-verbose', '-no-color'], {
      env,
      maxBuffer: 256 << 20,
    }));
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string };
    const errors = (e.stdout ?? '')
      .split('\n')
      .filter((l) => l.includes('"@level":"error"'))
      .map((l) => (JSON.parse(l) as { diagnostic?: { summary?: string; detail?: string } }).diagnostic)
      .map((d) => `${d?.summary ?? ''}: ${d?.detail ?? ''}`);
    throw new Error(`terraform test in ${relative(REPO_ROOT, RENDER_ROOT)} failed:\n${errors.join('\n') || e.stderr}`);
  }
  const state = stdout
    .split('\n')
    .filter((l) => l.includes('"type":"test_state"'))
    .map((l) => (JSON.parse(l) as { test_state: { root_module: Module } }).test_state)
    .at(-1);
  if (!state) throw new Error('terraform test -json -verbose printed no state (needs terraform >= 1.7 and command = apply)');
  type Module = { resources?: StateResource[]; child_modules?: Module[] };
  const walk = (m: Module): StateResource[] => [...(m.resources ?? []), ...(m.child_modules ?? []).flatMap(walk)];
  return walk(state.root_module).map(({ address, type, values }) => ({ address, type, values }));
}

/** The rendered state's resources (what the policies are read from), from the cache when the key matches. */
async function renderedResources(version: string): Promise<{ resources: StateResource[]; cached: boolean }> {
  const dir = join(tmpdir(), 'library-iam-render');
  const file = join(dir, `${renderKey(version)}.json`);
  if (existsSync(file) && statSync(file).size > 0)
    return { resources: JSON.parse(readFileSync(file, 'utf8')) as StateResource[], cached: true };
  const resources = await terraformRender();
  mkdirSync(dir, { recursive: true });
  const partial = `${file}.${process.pid}`;
  writeFileSync(partial, JSON.stringify(resources));
  renameSync(partial, file); // whole or absent, even with two renders at once
  return { resources, cached: false };
}

const doc = (v: unknown): PolicyDocument => JSON.parse(String(v)) as PolicyDocument;

/** The policies as Terraform renders them, keyed so the requests can find them. */
export async function renderIam(version: string): Promise<RenderedIam & { cached: boolean }> {
  const { resources, cached } = await renderedResources(version);
  const byAddress = new Map(resources.map((r) => [r.address, r]));
  const of = (type: string) => resources.filter((r) => r.type === type);
  const inputs = byAddress.get('terraform_data.inputs')?.values.output as RenderedIam['inputs'] | undefined;
  if (!inputs) throw new Error(`the render has no terraform_data.inputs (${relative(REPO_ROOT, RENDER_ROOT)}/main.tf)`);

  // Role ARNs are built from the names (IAM User Guide, "IAM identifiers": arn:aws:iam::<account>:role/<name>),
  // since the mock provider invents the computed ones.
  const role = (address: string): RenderedRole => {
    const r = byAddress.get(address);
    if (!r) throw new Error(`the render has no ${address}`);
    const name = String(r.values.name);
    const inline = of('aws_iam_role_policy')
      .filter((p) => p.address === address.replace('.aws_iam_role.', '.aws_iam_role_policy.'))
      .map((p) => ({ name: String(p.values.name), policy: doc(p.values.policy) }));
    const attachments = of('aws_iam_role_policy_attachment').filter((a) => a.address.replace('_policy_attachment.', '.') === address);
    const managed = attachments.flatMap(() =>
      of('aws_iam_policy').filter((p) => p.address.startsWith(address.split('.aws_iam_role.')[0]!)),
    );
    return {
      name,
      arn: `arn:aws:iam::${inputs.account_id}:role/${name}`,
      trustPolicy: doc(r.values.assume_role_policy),
      policies: [...inline, ...managed.map((p) => ({ name: String(p.values.name), policy: doc(p.values.policy) }))],
    };
  };

  const taskDefinitions = of('aws_ecs_task_definition').map((td): RenderedTaskDefinition => {
    // module.service["writer"].aws_ecs_task_definition.migrate[0] → module.service["writer"].aws_iam_role.migrate_task[0]
    const [module, rest] = td.address.split('.aws_ecs_task_definition.') as [string, string];
    const [prefix, index = ''] = rest === 'this' ? [''] : /^(\w+?)(\[\d+\])?$/.exec(rest)!.slice(1);
    const roleAddress = (kind: string) => `${module}.aws_iam_role.${prefix ? `${prefix}_` : ''}${kind}${index}`;
    return {
      address: td.address,
      family: String(td.values.family),
      containerDefinitions: JSON.parse(String(td.values.container_definitions)) as RenderedTaskDefinition['containerDefinitions'],
      executionRole: role(roleAddress('execution')),
      taskRole: role(roleAddress('task')),
      tags: (td.values.tags as Record<string, string> | null) ?? {},
      // modules/service: the rolling service is aws_ecs_service.this[0], a canary/linear/blue-green one .progressive[0].
      execEnabled:
        rest === 'this' &&
        ['this[0]', 'progressive[0]'].some(
          (name) => byAddress.get(`${module}.aws_ecs_service.${name}`)?.values.enable_execute_command === true,
        ),
    };
  });

  return {
    cached,
    inputs,
    deployer: role('module.deployer.aws_iam_role.github[0]'),
    taskDefinitions,
    keyPolicies: Object.fromEntries(of('aws_kms_key').map((k) => [String(k.values.arn), doc(k.values.policy)])),
  };
}
