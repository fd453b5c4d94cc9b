import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { chmodSync, closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../../scripts/embedded-postgres.mjs';
import { waitForOk } from '../../support/process.js';
import { substitute } from './nginx-config.js';
import { repoRoot } from './runtime.js';

/** The nginx binary (Debian's nginx-light in CI, installed by .ci/run), or undefined. */
export function findNginx(): string | undefined {
  const which = spawnSync('sh', ['-c', 'command -v nginx'], { encoding: 'utf8' });
  if (which.status === 0 && which.stdout.trim()) return which.stdout.trim();
  return ['/usr/sbin/nginx', '/usr/local/sbin/nginx', '/opt/homebrew/bin/nginx'].find((path) => existsSync(path));
}

export interface RunningNginx {
  child: ChildProcess;
  prefix: string;
  output: () => string;
  stdout: () => string;
  stop: () => Promise<void>;
}

/**
 * Runs nginx in the foreground (`daemon off`) with a temporary prefix and its own process group, so stop()
 * ends the master and its workers together. The config is checked with `nginx -t` first.
 */
export async function startNginx(binary: string, config: string): Promise<RunningNginx> {
  const prefix = mkdtempSync(join(tmpdir(), 'library-gateway-'));
  chmodSync(prefix, 0o755); // run as root, nginx's workers are unprivileged and use temp folders under the prefix
  const configPath = join(prefix, 'nginx.conf');
  writeFileSync(configPath, config);
  // The config logs to /dev/stdout and /dev/stderr, which cannot be opened on the socket pairs Node uses
  // for piped stdio (ENXIO); Docker gives nginx pipes or files. Files it is.
  const stdoutPath = join(prefix, 'stdout.log');
  const stderrPath = join(prefix, 'stderr.log');
  const stdoutFd = openSync(stdoutPath, 'a');
  const stderrFd = openSync(stderrPath, 'a');
  const read = (path: string): string => (existsSync(path) ? readFileSync(path, 'utf8') : '');
  const args = ['-p', `${prefix}/`, '-c', configPath, '-e', 'stderr'];
  const test = spawnSync(binary, [...args, '-t', '-g', `pid ${prefix}/nginx.pid;`], {
    stdio: ['ignore', stdoutFd, stderrFd],
    timeout: 10_000,
  });
  if (test.status !== 0) {
    closeSync(stdoutFd);
    closeSync(stderrFd);
    const output = read(stderrPath);
    rmSync(prefix, { recursive: true, force: true });
    throw new Error(`nginx -t rejected the gateway config:\n${output}`);
  }

  const child = spawn(binary, [...args, '-g', `daemon off; pid ${prefix}/nginx.pid;`], {
    stdio: ['ignore', stdoutFd, stderrFd],
    detached: true,
  });
  closeSync(stdoutFd);
  closeSync(stderrFd);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const killGroup = (signal: NodeJS.Signals): void => {
    try {
      process.kill(-child.pid!, signal);
    } catch {
      // already gone
    }
  };
  return {
    child,
    prefix,
    output: () => read(stdoutPath) + read(stderrPath),
    stdout: () => read(stdoutPath),
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        killGroup('SIGTERM'); // nginx: fast shutdown
        const timer = setTimeout(() => killGroup('SIGKILL'), 5_000);
        await exited;
        clearTimeout(timer);
      }
      killGroup('SIGKILL'); // any worker that outlived its master
      rmSync(prefix, { recursive: true, force: true });
    },
  };
}

export interface RecordedRequest {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
}

export interface RecordingProxy {
  port: number;
  requests: RecordedRequest[];
  close: () => Promise<void>;
}

/**
 * A transparent HTTP hop in front of a service that records what arrives (method, path, headers): the
 * gateway's upstream is pointed here, so a test sees exactly what the service receives from nginx.
 */
export async function startRecordingProxy(target: string): Promise<RecordingProxy> {
  const requests: RecordedRequest[] = [];
  const targetUrl = new URL(target);
  const server = http.createServer((req, res) => {
    requests.push({ method: req.method!, url: req.url!, headers: { ...req.headers } });
    const upstream = http.request(
      { host: targetUrl.hostname, port: targetUrl.port, method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode!, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', (error) => {
      res.writeHead(599, { 'content-type': 'text/plain' });
      res.end(`recording proxy: ${error.message}`);
    });
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * The compose gateway (docker/gateway/nginx.conf) in a real nginx on a free local port, in front of the reader
 * and the writer listening on these local ports; resolved once it answers /health. When it does not, nginx is
 * stopped and the error carries its output.
 */
export async function startGateway(
  binary: string,
  upstreams: { reader: number; writer: number },
): Promise<{ nginx: RunningNginx; url: string }> {
  const port = await freePort();
  const config = substitute(readFileSync(join(repoRoot, 'docker/gateway/nginx.conf'), 'utf8'), [
    ['server reader:8000;', `server 127.0.0.1:${upstreams.reader};`],
    ['server writer:8000;', `server 127.0.0.1:${upstreams.writer};`],
    ['listen 8080;', `listen 127.0.0.1:${port};`],
  ]);
  const nginx = await startNginx(binary, config);
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitForOk(`${url}/health`, 10_000);
  } catch (error) {
    await nginx.stop();
    throw new Error(`${(error as Error).message}\n${nginx.output()}`);
  }
  return { nginx, url };
}
