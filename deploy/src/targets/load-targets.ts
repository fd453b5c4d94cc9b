import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CliError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import { targetsSchema, type Targets } from './schema.js';

export interface TerraformRunner {
  /** Raw stdout of `terraform -chdir=<dir> output -json`. */
  outputJson(dir: string): Promise<string>;
}

export interface TargetSource {
  /** `--env dev` → terraform/envs/dev */
  env?: string;
  /** `--targets <file>` or DEPLOY_TARGETS: a JSON file in `terraform output -json` shape (or plain values). */
  file?: string;
  /** DEPLOY_TARGETS_JSON: the same, inline. */
  inline?: string;
  /** `--set key.path=value` (repeatable), applied last: any single value can come from a flag. */
  overrides: string[];
  /** Repository root (terraform/envs/<env> is relative to it). */
  root: string;
}

/** `terraform output -json` wraps each output as { value, type, sensitive }; a plain document is accepted too. */
function unwrap(doc: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(doc)) {
    out[k] = v !== null && typeof v === 'object' && 'value' in v && ('type' in v || 'sensitive' in v) ? (v as { value: unknown }).value : v;
  }
  return out;
}

function parseJson(text: string, what: string): Record<string, unknown> {
  try {
    const doc: unknown = JSON.parse(text);
    if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) throw new Error('not a JSON object');
    return doc as Record<string, unknown>;
  } catch (err) {
    throw new CliError(
      `${what} is not valid JSON: ${(err as Error).message}`,
      ExitCode.Preflight,
      'run `terraform output -json` by hand to see it',
    );
  }
}

function applyOverride(doc: Record<string, unknown>, assignment: string): void {
  const eq = assignment.indexOf('=');
  if (eq <= 0) throw new CliError(`--set expects key.path=value, got "${assignment}"`, ExitCode.Usage);
  const path = assignment.slice(0, eq).split('.');
  const raw = assignment.slice(eq + 1);
  let value: unknown = raw;
  if (/^[[{]|^(true|false|null)$/.test(raw)) {
    try {
      value = JSON.parse(raw);
    } catch {
      value = raw;
    }
  }
  let node = doc;
  for (const key of path.slice(0, -1)) {
    if (node[key] === null || typeof node[key] !== 'object') node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[path[path.length - 1]!] = value;
}

/** Reads the targets once and validates them; a missing or malformed output is one line that names it. */
export async function loadTargets(src: TargetSource, terraform: TerraformRunner): Promise<{ targets: Targets; origin: string }> {
  let doc: Record<string, unknown> = {};
  let origin: string;
  if (src.inline) {
    doc = unwrap(parseJson(src.inline, 'DEPLOY_TARGETS_JSON'));
    origin = 'DEPLOY_TARGETS_JSON';
  } else if (src.file) {
    let text: string;
    try {
      text = await readFile(src.file, 'utf8');
    } catch (err) {
      throw new CliError(`cannot read targets file ${src.file}: ${(err as Error).message}`, ExitCode.Preflight);
    }
    doc = unwrap(parseJson(text, src.file));
    origin = src.file;
  } else if (src.env) {
    const dir = join(src.root, 'terraform', 'envs', src.env);
    let text: string;
    try {
      text = await terraform.outputJson(dir);
    } catch (err) {
      throw new CliError(
        `terraform output failed for env "${src.env}" (${dir}): ${(err as Error).message.split('\n')[0]}`,
        ExitCode.Preflight,
        `run \`terraform -chdir=${dir} init && terraform -chdir=${dir} apply\`, or pass --targets <file>`,
        { cause: err },
      );
    }
    doc = unwrap(parseJson(text, `terraform output of ${dir}`));
    origin = `terraform -chdir=${dir} output -json`;
  } else if (src.overrides.length === 0) {
    throw new CliError(
      'no targets: pass --env <env>, --targets <file>, DEPLOY_TARGETS_JSON or --set',
      ExitCode.Usage,
      'e.g. `npm run deploy -- --env dev`',
    );
  } else {
    origin = '--set';
  }
  for (const o of src.overrides) applyOverride(doc, o);
  const parsed = targetsSchema.safeParse(doc);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const name = issue.path.join('.');
    const missing = issue.code === 'invalid_type' && /received undefined/.test(issue.message);
    throw new CliError(
      missing ? `output "${name}" is missing (${origin})` : `output "${name}" is malformed (${origin}): ${issue.message}`,
      ExitCode.Preflight,
      missing
        ? 'run `terraform apply` for this env so it exports the outputs of docs/deploy-contract.md, or pass --set ' + name + '=…'
        : `fix the output in Terraform (docs/deploy-contract.md#terraform-outputs) and run \`terraform apply\`, or pass --set ${name}=…`,
    );
  }
  return { targets: parsed.data, origin };
}
