import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { expectWith } from '../support/expect-with.js';
import { type ComposeService, environmentOf, interpolate, loadCompose, memoryLimitBytes, portsOf } from './support/compose.js';
import { repoRoot } from './support/runtime-stage.js';

/** docker-compose.yml, parsed and interpolated the way Compose does, against the checklist. */

const text = readFileSync(join(repoRoot, 'docker-compose.yml'), 'utf8');
const compose = loadCompose(text, {});
const { services } = compose;
const apps = ['reader', 'writer'] as const;

function dependsOn(service: ComposeService): Record<string, string | undefined> {
  const deps = service.depends_on ?? {};
  return Array.isArray(deps)
    ? Object.fromEntries(deps.map((name) => [name, 'service_started']))
    : Object.fromEntries(Object.entries(deps).map(([name, dep]) => [name, dep.condition]));
}

function buildOf(service: ComposeService): { context?: string; dockerfile?: string; args?: Record<string, string> } {
  return typeof service.build === 'string' ? { context: service.build } : (service.build ?? {});
}

/** PostgreSQL majors the Terraform code pins (variable defaults and engine_version assignments). */
function terraformPostgresMajors(): string[] {
  const files: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.name === '.terraform') continue;
      if (entry.isDirectory()) walk(join(dir, entry.name));
      else if (entry.name.endsWith('.tf')) files.push(join(dir, entry.name));
    }
  };
  walk(join(repoRoot, 'terraform'));
  const versions: string[] = [];
  for (const file of files) {
    const hcl = readFileSync(file, 'utf8');
    for (const match of hcl.matchAll(/variable\s+"(?:\w*_)?engine_version"\s*\{[^}]*?\bdefault\s*=\s*"([^"]+)"/g)) versions.push(match[1]!);
    for (const match of hcl.matchAll(/\bengine_version\s*=\s*"([^"$]+)"/g)) versions.push(match[1]!);
  }
  return [...new Set(versions.map((version) => version.split('.')[0]!))];
}

describe('docker-compose.yml: the local copy of the AWS stack', () => {
  it('has exactly the five services of the issue and a named volume for the database', () => {
    expect(Object.keys(services).sort()).toEqual(['db', 'gateway', 'migrate', 'reader', 'writer']);
    expect(Object.keys(compose.volumes ?? {})).toEqual(['db-data']);
  });

  it('db: the PostgreSQL major of the RDS instance in Terraform, with a TCP healthcheck and the named volume', () => {
    const db = services.db!;
    const major = /^postgres:(\d+)(?:[.-]|$)/.exec(db.image ?? '')?.[1];
    expect(major).toBe('17');
    const terraform = terraformPostgresMajors();
    expectWith(terraform, 'engine_version found in terraform/').not.toEqual([]);
    expect(terraform).toEqual([major]);
    const test = db.healthcheck?.test as string[];
    expect(test[0]).toBe('CMD-SHELL');
    expect(test[1]).toMatch(/^pg_isready -h 127\.0\.0\.1 /);
    expect(test[1]).toContain('${POSTGRES_USER}'); // $$ in the file: left for the container's shell
    expect(db.volumes).toEqual(['db-data:/var/lib/postgresql/data']);
  });

  it('takes credentials from the environment with local defaults, the same for the database and the services', () => {
    expect(text).toContain('${DB_PASSWORD:-password}');
    for (const [env, expected] of [
      [{}, { DB_USER: 'postgres', DB_PASSWORD: 'password', DB_NAME: 'library_db' }],
      [
        { DB_USER: 'books', DB_PASSWORD: 's3cret', DB_NAME: 'books_db' },
        { DB_USER: 'books', DB_PASSWORD: 's3cret', DB_NAME: 'books_db' },
      ],
    ] as const) {
      const resolved = loadCompose(text, env).services;
      expect(environmentOf(resolved.db!)).toMatchObject({
        POSTGRES_USER: expected.DB_USER,
        POSTGRES_PASSWORD: expected.DB_PASSWORD,
        POSTGRES_DB: expected.DB_NAME,
      });
      for (const name of ['migrate', 'reader', 'writer']) {
        expectWith(environmentOf(resolved[name]!), name).toMatchObject({ DB_HOST: 'db', DB_PORT: '5432', ...expected });
      }
    }
  });

  it('migrate: a one-shot `migrate` from the writer image, after the database is healthy', () => {
    const migrate = services.migrate!;
    expect(buildOf(migrate)).toEqual(buildOf(services.writer!));
    expect(buildOf(migrate).args).toEqual({ APP: 'writer' });
    expect(migrate.image).toBe(services.writer!.image);
    expect(migrate.command).toEqual(['migrate']);
    expect(dependsOn(migrate)).toEqual({ db: 'service_healthy' });
    expect(migrate.restart).toBe('no');
    expect(migrate.ports ?? []).toEqual([]);
  });

  it.each(apps)('%s: its own image, started only after migrate succeeded', (name) => {
    const service = services[name]!;
    expect(buildOf(service)).toEqual({ context: '.', args: { APP: name } });
    expect(existsSync(join(repoRoot, buildOf(service).context!, buildOf(service).dockerfile ?? 'Dockerfile'))).toBe(true);
    expect(service.image).toBe(`library-${name}:local`);
    expect([undefined, ['serve']]).toContainEqual(service.command);
    expect(dependsOn(service)).toEqual({ migrate: 'service_completed_successfully' });
  });

  it('reader on 8000 and writer on 8001 (loopback only), each listening on PORT 8000 inside as on Fargate', () => {
    expect(portsOf(services.reader!)).toEqual([{ hostIp: '127.0.0.1', published: 8000, target: 8000 }]);
    expect(portsOf(services.writer!)).toEqual([{ hostIp: '127.0.0.1', published: 8001, target: 8000 }]);
    for (const name of apps) expect(environmentOf(services[name]!).PORT).toBe('8000');
    for (const service of Object.values(services)) {
      for (const port of portsOf(service)) expect(port.hostIp).toBe('127.0.0.1');
    }
  });

  it.each(apps)('%s: a /health/ready healthcheck run by node (the image has no curl)', (name) => {
    const healthcheck = services[name]!.healthcheck!;
    const test = healthcheck.test as string[];
    expect(test.slice(0, 3)).toEqual(['CMD', 'node', '-e']);
    expect(test[3]).toContain("fetch('http://127.0.0.1:'+process.env.PORT+'/health/ready')");
    expect(healthcheck).toMatchObject({ interval: '5s', retries: 5, start_period: '30s' });
  });

  it.each(['migrate', 'reader', 'writer'])(
    '%s: the Fargate task’s limits: 512 MiB, read-only root with /tmp tmpfs, init, no privileges',
    (name) => {
      const service = services[name]!;
      expect(memoryLimitBytes(service)).toBe(512 * 1024 * 1024);
      expect(service.read_only).toBe(true);
      expect(([] as string[]).concat(service.tmpfs ?? [])).toContain('/tmp');
      expect(service.init).toBe(true);
      expect(service.cap_drop).toEqual(['ALL']);
      expect(service.security_opt).toEqual(['no-new-privileges:true']);
      expect(service.stop_grace_period).toBe('30s');
    },
  );

  it('builds linux/amd64 images by default, like the default Fargate cpu_architecture, and arm64 on request', () => {
    for (const name of ['migrate', 'reader', 'writer']) {
      expect(services[name]!.platform).toBe('linux/amd64');
      expect(loadCompose(text, { DOCKER_DEFAULT_PLATFORM: 'linux/arm64' }).services[name]!.platform).toBe('linux/arm64');
    }
  });

  it('gateway: nginx on 8080 with docker/gateway/nginx.conf, after both services are healthy', () => {
    const gateway = services.gateway!;
    expect(gateway.image).toMatch(/^nginx:\d+\.\d+-alpine$/);
    expect(gateway.volumes).toEqual(['./docker/gateway/nginx.conf:/etc/nginx/nginx.conf:ro']);
    expect(existsSync(join(repoRoot, 'docker/gateway/nginx.conf'))).toBe(true);
    expect(portsOf(gateway)).toEqual([{ hostIp: '127.0.0.1', published: 8080, target: 8080 }]);
    expect(dependsOn(gateway)).toEqual({ reader: 'service_healthy', writer: 'service_healthy' });
  });

  it('gateway config points at the services’ compose names and PORTs and listens on the published target', () => {
    const nginx = readFileSync(join(repoRoot, 'docker/gateway/nginx.conf'), 'utf8');
    for (const name of apps) {
      expect(nginx).toContain(`upstream ${name} {\n    server ${name}:${environmentOf(services[name]!).PORT};`);
    }
    expect(nginx).toMatch(new RegExp(`\\n\\s*listen ${portsOf(services.gateway!)[0]!.target};`));
  });
});

describe('Compose interpolation as the tests apply it', () => {
  it('handles defaults, unset variables and $$', () => {
    expect(interpolate('${A:-x} ${A-y} ${B:-z} $$B ${B}', { A: '', B: 'b' })).toBe('x  b $B b');
    expect(() => interpolate('${NEEDED:?set NEEDED}', {})).toThrow('NEEDED: set NEEDED');
  });
});
