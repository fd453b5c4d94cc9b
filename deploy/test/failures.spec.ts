/**
 * no command ever ends in a raw stack trace. Every command is driven with failing AWS calls (an SDK error
 * without a message, as a 5xx can be; an access denial); each must end in one line naming the cause, a fix,
 * and the exit code deploy/README.md documents for it.
 */
import { DescribeServicesCommand, DescribeTasksCommand, RegisterTaskDefinitionCommand } from '@aws-sdk/client-ecs';
import { ECSServiceException } from '@aws-sdk/client-ecs';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { expectWith } from '../../test/support/expect-with.js';
import { ExitCode } from '../src/exit-codes.js';
import { FakeAws } from './fake-aws.js';
import { FIXTURE, makeHarness, type Harness } from './harness.js';

let aws: FakeAws;
beforeEach(() => {
  aws = new FakeAws();
});
afterEach(() => aws.restore());

// No failure here reaches the smoke check, so no ALB stand-in: nothing may listen on this address.
const APP_URL = 'http://127.0.0.1:9';
const cli = (h: Harness, ...args: string[]) => h.run([...args, '--targets', FIXTURE, '--set', `app_url=${APP_URL}`]);

/** What AWS can answer with no message at all: a 5xx whose body the SDK could not read. */
const bare = () =>
  new ECSServiceException({
    name: 'InternalFailure',
    $fault: 'server',
    message: '',
    $metadata: { httpStatusCode: 500, requestId: 'req-500' },
  });
const denied = () =>
  new ECSServiceException({ name: 'AccessDeniedException', $fault: 'client', message: 'User: deployer is not authorized', $metadata: {} });

/** One `✖ …` line with a `  fix: …` line after it, and no stack frame anywhere. */
function expectOneLineAndFix(out: string, context: string): void {
  expectWith(out, context).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
  expectWith(out, context).not.toMatch(/\n\s+at /);
  expectWith(out, context).toMatch(/✖ [^\n]+\n {2,4}fix: \S/);
}

const COMMANDS: [string[], ExitCode, ExitCode][] = [
  // argv, exit code when every call fails with a bare 5xx, exit code when every call is denied
  [['deploy'], ExitCode.Error, ExitCode.Preflight],
  [['status'], ExitCode.Error, ExitCode.Preflight],
  [['logs', 'reader'], ExitCode.Error, ExitCode.Preflight],
  [['logs', 'reader', '--follow', '--follow-for', '5s'], ExitCode.Error, ExitCode.Preflight],
  [['history', 'reader'], ExitCode.Error, ExitCode.Preflight],
  [['rollback', 'reader'], ExitCode.Error, ExitCode.Preflight],
  [['migrate'], ExitCode.Error, ExitCode.Preflight],
  [['verify'], ExitCode.Preflight, ExitCode.Preflight],
  [['diff', 'reader'], ExitCode.Error, ExitCode.Preflight],
  [['pause', '--yes'], ExitCode.Error, ExitCode.Preflight],
  // resume polls the database and retries a 5xx with backoff until --timeout: the timeout code
  [['resume', '--timeout', '1m'], ExitCode.Timeout, ExitCode.Preflight],
];

describe('every command, every AWS call failing', () => {
  it.each(COMMANDS)('%j: one line and a fix, the documented exit code (bare 5xx, access denied)', async (argv, bareCode, deniedCode) => {
    for (const [error, code] of [
      [bare, bareCode],
      [denied, deniedCode],
    ] as const) {
      aws.restore();
      aws = new FakeAws();
      aws.failEverything(error);
      const h = makeHarness({ aws });
      const exit = await cli(h, ...argv);
      const out = h.stderr() + h.stdout();
      expectWith(exit, out).toBe(code);
      expectOneLineAndFix(out, `${argv.join(' ')} (${error().name})`);
      expectWith(out, out).not.toMatch(/✖ [^\n]*: $/m); // a failed step names its cause too
    }
  });

  it('with the listr renderer too (a TTY)', async () => {
    aws.failEverything(bare);
    const h = makeHarness({ aws, interactive: true });
    expect(await cli(h, 'deploy')).toBe(ExitCode.Error);
    expect(h.stderr()).toContain(
      '✖ AWS answered InternalFailure with no message (HTTP 500, request id req-500)\n  fix: an AWS-side failure',
    );
    expectOneLineAndFix(h.stderr(), 'listr');
  });
});

describe('AWS failing in the middle of a deploy', () => {
  it('RegisterTaskDefinition failing for the migrate family: one line, nothing rolled out', async () => {
    aws.ecs.on(RegisterTaskDefinitionCommand).rejects(bare());
    const h = makeHarness({ aws });
    expect(await cli(h, 'deploy')).toBe(ExitCode.Error);
    expectOneLineAndFix(h.stderr(), h.stderr());
    expect(aws.commandNames()).not.toContain('UpdateService');
  });

  it('the migration waiter seeing only errors ends in one line about the task, not its JSON', async () => {
    aws.ecs.on(DescribeTasksCommand).rejects(denied());
    const h = makeHarness({ aws });
    expect(await cli(h, 'deploy', '--migration-timeout', '1s')).toBe(ExitCode.Preflight);
    expect(h.stderr()).toMatch(/✖ access denied: User: deployer is not authorized\n {2}fix: grant the deploy role/);
    expect(h.stderr()).not.toContain('"state"');
    expectOneLineAndFix(h.stderr(), h.stderr());
    expect(aws.commandNames()).not.toContain('UpdateService');
  });

  it('DescribeServices failing while following: the deploy rolls back and says the rollback did not settle (8)', async () => {
    let n = 0;
    // the fake answers preflight's DescribeServices; every later one is denied
    aws.ecs.on(DescribeServicesCommand).callsFake(async (input: { services?: string[] }) => {
      if (++n <= 1) return aws.describeServices(input.services ?? []);
      throw denied();
    });
    const h = makeHarness({ aws });
    expect(await cli(h, 'deploy', '--service', 'reader')).toBe(ExitCode.RollbackFailed);
    expect(h.stderr()).toMatch(/✖ Roll out library-dev-reader library-dev-reader:8: following the deployment failed: access denied/);
    expect(h.stdout()).toMatch(/ROLLBACK-FAILED/);
    expect(h.stderr() + h.stdout()).not.toMatch(/\n\s+at /);
  });

  it('the migration task never stopping within --migration-timeout: exit 5 with the stop-task command', async () => {
    aws.migrationHangs = true;
    const h = makeHarness({ aws });
    expect(await cli(h, 'deploy', '--migration-timeout', '1s')).toBe(ExitCode.Migration);
    expect(h.stderr()).toMatch(
      /✖ the migration task mig\d+ did not stop within 1s \(last status RUNNING\)\n {2}fix: no service was changed; .*aws ecs stop-task/,
    );
    expect(aws.commandNames()).not.toContain('UpdateService');
  });
});

describe('usage errors', () => {
  it('a mistyped command is unknown, with the nearest one suggested, exit 2 (not "too many arguments for deploy")', async () => {
    const h = makeHarness({ aws });
    expect(await h.run(['statuss', '--env', 'dev'])).toBe(ExitCode.Usage);
    expect(h.stderr()).toContain("error: unknown command 'statuss'\n(Did you mean status?)");
    expect(h.stderr()).not.toContain('too many arguments');
    expect(aws.calls).toEqual([]);
  });

  it('options first still mean `deploy` (the default command), and --help lists the commands', async () => {
    const h = makeHarness({ aws });
    expect(await h.run(['--targets', FIXTURE, '--set', `app_url=${APP_URL}`, '--dry-run'])).toBe(ExitCode.Ok);
    expect(h.stdout()).toContain('Dry run: nothing was built');
    const help = makeHarness({ aws });
    expect(await help.run(['--help'])).toBe(ExitCode.Ok);
    expect(help.stdout()).toMatch(/Commands:[\s\S]*deploy \[options\][\s\S]*status/);
  });
});
