import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { parse } from 'yaml';
import { workflowProblems } from './workflow-rules.mjs';

const read = (name: string): string => readFileSync(new URL(`../.github/workflows/${name}`, import.meta.url), 'utf8');
const ci = read('ci.yml');
const deploy = read('deploy.yml');
const deployEnv = read('deploy-env.yml');

describe('the workflows pass the checks', () => {
  it.each([
    ['ci.yml', ci],
    ['deploy.yml', deploy],
    ['deploy-env.yml', deployEnv],
  ])('%s', (name, text) => {
    expect(workflowProblems(text, name)).toEqual([]);
  });
});

describe('each check catches what it is for', () => {
  it.each([
    ['an unknown key (schema)', ci.replace('    timeout-minutes: 45', '    timeout-minutes: 45\n    retries: 3'), /retries/],
    [
      'an action pinned to a tag',
      ci.replace(/actions\/checkout@[0-9a-f]{40}/, 'actions/checkout@v7'),
      /"actions\/checkout@v7" is not pinned/,
    ],
    [
      'long-lived AWS keys',
      deployEnv.replace('role-to-assume: ${{ vars.AWS_DEPLOY_ROLE_ARN }}', 'aws-access-key-id: ${{ secrets.AWS_ACCESS_KEY_ID }}'),
      /long-lived AWS keys/,
    ],
    ['no top-level permissions', deploy.replace('permissions: {}\n', ''), /no top-level permissions/],
    [
      'id-token: write where nothing assumes a role',
      ci.replace('  contents: read', '  contents: read\n  id-token: write'),
      /id-token: write without/,
    ],
    [
      'a role without id-token: write',
      deployEnv.replace('      id-token: write # the OIDC', '      # the OIDC'),
      /lacks permissions id-token: write/,
    ],
  ])('%s', (_case, broken, problem) => {
    expect(workflowProblems(broken, 'broken.yml').join('\n')).toMatch(problem);
  });
});

describe('ci.yml', () => {
  const workflow = parse(ci);
  const steps = workflow.jobs.test.steps as Array<Record<string, any>>;

  it('runs on pull requests and on main', () => {
    expect(workflow.on).toEqual({ pull_request: null, push: { branches: ['main'] } });
  });

  it('uses the Node major the image uses (.nvmrc) and runs .ci/run, the same steps as the local CI', () => {
    expect(steps.find((step) => String(step.uses).startsWith('actions/setup-node@'))?.with['node-version-file']).toBe('.nvmrc');
    expect(steps.at(-1)!.run).toBe('bash .ci/run');
  });
});

describe('deploy.yml and deploy-env.yml', () => {
  const workflow = parse(deploy);
  const job = parse(deployEnv).jobs.deploy;

  it('runs only after ci succeeded on a push to main', () => {
    expect(workflow.on).toEqual({ workflow_run: { workflows: ['ci'], types: ['completed'], branches: ['main'] } });
    expect(workflow.jobs.dev.if).toBe("github.event.workflow_run.conclusion == 'success' && github.event.workflow_run.event == 'push'");
  });

  it('deploys the commit CI tested to dev, then to prod behind the prod environment', () => {
    for (const env of ['dev', 'prod']) {
      expect(workflow.jobs[env].with).toEqual({ environment: env, commit: '${{ github.event.workflow_run.head_sha }}' });
    }
    expect(workflow.jobs.prod.needs).toBe('dev');
    expect(job.environment).toBe('${{ inputs.environment }}');
  });

  it('runs one deploy per environment at a time and never cancels a running one', () => {
    expect(job.concurrency).toEqual({ group: 'deploy-${{ inputs.environment }}', 'cancel-in-progress': false });
  });

  it('assumes the deploy role through OIDC and runs npm run deploy -- --env <env> --json', () => {
    const steps = job.steps as Array<Record<string, any>>;
    expect(steps.find((step) => String(step.uses).startsWith('aws-actions/configure-aws-credentials@'))?.with['role-to-assume']).toBe(
      '${{ vars.AWS_DEPLOY_ROLE_ARN }}',
    );
    expect(steps.map((step) => step.run).find((run) => String(run).includes('npm run'))).toMatch(
      /npm run --silent deploy -- --env "\$\{ENVIRONMENT\}" --json/,
    );
  });
});
