// `npm run lint:workflows` (part of `npm run lint`): scripts/workflow-rules.mjs over .github/workflows/*.yml
// and the local actions in .github/actions/*/action.yml.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { actionProblems, workflowProblems } from './workflow-rules.mjs';

const github = new URL('../.github/', import.meta.url);
const actionsDir = new URL('actions/', github);
const localActions = Object.fromEntries(
  (existsSync(actionsDir) ? readdirSync(actionsDir) : [])
    .filter((name) => existsSync(new URL(`${name}/action.yml`, actionsDir)))
    .map((name) => [`./.github/actions/${name}`, readFileSync(new URL(`${name}/action.yml`, actionsDir), 'utf8')]),
);
const workflows = readdirSync(new URL('workflows/', github)).filter((name) => /\.ya?ml$/.test(name));
const problems = [
  ...Object.entries(localActions).flatMap(([path, text]) => actionProblems(text, `${path.slice(2)}/action.yml`)),
  ...workflows.flatMap((name) =>
    workflowProblems(readFileSync(new URL(`workflows/${name}`, github), 'utf8'), `.github/workflows/${name}`, localActions),
  ),
];
for (const problem of problems) process.stderr.write(`${problem}\n`);
process.stdout.write(
  `workflows: ${workflows.length} workflows and ${Object.keys(localActions).length} local actions checked, ${problems.length} problem(s)\n`,
);
process.exitCode = problems.length ? 1 : 0;
