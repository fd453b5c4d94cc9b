// Checks for the GitHub Actions workflows (.github/workflows) and local actions (.github/actions/*/action.yml),
// run by `npm run lint` through scripts/lint-workflows.mjs and tested in scripts/workflow-rules.spec.ts:
//   - the schema (SchemaStore's, via @action-validator/core: unknown keys, wrong shapes, bad globs);
//   - supply chain: every remote action pinned to a full commit SHA (a tag can be moved; a SHA cannot);
//   - no long-lived AWS keys anywhere: AWS access comes only from OIDC (role-to-assume);
//   - least privilege: a workflow declares `permissions`, and `id-token: write` only where a job assumes a role
//     (itself or through a local action or reusable workflow).
import { validateAction, validateWorkflow } from '@action-validator/core';
import { parse } from 'yaml';

const PINNED = /^[^@\s]+@[0-9a-f]{40}$/;
const AWS_KEY_NAMES =
  /^(aws-access-key-id|aws-secret-access-key|aws-session-token|AWS_ACCESS_KEY_ID|AWS_SECRET_ACCESS_KEY|AWS_SESSION_TOKEN)$/;

function schemaProblems(state, file) {
  return state.errors.map((error) => {
    const nested = (error.states ?? []).flatMap((inner) => inner.errors.map((e) => `${e.path}: ${e.detail ?? e.title}`));
    return `${file}: ${error.path ?? ''} ${error.detail ?? error.title}${nested.length ? ` (${nested.join('; ')})` : ''}`;
  });
}

function stepProblems(steps, where) {
  return steps
    .map((step) => step.uses)
    .filter((ref) => typeof ref === 'string' && !ref.startsWith('./') && !PINNED.test(ref))
    .map((ref) => `${where}: "${ref}" is not pinned to a commit SHA (use owner/repo@<40-hex sha> # vX.Y.Z)`);
}

function credentialProblems(document, file) {
  const problems = [];
  visit(document, [], (path, key, value) => {
    const at = [...path, key].join('.');
    if (AWS_KEY_NAMES.test(key)) problems.push(`${file}: ${at}: long-lived AWS keys are not allowed; assume a role through OIDC`);
    if (typeof value === 'string' && /secrets\.AWS_/i.test(value))
      problems.push(`${file}: ${at}: AWS credentials from secrets; assume a role through OIDC`);
  });
  return problems;
}

const assumesRole = (steps) => steps.some((step) => step.with?.['role-to-assume']);

/** Every problem in one local action (action.yml). */
export function actionProblems(text, file) {
  const schema = schemaProblems(validateAction(text), file);
  if (schema.length) return schema;
  const action = parse(text);
  return [...stepProblems(action.runs?.steps ?? [], file), ...credentialProblems(action, file)];
}

/**
 * Every problem in one workflow file, each as one line naming where it is. `localActions` maps a step's
 * `uses: ./path` to that action's text, so a job that assumes a role through it counts as assuming one.
 */
export function workflowProblems(text, file, localActions = {}) {
  const schema = schemaProblems(validateWorkflow(text), file);
  if (schema.length) return schema;

  const problems = [];
  const workflow = parse(text);
  if (workflow.permissions === undefined)
    problems.push(`${file}: no top-level permissions (set the least the jobs need, e.g. {} or contents: read)`);
  for (const [jobId, job] of Object.entries(workflow.jobs ?? {})) {
    const where = `${file}: job ${jobId}`;
    const steps = job.steps ?? [];
    problems.push(...stepProblems(steps, where));
    if (typeof job.uses === 'string' && !job.uses.startsWith('./') && !PINNED.test(job.uses))
      problems.push(`${where}: "${job.uses}" is not pinned to a commit SHA`);
    const viaLocalAction = steps.some((step) => {
      const local = typeof step.uses === 'string' && step.uses.startsWith('./') ? localActions[step.uses] : undefined;
      return local !== undefined && assumesRole(parse(local).runs?.steps ?? []);
    });
    const role = assumesRole(steps) || viaLocalAction || typeof job.uses === 'string';
    const tokenWrite = (job.permissions ?? workflow.permissions)?.['id-token'] === 'write';
    if (tokenWrite && !role) problems.push(`${where}: id-token: write without a step that assumes a role`);
    if (role && !tokenWrite && typeof job.uses !== 'string')
      problems.push(`${where}: assumes an AWS role but lacks permissions id-token: write`);
  }
  problems.push(...credentialProblems(workflow, file));
  return problems;
}

function visit(node, path, onEntry) {
  if (node === null || typeof node !== 'object') return;
  for (const [key, value] of Object.entries(node)) {
    onEntry(path, key, value);
    visit(value, [...path, key], onEntry);
  }
}
