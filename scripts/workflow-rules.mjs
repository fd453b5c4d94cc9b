// Checks for the GitHub Actions workflows in .github/workflows (run by `npm run lint` through
// scripts/lint-workflows.mjs, and tested in scripts/workflow-rules.spec.ts):
//   - the workflow schema (SchemaStore's, via @action-validator/core: unknown keys, wrong shapes, bad globs);
//   - supply chain: every remote action pinned to a full commit SHA (a tag can be moved; a SHA cannot);
//   - no long-lived AWS keys anywhere: AWS access comes only from OIDC (role-to-assume);
//   - least privilege: the workflow declares `permissions`, and `id-token: write` only where a job assumes a role.
import { validateWorkflow } from '@action-validator/core';
import { parse } from 'yaml';

const PINNED = /^[^@\s]+@[0-9a-f]{40}$/;
const AWS_KEY_NAMES =
  /^(aws-access-key-id|aws-secret-access-key|aws-session-token|AWS_ACCESS_KEY_ID|AWS_SECRET_ACCESS_KEY|AWS_SESSION_TOKEN)$/;

/** Every problem in one workflow file, each as one line naming where it is. */
export function workflowProblems(text, file) {
  const problems = [];
  const schema = validateWorkflow(text);
  for (const error of schema.errors) {
    const nested = (error.states ?? []).flatMap((state) => state.errors.map((inner) => `${inner.path}: ${inner.detail ?? inner.title}`));
    problems.push(`${file}: ${error.path ?? ''} ${error.detail ?? error.title}${nested.length ? ` (${nested.join('; ')})` : ''}`);
  }
  if (problems.length) return problems;

  const workflow = parse(text);
  if (workflow.permissions === undefined)
    problems.push(`${file}: no top-level permissions (set the least the jobs need, e.g. {} or contents: read)`);
  for (const [jobId, job] of Object.entries(workflow.jobs ?? {})) {
    const where = `${file}: job ${jobId}`;
    const uses = [job.uses, ...(job.steps ?? []).map((step) => step.uses)].filter((ref) => typeof ref === 'string');
    for (const ref of uses) {
      if (!ref.startsWith('./') && !PINNED.test(ref))
        problems.push(`${where}: "${ref}" is not pinned to a commit SHA (use owner/repo@<40-hex sha> # vX.Y.Z)`);
    }
    const assumesRole = (job.steps ?? []).some((step) => step.with?.['role-to-assume']);
    const callsWorkflow = typeof job.uses === 'string';
    const tokenWrite = (job.permissions ?? workflow.permissions)?.['id-token'] === 'write';
    if (tokenWrite && !assumesRole && !callsWorkflow) problems.push(`${where}: id-token: write without a step that assumes a role`);
    if (assumesRole && !tokenWrite) problems.push(`${where}: assumes an AWS role but lacks permissions id-token: write`);
  }
  visit(workflow, [], (path, key, value) => {
    if (AWS_KEY_NAMES.test(key))
      problems.push(`${file}: ${[...path, key].join('.')}: long-lived AWS keys are not allowed; assume a role through OIDC`);
    if (typeof value === 'string' && /secrets\.AWS_/i.test(value))
      problems.push(`${file}: ${[...path, key].join('.')}: AWS credentials from secrets; assume a role through OIDC`);
  });
  return problems;
}

function visit(node, path, onEntry) {
  if (node === null || typeof node !== 'object') return;
  for (const [key, value] of Object.entries(node)) {
    onEntry(path, key, value);
    visit(value, [...path, key], onEntry);
  }
}
