/**
 * Runs the real CLI program against the mocks, to show what a user sees — no AWS, no docker, no network:
 * AWS SDK clients are mocked with aws-sdk-client-mock (FakeAws), `docker` and `terraform` are the fakes in
 * deploy/test/bin on PATH, and the ALB is a local server on 127.0.0.1.
 *
 *   npx tsx deploy/test/demo.ts happy          # npm run deploy -- --env dev, everything works
 *   npx tsx deploy/test/demo.ts rollback       # the writer's new revision crashes; the breaker rolls back
 *   npx tsx deploy/test/demo.ts <scenario> -- <extra CLI args>   e.g. -- --json, -- --atomic, -- status
 * Other scenarios: max-failed, timeout, migration-fails, unhealthy, broken, paused, just-paused, terraform-changed.
 *   npx tsx deploy/test/demo.ts canary         # npm run deploy -- --env prod: ECS canary, 10 % for 5 min, bake 10 min
 *   npx tsx deploy/test/demo.ts canary-alarm   # the writer's 5xx alarm fires during the bake; ECS rolls back
 *   npx tsx deploy/test/demo.ts canary-hook    # the reader's lifecycle hook fails on test traffic; ECS rolls back
 *   npx tsx deploy/test/demo.ts init           # npm run deploy -- init --env dev --yes, in an empty account
 *   npx tsx deploy/test/demo.ts init-again     # the same, run a second time (the first run is not shown)
 *   npx tsx deploy/test/demo.ts destroy        # init (not shown), then npm run deploy -- destroy --env dev --yes
 * init and destroy run in a repository root of their own (a temporary folder), so backend.hcl never lands here.
 */
import { FakeAws, FIXTURES, SERVICE, type Behaviour } from './fake-aws.js';
import { makeHarness, makeSetupRoot, startAlb } from './harness.js';

const [scenario = 'happy', ...rest] = process.argv.slice(2);
const extra = rest[0] === '--' ? rest.slice(1) : rest;

// The SDK warns once per process that Node 20 support ends in 2027; keep the demo transcript to the CLI's own output.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
const env = scenario.startsWith('canary') ? 'prod' : 'dev';
const aws = new FakeAws(env);
if (scenario === 'canary-alarm')
  aws.serviceDeployments.tripAlarm.push({ service: aws.w.service.writer, stage: 'BAKE_TIME', alarm: `${aws.w.service.writer}-5xx-rate` });
if (scenario === 'canary-hook') aws.serviceDeployments.hookResults.set(aws.w.service.reader, 'FAILED');
const behaviours: Record<string, Partial<Record<'reader' | 'writer', Behaviour>>> = {
  happy: {},
  rollback: { writer: 'breaker' },
  'max-failed': { reader: 'failing' },
  timeout: { reader: 'hang' },
};
aws.behaviour = behaviours[scenario] ?? {};
if (scenario === 'migration-fails') aws.migrationExitCode = 1;
if (scenario === 'unhealthy') {
  aws.targetHealth[aws.w.tg.writer] = [
    { Target: { Id: '10.0.2.31', Port: 8000 }, TargetHealth: { State: 'healthy' } },
    {
      Target: { Id: '10.0.2.32', Port: 8000 },
      TargetHealth: { State: 'unhealthy', Reason: 'Target.Timeout', Description: 'Request timed out' },
    },
  ];
  aws.alarms.push({
    AlarmName: 'library-dev-writer-5xx',
    StateValue: 'ALARM',
    StateReason: 'Threshold Crossed: 1 datapoint [12.0 (27/11/26 12:00:00)] was greater than the threshold (5.0).',
  });
}
if (scenario === 'broken') {
  aws.missingLogGroups.add('/ecs/library-dev/writer');
  aws.missingRepositories.add('library/reader');
}
if (scenario === 'paused') aws.seedPaused('stopped');
// Terraform registered library-dev-writer:13 with new settings; its output names it (what --set stands in for)
const terraformSet: string[] = [];
if (scenario === 'terraform-changed') {
  const arn = aws.terraformRegisters(SERVICE.writer, (td) => {
    const c = td.containerDefinitions![0]!;
    c.environment!.find((e) => e.name === 'DB_SSL')!.value = 'require';
    c.environment!.push({ name: 'LOG_LEVEL', value: 'debug' });
    td.memory = '1024';
  });
  terraformSet.push('--set', `services.writer.task_definition_arn=${arn}`);
}
if (scenario === 'just-paused') {
  // `deploy resume` right after `deploy pause`: RDS is still stopping
  aws.seedPaused('stopping');
  aws.dbNext = { status: 'stopped', afterDescribes: 3 };
}
// A lived-in account for the day-two commands: older revisions, healthy targets, an alarm, some log lines.
aws.seedHistory();
aws.targetHealth[aws.w.tg.reader] = [
  { Target: { Id: '10.0.1.21', Port: 8000 }, TargetHealth: { State: 'healthy' } },
  { Target: { Id: '10.0.1.22', Port: 8000 }, TargetHealth: { State: 'healthy' } },
];
if (!aws.targetHealth[aws.w.tg.writer]!.length) {
  aws.targetHealth[aws.w.tg.writer] = [
    { Target: { Id: '10.0.2.31', Port: 8000 }, TargetHealth: { State: 'healthy' } },
    { Target: { Id: '10.0.2.32', Port: 8000 }, TargetHealth: { State: 'healthy' } },
  ];
}
aws.alarms.push({ AlarmName: 'library-dev-reader-5xx', StateValue: 'OK', StateReason: 'Threshold Crossed: no datapoints were received' });
aws.streams.set('ecs/reader/6f1e2d3c4b5a49788796a5b4c3d2e1f0', [
  '{"level":30,"time":1764244800000,"reqId":"req-1","req":{"method":"GET","url":"/books?limit=20"},"res":{"statusCode":200},"responseTime":7,"msg":"request completed"}',
  '{"level":40,"time":1764244801000,"reqId":"req-2","req":{"method":"GET","url":"/books/abc"},"res":{"statusCode":400},"msg":"id must be an integer"}',
]);
aws.liveTail = {
  events: [
    {
      logStreamName: 'ecs/reader/6f1e2d3c4b5a49788796a5b4c3d2e1f0',
      timestamp: Date.UTC(2026, 10, 27, 12, 1),
      message:
        '{"level":30,"reqId":"req-3","req":{"method":"GET","url":"/health/ready"},"res":{"statusCode":200},"msg":"request completed"}',
    },
  ],
};

const alb = await startAlb();
const setup = ['init', 'init-again', 'destroy'].includes(scenario);
if (setup) {
  aws.seedFreshApply();
  const root = makeSetupRoot();
  if (scenario !== 'init') {
    const quiet = makeHarness({ aws, setup: { root } });
    await quiet.run(['init', '--env', 'dev', '--yes', '--set', `app_url=${alb.url}`]);
  }
  const argv =
    scenario === 'destroy' ? ['destroy', '--env', 'dev', '--yes'] : ['init', '--env', 'dev', '--yes', '--set', `app_url=${alb.url}`];
  const h = makeHarness({
    aws,
    setup: { root },
    tee: { stdout: process.stdout, stderr: process.stderr },
    interactive: !!process.stderr.isTTY && !process.env.CI,
  });
  process.stderr.write(`$ npm run deploy -- ${[...argv, ...extra].join(' ')}\n`);
  const code = await h.run([...argv, ...extra]);
  process.stderr.write(`(exit code ${code})\n`);
  await alb.close();
  aws.restore();
  process.exit(code);
}
const h = makeHarness({
  aws,
  tee: { stdout: process.stdout, stderr: process.stderr },
  interactive: !!process.stderr.isTTY && !process.env.CI,
  env: { FAKE_TERRAFORM_OUTPUT: FIXTURES[env] },
});
const argv =
  extra.length && !extra[0]!.startsWith('-')
    ? [...extra, '--env', env, '--set', `app_url=${alb.url}`, ...terraformSet]
    : ['--env', env, '--set', `app_url=${alb.url}`, ...terraformSet, ...extra];
process.stderr.write(`$ npm run deploy -- ${argv.join(' ')}\n`);
const code = await h.run(argv);
process.stderr.write(`(exit code ${code})\n`);
await alb.close();
aws.restore();
process.exitCode = code;
