/**
 * Issue 16: the deployer role's IAM policy (terraform/modules/deployer/actions.json) and the CLI's calls cannot
 * drift apart. Every command a deployer runs (not init/destroy: an administrator runs those) goes through the
 * harness with a recording FakeAws; each SDK command sent becomes the IAM action(s) it needs, plus what docker
 * and terraform need on the CLI's behalf. Then:
 *   (a) every needed action is allowed by actions.json;
 *   (b) every action in actions.json is needed by something recorded here;
 *   (c) every `new XCommand(` in deploy/src is among the recorded commands (admin-only files aside), so the
 *       scenarios cover the code and a new call cannot slip past (a).
 * Changing either side alone fails: the last describe block shows each check catching a one-line change.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ExitCode } from '../src/exit-codes.js';
import { FakeAws, type AwsCall } from './fake-aws.js';
import { makeHarness, REPO_ROOT, startAlb, TEST_DIR } from './harness.js';

// ---- the policy -------------------------------------------------------------------------------------------

interface Statement {
  sid: string;
  actions: string[];
  resources: string;
  why: string;
}
interface Policy {
  statements: Statement[];
}

/** The one list of the deployer's actions: Terraform builds the IAM policy from it (modules/deployer). */
const POLICY_FILE = join(REPO_ROOT, 'terraform', 'modules', 'deployer', 'actions.json');
const policy = JSON.parse(readFileSync(POLICY_FILE, 'utf8')) as Policy;

/** IAM action names are case-insensitive and may end in a `*` wildcard (IAM User Guide, "Action element"). */
export function allows(p: Policy, action: string): boolean {
  return p.statements.some((s) =>
    s.actions.some((a) => new RegExp(`^${a.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`, 'i').test(action)),
  );
}

// ---- from a recorded call to the IAM actions it needs -----------------------------------------------------

/** Service prefix in IAM per SDK client (Service Authorization Reference). */
const PREFIX: Record<string, string> = {
  ecs: 'ecs',
  ecr: 'ecr',
  sts: 'sts',
  logs: 'logs',
  elbv2: 'elasticloadbalancing',
  cloudwatch: 'cloudwatch',
  rds: 'rds',
  iam: 'iam',
  ec2: 'ec2',
  s3: 's3',
};

/** A needed action and where the need comes from. */
export interface Need {
  action: string;
  by: string;
}

/** Calls that need no permission at all. */
const FREE = new Set([
  // "No permissions are required to perform this operation" (STS API reference, GetCallerIdentity).
  'sts:GetCallerIdentity',
]);

export function needsOf(call: Pick<AwsCall, 'client' | 'command' | 'input'>): Need[] {
  const action = `${PREFIX[call.client] ?? call.client}:${call.command}`;
  const by = `${call.client} ${call.command}Command`;
  const needs: Need[] = FREE.has(action) ? [] : [{ action, by }];
  const input = call.input as { tags?: unknown[]; taskRoleArn?: string; executionRoleArn?: string };
  // Tag-on-create: RegisterTaskDefinition and RunTask with tags also need ecs:TagResource (ECS Developer Guide,
  // "Grant permission to tag resources on creation").
  if (call.client === 'ecs' && ['RegisterTaskDefinition', 'RunTask'].includes(call.command) && input.tags?.length)
    needs.push({ action: 'ecs:TagResource', by: `${by} with tags` });
  // Handing the task and execution roles to ECS: iam:PassRole on them (ECS Developer Guide, task IAM role and task
  // execution role; aws-actions/amazon-ecs-deploy-task-definition's example policy).
  if (call.client === 'ecs' && call.command === 'RegisterTaskDefinition' && (input.taskRoleArn || input.executionRoleArn))
    needs.push({ action: 'iam:PassRole', by: `${by} naming task/execution roles` });
  if (call.client === 'ecs' && call.command === 'RunTask') needs.push({ action: 'iam:PassRole', by: `${by} (the task's roles)` });
  return needs;
}

/** What docker does with the credentials GetAuthorizationToken gave it (ECR User Guide, "IAM permissions for pushing an image"). */
export const DOCKER_PUSH = [
  'ecr:BatchCheckLayerAvailability',
  'ecr:InitiateLayerUpload',
  'ecr:UploadLayerPart',
  'ecr:CompleteLayerUpload',
  'ecr:PutImage',
  'ecr:BatchGetImage',
];
/** `terraform output` reads the state: s3:ListBucket on the bucket, s3:GetObject on the key (Terraform docs, S3 backend). */
export const TERRAFORM_OUTPUT = ['s3:ListBucket', 's3:GetObject'];

// ---- the scenarios: every command a deployer runs ---------------------------------------------------------

interface Recorded {
  calls: AwsCall[];
  needs: Need[];
}

const recorded: Record<string, Recorded> = {};
let alb: Awaited<ReturnType<typeof startAlb>>;

type Setup = (aws: FakeAws) => void;
const SCENARIOS: [name: string, argv: string[], exit: ExitCode, setup?: Setup][] = [
  ['deploy: build, push, migration, rollout, smoke', ['deploy'], ExitCode.Ok],
  [
    'deploy: the circuit breaker rolls back, failed tasks explained',
    ['deploy'],
    ExitCode.RolledBack,
    (a) => (a.behaviour = { writer: 'breaker' }),
  ],
  [
    'deploy --max-failed-tasks: our own rollback',
    ['deploy', '--service', 'reader', '--max-failed-tasks', '2'],
    ExitCode.RolledBack,
    (a) => (a.behaviour = { reader: 'failing' }),
  ],
  ['deploy --dry-run', ['deploy', '--dry-run'], ExitCode.Ok],
  ['rollback', ['rollback', 'reader'], ExitCode.Ok, (a) => a.seedHistory()],
  ['status', ['status'], ExitCode.Ok],
  ['logs', ['logs', 'reader'], ExitCode.Ok],
  ['logs --follow (StartLiveTail)', ['logs', 'reader', '--follow', '--follow-for', '5s'], ExitCode.Ok],
  [
    'logs --follow, polling where Live Tail is missing',
    ['logs', 'writer', '--follow', '--follow-for', '5s'],
    ExitCode.Ok,
    (a) => (a.liveTail = { error: 'UnknownOperationException' }),
  ],
  ['history', ['history', 'reader'], ExitCode.Ok, (a) => a.seedHistory()],
  ['verify', ['verify'], ExitCode.Ok],
  ['diff', ['diff', 'reader'], ExitCode.Ok],
  ['migrate', ['migrate'], ExitCode.Ok],
  ['pause', ['pause', '--yes'], ExitCode.Ok],
  ['resume', ['resume'], ExitCode.Ok, (a) => a.seedPaused('stopped')],
];

beforeAll(async () => {
  alb = await startAlb();
  for (const [name, argv, exit, setup] of SCENARIOS) {
    const aws = new FakeAws();
    setup?.(aws);
    const h = makeHarness({ aws });
    // --env: the names come from `terraform output`, as for a deployer (the fake terraform prints the fixture)
    const code = await h.run([...argv, '--env', 'dev', '--set', `app_url=${alb.url}`]);
    aws.restore();
    if (code !== exit) throw new Error(`scenario "${name}" exited ${code}, expected ${exit}:\n${h.stderr()}`);
    const needs = aws.calls.flatMap(needsOf);
    if (h.dockerCalls().some((a) => a[0] === 'push')) needs.push(...DOCKER_PUSH.map((action) => ({ action, by: 'docker push' })));
    if (h.terraformCalls().some((a) => a.includes('output')))
      needs.push(...TERRAFORM_OUTPUT.map((action) => ({ action, by: 'terraform output (state)' })));
    recorded[name] = { calls: aws.calls, needs };
  }
}, 120_000);
afterAll(() => alb.close());

const allNeeds = () => Object.values(recorded).flatMap((r) => r.needs);
const allCommands = () => new Set(Object.values(recorded).flatMap((r) => r.calls.map((c) => `${c.command}Command`)));

// ---- the checks, as functions, so the last block can show each one failing --------------------------------

/** (a) needed but not allowed. */
export function notAllowed(p: Policy, needs: Need[]): string[] {
  return [...new Set(needs.filter((n) => !allows(p, n.action)).map((n) => `${n.action} (needed by ${n.by})`))].sort();
}

/** (b) allowed but needed by nothing recorded. */
export function unused(p: Policy, needs: Need[], calledFree: string[]): string[] {
  const needed = [...needs.map((n) => n.action), ...calledFree];
  return p.statements
    .flatMap((s) => s.actions.map((a) => ({ a, sid: s.sid })))
    .filter(({ a }) => !needed.some((n) => allows({ statements: [{ sid: '', actions: [a], resources: '', why: '' }] }, n)))
    .map(({ a, sid }) => `${a} (statement ${sid})`)
    .sort();
}

/** Files whose SDK calls only `init`/`destroy` make (an administrator's, not the deployer's). */
export const ADMIN_ONLY = ['aws/state-bucket.ts', 'aws/teardown.ts'];
const SRC = join(TEST_DIR, '..', 'src');

function sources(dir = SRC): { file: string; text: string }[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return sources(p);
    return e.name.endsWith('.ts') && !e.name.endsWith('.spec.ts') ? [{ file: relative(SRC, p), text: readFileSync(p, 'utf8') }] : [];
  });
}

/** (c) SDK commands the code constructs that no scenario sent. */
export function uncovered(files: { file: string; text: string }[], commands: Set<string>): string[] {
  const missing = new Set<string>();
  for (const { file, text } of files) {
    if (ADMIN_ONLY.includes(file)) continue;
    for (const m of text.matchAll(/new (\w+Command)\(/g)) if (!commands.has(m[1]!)) missing.add(`${m[1]} (${file})`);
  }
  return [...missing].sort();
}

const calledFree = () =>
  [...new Set(Object.values(recorded).flatMap((r) => r.calls.map((c) => `${PREFIX[c.client]}:${c.command}`)))].filter((a) => FREE.has(a));

// ---- the assertions --------------------------------------------------------------------------------------

describe(`the deployer policy (${relative(REPO_ROOT, POLICY_FILE)}) and the CLI's calls`, () => {
  it('every scenario sent calls (the recording works)', () => {
    for (const [name] of SCENARIOS) expect(recorded[name]!.calls.length).toBeGreaterThan(0);
  });

  it('(a) every action a deployer command needs is allowed', () => {
    expect(notAllowed(policy, allNeeds())).toEqual([]);
  });

  it('(b) every allowed action is needed by a recorded call, docker push or terraform output', () => {
    expect(unused(policy, allNeeds(), calledFree())).toEqual([]);
  });

  it('(c) every SDK command the CLI constructs (admin-only files aside) was sent by some scenario', () => {
    expect(uncovered(sources(), allCommands())).toEqual([]);
  });

  it('the admin-only files are used by init and destroy alone, so their calls stay out of the deployer policy', () => {
    const importers = sources()
      .filter(({ text }) =>
        ADMIN_ONLY.some(
          (f) => text.includes(`/${f.replace(/\.ts$/, '.js')}'`) || text.includes(`'./${f.split('/')[1]!.replace(/\.ts$/, '.js')}'`),
        ),
      )
      .map(({ file }) => file)
      .filter((f) => !ADMIN_ONLY.includes(f));
    expect(importers.every((f) => f.startsWith('setup/') || ['actions/init.ts', 'actions/destroy.ts'].includes(f))).toBe(true);
    expect(importers.length).toBeGreaterThan(0);
  });

  it('each statement says what it is for and on which resources', () => {
    for (const s of policy.statements) {
      expect(s.sid).toMatch(/^[A-Za-z0-9]+$/); // IAM Sid: alphanumerics only
      expect(s.actions.length).toBeGreaterThan(0);
      expect(s.resources).toBeTruthy();
      expect(s.why.length).toBeGreaterThan(10);
    }
  });
});

describe('each check fails when one side changes alone', () => {
  // Picked from the policy itself, so these hold for the module's file as for the stand-in.
  const exact = () => policy.statements.flatMap((s) => s.actions.filter((a) => !a.includes('*')));
  const needed = () => new Set(allNeeds().map((n) => n.action));

  it('(a) the policy loses an action a command needs', () => {
    const gone = exact().find((a) => needed().has(a) && policy.statements.flatMap((s) => s.actions).filter((x) => x === a).length === 1)!;
    const without = { statements: policy.statements.map((s) => ({ ...s, actions: s.actions.filter((a) => a !== gone) })) };
    expect(notAllowed(without, allNeeds())).toContainEqual(expect.stringMatching(new RegExp(`^${gone} \\(needed by `)));
  });

  it('(a) the CLI starts sending a call the policy does not allow', () => {
    const more = [...allNeeds(), ...needsOf({ client: 'ecs', command: 'DeleteService', input: {} })];
    expect(notAllowed(policy, more)).toEqual(['ecs:DeleteService (needed by ecs DeleteServiceCommand)']);
  });

  it('(b) the policy grants an action nothing needs', () => {
    const extra = {
      statements: [...policy.statements, { sid: 'Extra', actions: ['s3:PutObject'], resources: 'state-object', why: 'nothing' }],
    };
    expect(unused(extra, allNeeds(), calledFree())).toEqual(['s3:PutObject (statement Extra)']);
  });

  it('(b) the CLI stops sending a call the policy still grants', () => {
    const dropped = exact().find((a) => needed().has(a))!;
    const fewer = allNeeds().filter((n) => n.action.toLowerCase() !== dropped.toLowerCase());
    expect(unused(policy, fewer, calledFree())).toContainEqual(expect.stringMatching(new RegExp(`^${dropped} \\(statement \\w+\\)$`)));
  });

  it('(c) a new SDK command in deploy/src that no scenario sends', () => {
    const files = [...sources(), { file: 'aws/ecs.ts', text: 'await ecs.send(new StopTaskCommand({ task }));' }];
    expect(uncovered(files, allCommands())).toEqual(['StopTaskCommand (aws/ecs.ts)']);
  });

  it('the checks are not vacuous: the scenarios need dozens of actions, from SDK, docker and terraform', () => {
    const by = new Set(allNeeds().map((n) => n.by.split(' ')[0]));
    expect(new Set(allNeeds().map((n) => n.action)).size).toBeGreaterThan(30);
    expect([...by]).toEqual(
      expect.arrayContaining(['ecs', 'ecr', 'logs', 'elbv2', 'cloudwatch', 'rds', 'iam', 'ec2', 'docker', 'terraform']),
    );
  });
});
