/**
 * Runs the real CLI program against the mocks, to show what a user sees — no AWS, no docker, no network:
 * AWS SDK clients are mocked with aws-sdk-client-mock (FakeAws), `docker` and `terraform` are the fakes in
 * deploy/test/bin on PATH, and the ALB is a local server on 127.0.0.1.
 *
 *   npx tsx deploy/test/demo.ts happy          # npm run deploy -- --env dev, everything works
 *   npx tsx deploy/test/demo.ts rollback       # the writer's new revision crashes; the breaker rolls back
 *   npx tsx deploy/test/demo.ts <scenario> -- <extra CLI args>   e.g. -- --json, -- --atomic, -- status
 */
import { FakeAws, type Behaviour } from './fake-aws.js';
import { makeHarness, startAlb } from './harness.js';

const [scenario = 'happy', ...rest] = process.argv.slice(2);
const extra = rest[0] === '--' ? rest.slice(1) : rest;

// The SDK warns once per process that Node 20 support ends in 2027; keep the demo transcript to the CLI's own output.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
const aws = new FakeAws();
const behaviours: Record<string, Partial<Record<'reader' | 'writer', Behaviour>>> = {
  happy: {},
  rollback: { writer: 'breaker' },
  'max-failed': { reader: 'failing' },
  timeout: { reader: 'hang' },
};
aws.behaviour = behaviours[scenario] ?? {};
if (scenario === 'migration-fails') aws.migrationExitCode = 1;

const alb = await startAlb();
const h = makeHarness({ aws, tee: { stdout: process.stdout, stderr: process.stderr }, interactive: !!process.stderr.isTTY && !process.env.CI });
const argv = extra.length && !extra[0]!.startsWith('-') ? [...extra, '--env', 'dev', '--set', `app_url=${alb.url}`] : ['--env', 'dev', '--set', `app_url=${alb.url}`, ...extra];
process.stderr.write(`$ npm run deploy -- ${argv.join(' ')}\n`);
const code = await h.run(argv);
process.stderr.write(`(exit code ${code})\n`);
await alb.close();
aws.restore();
process.exitCode = code;
