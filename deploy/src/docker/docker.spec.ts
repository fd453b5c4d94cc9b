import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { BIN_DIR } from '../../test/harness.js';
import { DockerCli, DockerError } from './docker.js';

function docker(fail?: string) {
  const log = join(mkdtempSync(join(tmpdir(), 'docker-')), 'log.jsonl');
  const env = { PATH: `${BIN_DIR}:${process.env.PATH}`, FAKE_DOCKER_LOG: log, ...(fail ? { FAKE_DOCKER_FAIL: fail } : {}) };
  return {
    cli: new DockerCli('docker', env),
    calls: () =>
      readFileSync(log, 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { args: string[]; passwordOnStdin?: boolean }),
  };
}

describe('DockerCli (fake docker on PATH)', () => {
  it('logs in with the password on stdin, never in argv', async () => {
    const d = docker();
    await d.cli.login('123.dkr.ecr.eu-west-1.amazonaws.com', 'AWS', 's3cret');
    expect(d.calls()).toEqual([
      { args: ['login', '--username', 'AWS', '--password-stdin', '123.dkr.ecr.eu-west-1.amazonaws.com'], passwordOnStdin: true },
    ]);
    expect(JSON.stringify(d.calls())).not.toContain('s3cret');
  });

  it('builds with buildx for the platform and the app build arg, and reads the repo digest', async () => {
    const d = docker();
    const lines: string[] = [];
    await d.cli.build({ app: 'writer', image: 'r/writer:abc', platform: 'linux/arm64', context: '/repo', onLine: (l) => lines.push(l) });
    expect(d.calls()[0]!.args).toEqual([
      'buildx',
      'build',
      '--platform',
      'linux/arm64',
      '--build-arg',
      'APP=writer',
      '--tag',
      'r/writer:abc',
      '--load',
      '--progress',
      'plain',
      '/repo',
    ]);
    expect(lines).toContain('#12 exporting to image');
    expect(await d.cli.repoDigest('r/writer:abc')).toMatch(/^r\/writer@sha256:[0-9a-f]{64}$/);
  });

  it('reports a build failure with docker’s last line', async () => {
    const err = (await docker('build')
      .cli.build({ app: 'reader', image: 'r:1', platform: 'linux/amd64', context: '.' })
      .catch((e: unknown) => e)) as DockerError;
    expect(err).toBeInstanceOf(DockerError);
    expect(err.step).toBe('build');
    expect(err.message).toMatch(/docker buildx failed \(exit 1\): ERROR: failed to solve/);
  });

  it('a missing docker binary is a daemon error', async () => {
    const err = (await new DockerCli('/nonexistent/docker').ping().catch((e: unknown) => e)) as DockerError;
    expect(err.step).toBe('daemon');
  });
});
