import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { parse } from 'yaml';
import { actionProblems, workflowProblems } from './workflow-rules.mjs';

const read = (path: string): string => readFileSync(new URL(`../.github/${path}`, import.meta.url), 'utf8');
const ci = read('workflows/ci.yml');
const deploy = read('workflows/deploy.yml');
const deployAction = read('actions/deploy/action.yml');
const localActions = { './.github/actions/deploy': deployAction };

describe('the workflows and the local action pass the checks', () => {
  it('ci.yml', () => expect(workflowProblems(ci, 'ci.yml', localActions)).toEqual([]));
  it('deploy.yml', () => expect(workflowProblems(deploy, 'deploy.yml', localActions)).toEqual([]));
  it('actions/deploy/action.yml', () => expect(actionProblems(deployAction, 'action.yml')).toEqual([]));
});

describe('each check catches what it is for', () => {
  it.each([
    ['an unknown key (schema)', ci.replace('    timeout-minutes: 45', '    timeout-minutes: 45\n    retries: 3'), /retries/],
    [
      'an action pinned to a tag',
      ci.replace(/actions\/checkout@[0-9a-f]{40}/, 'actions/checkout@v7'),
      /"actions\/checkout@v7" is not pinned/,
    ],
    ['no top-level permissions', deploy.replace('permissions: {}\n', ''), /no top-level permissions/],
    [
      'id-token: write where nothing assumes a role',
      ci.replace('  contents: read', '  contents: read\n  id-token: write'),
      /id-token: write without/,
    ],
    [
      'a role (through the local action) without id-token: write',
      deploy.replace('      id-token: write # the OIDC', '      # the OIDC'),
      /job dev: assumes an AWS role but lacks permissions id-token: write/,
    ],
    [
      'long-lived AWS keys from secrets',
      deploy.replace('${{ vars.AWS_DEV_DEPLOY_ROLE_ARN }}', '${{ secrets.AWS_ROLE }}'),
      /AWS credentials from secrets/,
    ],
  ])('workflow: %s', (_case, broken, problem) => {
    expect(workflowProblems(broken, 'broken.yml', localActions).join('\n')).toMatch(problem);
  });

  it.each([
    ['an unknown key (schema)', deployAction.replace('  using: composite', '  using: composite\n  retries: 3'), /retries/],
    [
      'an action pinned to a tag',
      deployAction.replace(/hashicorp\/setup-terraform@[0-9a-f]{40}/, 'hashicorp/setup-terraform@v4'),
      /not pinned/,
    ],
    [
      'long-lived AWS keys',
      deployAction.replace('role-to-assume: ${{ inputs.role-arn }}', 'aws-access-key-id: ${{ inputs.role-arn }}'),
      /long-lived AWS keys/,
    ],
  ])('action: %s', (_case, broken, problem) => {
    expect(actionProblems(broken, 'broken/action.yml').join('\n')).toMatch(problem);
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

describe('deploy.yml and actions/deploy', () => {
  const workflow = parse(deploy);
  const { dev, prod } = workflow.jobs;
  const deployStep = (job: any) => job.steps.find((step: any) => step.uses === './.github/actions/deploy');

  it('runs only after ci succeeded on a push to main, on the commit CI tested', () => {
    expect(workflow.on).toEqual({ workflow_run: { workflows: ['ci'], types: ['completed'], branches: ['main'] } });
    expect(dev.if).toBe("github.event.workflow_run.conclusion == 'success' && github.event.workflow_run.event == 'push'");
    for (const job of [dev, prod]) expect(job.steps[0].with.ref).toBe('${{ github.event.workflow_run.head_sha }}');
  });

  it('deploys to dev, then to prod behind the prod environment; dev has none, so its OIDC subject is the main branch', () => {
    expect(deployStep(dev).with.environment).toBe('dev');
    expect(deployStep(prod).with.environment).toBe('prod');
    expect(prod.needs).toBe('dev');
    expect(prod.environment).toBe('prod');
    expect(dev.environment).toBeUndefined();
  });

  it('runs one deploy per environment at a time and never cancels a running one', () => {
    expect(dev.concurrency).toEqual({ group: 'deploy-dev', 'cancel-in-progress': false });
    expect(prod.concurrency).toEqual({ group: 'deploy-prod', 'cancel-in-progress': false });
  });

  it('assumes the deploy role through OIDC and runs npm run deploy -- --env <env> --json', () => {
    const steps = parse(deployAction).runs.steps as Array<Record<string, any>>;
    expect(steps.find((step) => String(step.uses).startsWith('aws-actions/configure-aws-credentials@'))?.with['role-to-assume']).toBe(
      '${{ inputs.role-arn }}',
    );
    expect(steps.map((step) => step.run).find((run) => String(run).includes('npm run'))).toMatch(
      /npm run --silent deploy -- --env "\$\{ENVIRONMENT\}" --json/,
    );
    expect(deployStep(dev).with['role-arn']).toBe('${{ vars.AWS_DEV_DEPLOY_ROLE_ARN }}');
    expect(deployStep(prod).with['role-arn']).toBe('${{ vars.AWS_PROD_DEPLOY_ROLE_ARN }}');
  });
});
