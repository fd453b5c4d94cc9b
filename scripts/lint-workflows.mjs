// `npm run lint:workflows` (part of `npm run lint`): scripts/workflow-rules.mjs over .github/workflows/*.yml.
import { readdirSync, readFileSync } from 'node:fs';
import { workflowProblems } from './workflow-rules.mjs';

const dir = new URL('../.github/workflows/', import.meta.url);
const files = readdirSync(dir).filter((name) => /\.ya?ml$/.test(name));
const problems = files.flatMap((name) => workflowProblems(readFileSync(new URL(name, dir), 'utf8'), `.github/workflows/${name}`));
for (const problem of problems) process.stderr.write(`${problem}\n`);
process.stdout.write(`workflows: ${files.length} checked, ${problems.length} problem(s)\n`);
process.exitCode = problems.length ? 1 : 0;
