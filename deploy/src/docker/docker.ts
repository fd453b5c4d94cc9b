import { exec } from '../exec.js';

export interface BuildRequest {
  /** reader | writer, passed as --build-arg APP=… to the one Dockerfile. */
  app: string;
  /** repo:tag */
  image: string;
  platform: string;
  context: string;
  dockerfile?: string;
  onLine?: (line: string) => void;
}

/** Everything the CLI asks of docker. Tests use the real implementation with a fake `docker` on PATH. */
export interface DockerRunner {
  /** Throws DockerError when the daemon is not reachable. */
  ping(): Promise<void>;
  login(registry: string, username: string, password: string): Promise<void>;
  build(req: BuildRequest): Promise<void>;
  push(image: string, onLine?: (line: string) => void): Promise<void>;
  /** `repo@sha256:…` of a pushed image, from its RepoDigests. */
  repoDigest(image: string): Promise<string>;
  /** `docker pull --platform <platform> <image>` (the collector mirror: the task's architecture, not the host's). */
  pull(image: string, platform: string, onLine?: (line: string) => void): Promise<void>;
  /** `docker tag <source> <target>`. */
  tag(source: string, target: string): Promise<void>;
}

export class DockerError extends Error {
  override readonly name = 'DockerError';
  constructor(
    readonly step: 'daemon' | 'login' | 'build' | 'push' | 'inspect' | 'pull' | 'tag',
    message: string,
    readonly output: string,
  ) {
    super(message);
  }
}

function tail(text: string, lines = 8): string {
  return text.trim().split('\n').slice(-lines).join('\n');
}

export class DockerCli implements DockerRunner {
  constructor(
    private readonly bin = 'docker',
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {}

  private async run(step: DockerError['step'], args: string[], opts: { input?: string; onLine?: (l: string) => void } = {}) {
    let res;
    try {
      res = await exec(this.bin, args, { env: this.env, ...opts });
    } catch (err) {
      throw new DockerError('daemon', `cannot run docker: ${(err as Error).message}`, '');
    }
    if (res.code !== 0) {
      const out = tail(res.stderr || res.stdout);
      throw new DockerError(step, `docker ${args[0]} failed (exit ${res.code}): ${out.split('\n').pop() ?? ''}`, out);
    }
    return res;
  }

  async ping(): Promise<void> {
    await this.run('daemon', ['info', '--format', '{{.ServerVersion}}']);
  }

  async login(registry: string, username: string, password: string): Promise<void> {
    await this.run('login', ['login', '--username', username, '--password-stdin', registry], { input: password });
  }

  async build(req: BuildRequest): Promise<void> {
    const args = [
      'buildx',
      'build',
      '--platform',
      req.platform,
      '--build-arg',
      `APP=${req.app}`,
      '--tag',
      req.image,
      '--load',
      '--progress',
      'plain',
    ];
    if (req.dockerfile) args.push('--file', req.dockerfile);
    args.push(req.context);
    await this.run('build', args, { onLine: req.onLine });
  }

  async push(image: string, onLine?: (line: string) => void): Promise<void> {
    await this.run('push', ['push', image], { onLine });
  }

  async pull(image: string, platform: string, onLine?: (line: string) => void): Promise<void> {
    await this.run('pull', ['pull', '--platform', platform, image], { onLine });
  }

  async tag(source: string, target: string): Promise<void> {
    await this.run('tag', ['tag', source, target]);
  }

  async repoDigest(image: string): Promise<string> {
    const res = await this.run('inspect', ['image', 'inspect', '--format', '{{json .RepoDigests}}', image]);
    const digests = JSON.parse(res.stdout.trim() || '[]') as string[];
    const repo = image.slice(0, image.lastIndexOf(':'));
    const match = digests.find((d) => d.startsWith(`${repo}@`)) ?? digests[0];
    if (!match) throw new DockerError('inspect', `no repo digest for ${image} after push`, res.stdout);
    return match;
  }
}
