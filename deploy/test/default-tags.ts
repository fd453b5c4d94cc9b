/**
 * The AWS provider's default_tags of an env root (terraform/envs/<env>/main.tf, `locals { default_tags = {...} }`),
 * with their values as Terraform resolves them for a fresh clone: a string, var.<name> (its default in
 * variables.tf) or local.<name> (a string local of the root). Every resource Terraform creates carries them, the
 * task-definition revisions too, and DescribeTaskDefinition with include=["TAGS"] returns them (ECS API Reference,
 * DescribeTaskDefinition), so the fakes return Terraform's revisions with exactly these.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Tag } from '@aws-sdk/client-ecs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'terraform', 'envs');

function block(text: string, header: RegExp): string | undefined {
  const start = text.search(header);
  if (start < 0) return undefined;
  let depth = 0;
  for (let i = text.indexOf('{', start); i < text.length; i++) {
    if (text[i] === '{') depth++;
    else if (text[i] === '}' && --depth === 0) return text.slice(text.indexOf('{', start) + 1, i);
  }
  return undefined;
}

export function terraformDefaultTags(env: 'dev' | 'prod'): Tag[] {
  const dir = join(ROOT, env);
  const files = readdirSync(dir).filter((f) => f.endsWith('.tf'));
  const all = files.map((f) => readFileSync(join(dir, f), 'utf8')).join('\n');
  const body = block(all, /^\s*default_tags\s*=\s*\{/m);
  if (!body) throw new Error(`terraform/envs/${env}: no \`default_tags = { ... }\` local (the provider's default_tags)`);
  const resolve = (expr: string): string => {
    const literal = /^"([^"$]*)"$/.exec(expr);
    if (literal) return literal[1]!;
    const variable = /^var\.(\w+)$/.exec(expr);
    if (variable) {
      const def = block(all, new RegExp(`^variable "${variable[1]}"\\s*\\{`, 'm'));
      const value = def && /^\s*default\s*=\s*"([^"$]*)"/m.exec(def);
      if (value) return value[1]!;
    }
    const local = /^local\.(\w+)$/.exec(expr);
    if (local) {
      const value = new RegExp(`^\\s*${local[1]}\\s*=\\s*"([^"$]*)"`, 'm').exec(all);
      if (value) return value[1]!;
    }
    throw new Error(`terraform/envs/${env}: cannot resolve the default tag value ${expr}`);
  };
  return [...body.matchAll(/^\s*([A-Za-z0-9_:./-]+)\s*=\s*(.+?)\s*$/gm)].map(([, key, expr]) => ({ key, value: resolve(expr!) }));
}
