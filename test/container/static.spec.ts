import { describe, expect, it } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { optionalDefault } from '../../scripts/terraform-defaults.mjs';
import { STOP_TIMEOUT_SECONDS, TASK_MEMORY_MIB } from './support/containers.js';
import { repoRoot } from './support/runtime.js';

/**
 * What a build or a container run cannot tell (npm run test:images does the rest, for real): the image builds
 * for another platform without emulation, and the local stack and the images suite give the services what
 * the Fargate task gives them, on the RDS instance's PostgreSQL major.
 */

const read = (path: string): string => readFileSync(join(repoRoot, path), 'utf8');

/** Every PostgreSQL major Terraform pins (engine_version defaults and assignments, in every .tf file). */
function terraformPostgresMajors(): string[] {
  const files = readdirSync(join(repoRoot, 'terraform'), { recursive: true, encoding: 'utf8' }).filter(
    (file) => file.endsWith('.tf') && !file.includes('.terraform/'),
  );
  const versions = files.flatMap((file) => {
    const hcl = read(join('terraform', file));
    return [
      ...hcl.matchAll(/variable\s+"(?:\w*_)?engine_version"\s*\{[^}]*?\bdefault\s*=\s*"([^"]+)"/g),
      ...hcl.matchAll(/\bengine_version\s*=\s*"([^"$]+)"/g),
      // An object input's default: engine_version = optional(string, "17") (modules/database's `instance`).
      ...hcl.matchAll(/\bengine_version\s*=\s*optional\(string,\s*"([^"]+)"\)/g),
    ].map((match) => match[1]!.split('.')[0]!);
  });
  return [...new Set(versions)];
}

describe('the Dockerfile', () => {
  const stages = read('Dockerfile')
    .split(/^(?=FROM\s)/m)
    .slice(1);

  it('builds for another platform without emulation: build and deps stages on the build platform, no RUN in the runtime stage', () => {
    const runtime = stages.at(-1)!;
    expect(runtime).toMatch(/^FROM \$\{BASE_IMAGE\} AS runtime\n/); // no --platform: the target platform's node
    expect(runtime.match(/^RUN\b.*$/gm)).toBeNull();
    // Each build stage runs on the build platform: named so, or built FROM an earlier stage that is.
    const onBuildPlatform = new Set<string>();
    for (const stage of stages.slice(0, -1)) {
      const [, platform, from, name] = /^FROM (--platform=\$BUILDPLATFORM )?(\S+) AS (\S+)\n/.exec(stage) ?? [];
      expect({ stage: name, onBuildPlatform: !!platform || onBuildPlatform.has(from!) }).toEqual({ stage: name, onBuildPlatform: true });
      onBuildPlatform.add(name!);
    }
  });

  it('on the Node major that CI and the test suites run (.nvmrc)', () => {
    expect(/^ARG NODE_MAJOR=(\d+)$/m.exec(read('Dockerfile'))?.[1]).toBe(read('.nvmrc').trim());
  });

  it('installs with `npm ci --ignore-scripts` only (the lockfile, no install scripts)', () => {
    const installs = read('Dockerfile')
      .split('\n')
      .filter((line) => !line.trimStart().startsWith('#') && /\bnpm (ci|install|i)\b/.test(line));
    expect(installs.length).toBeGreaterThanOrEqual(2);
    for (const install of installs) expect(install).toMatch(/\bnpm ci\b.*--ignore-scripts/);
  });
});

describe('docker-compose.yml and the images suite run the services as the Fargate task does', () => {
  const compose = parse(read('docker-compose.yml'), { merge: true }) as {
    services: Record<string, Record<string, any>>;
  };
  // modules/service's `task` object: the task definition's memory and stop timeout unless an env sets them.
  const memoryMiB = Number(optionalDefault('terraform/modules/service/variables.tf', 'memory'));
  const stopTimeout = Number(optionalDefault('terraform/modules/service/variables.tf', 'stop_timeout'));

  it('on the PostgreSQL major of the RDS instance in Terraform', () => {
    const major = /^postgres:(\d+)$/.exec(compose.services.db!.image)?.[1];
    expect(major).toBeDefined();
    expect(terraformPostgresMajors()).toEqual([major]);
  });

  it.each(['migrate', 'reader', 'writer'])(
    '%s: read-only root with /tmp, init, no capabilities, the task’s memory and stop timeout',
    (name) => {
      const service = compose.services[name]!;
      expect(service).toMatchObject({
        read_only: true,
        tmpfs: ['/tmp'],
        init: true,
        cap_drop: ['ALL'],
        security_opt: ['no-new-privileges:true'],
        stop_grace_period: `${stopTimeout}s`,
        deploy: { resources: { limits: { memory: `${memoryMiB}M` } } },
      });
    },
  );

  it('the images suite uses the same memory and stop timeout as the task definition', () => {
    expect({ TASK_MEMORY_MIB, STOP_TIMEOUT_SECONDS }).toEqual({ TASK_MEMORY_MIB: memoryMiB, STOP_TIMEOUT_SECONDS: stopTimeout });
  });

  it('publishes every port on 127.0.0.1 only', () => {
    const ports = Object.values(compose.services).flatMap((service) => (service.ports ?? []) as string[]);
    expect(ports.length).toBeGreaterThan(0);
    expect(ports.filter((port) => !port.startsWith('127.0.0.1:'))).toEqual([]);
  });
});

describe('docker-compose.yml traces like the ECS task with tracing on (terraform/modules/service/tracing.tf)', () => {
  const compose = parse(read('docker-compose.yml'), { merge: true }) as { services: Record<string, Record<string, any>> };
  const tracingTf = read('terraform/modules/service/tracing.tf');
  /** The app container's OTEL_* variables in the task: the keys of local.tracing_environment. */
  const taskVariables = [
    .../tracing_environment = local\.tracing \? \{([^}]*)\}/.exec(tracingTf)![1]!.matchAll(/^\s*(OTEL_\w+)\s*=/gm),
  ].map((match) => match[1]);
  const collectorConfig = parse(read('docker/otel-collector/config.yaml')) as Record<string, any>;

  it.each(['reader', 'writer'])('%s gets the task’s OTEL_* variables, pointing at the collector', (name) => {
    const environment = compose.services[name]!.environment as Record<string, string>;
    expect(taskVariables.sort()).toEqual([
      'OTEL_EXPORTER_OTLP_ENDPOINT',
      'OTEL_SERVICE_NAME',
      'OTEL_TRACES_SAMPLER',
      'OTEL_TRACES_SAMPLER_ARG',
    ]);
    expect(
      Object.keys(environment)
        .filter((key) => key.startsWith('OTEL_'))
        .sort(),
    ).toEqual(taskVariables);
    expect(environment).toMatchObject({
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://otel-collector:4318',
      OTEL_TRACES_SAMPLER: /OTEL_TRACES_SAMPLER\s*=\s*"([^"]+)"/.exec(tracingTf)![1],
      OTEL_SERVICE_NAME: `library-local-${name}`,
    });
    expect(compose.services[name]!.depends_on).toMatchObject({ 'otel-collector': { condition: 'service_started' } });
  });

  it('runs the collector Terraform pins for the sidecar, as the task runs it', () => {
    const imagePath = /image_path\s*=\s*optional\(string,\s*"([^"]+)"\)/.exec(read('terraform/modules/service/variables.tf'))![1];
    const user = /otel_collector_user\s*=\s*"(\d+)"/.exec(tracingTf)![1];
    expect(compose.services['otel-collector']).toMatchObject({
      image: `public.ecr.aws/${imagePath}`,
      user,
      read_only: true,
      cap_drop: ['ALL'],
      security_opt: ['no-new-privileges:true'],
      healthcheck: { test: ['CMD', '/healthcheck'] },
    });
  });

  it('the collector takes OTLP/HTTP on 4318 and sends every trace to Jaeger, whose UI is on 127.0.0.1:16686', () => {
    expect(collectorConfig.receivers.otlp.protocols.http.endpoint).toBe('0.0.0.0:4318');
    const exporters = collectorConfig.service.pipelines.traces.exporters as string[];
    expect(exporters.map((exporter) => collectorConfig.exporters[exporter].endpoint)).toEqual(['http://jaeger:4318']);
    const volume = (compose.services['otel-collector']!.volumes as string[])[0]!;
    expect(volume).toBe('./docker/otel-collector/config.yaml:/etc/otel-collector/config.yaml:ro');
    expect(compose.services['otel-collector']!.command).toEqual(['--config=/etc/otel-collector/config.yaml']);
    expect(compose.services.jaeger!.command).toContain('--set=receivers.otlp.protocols.http.endpoint=0.0.0.0:4318');
    expect(compose.services.jaeger!.ports).toEqual(['127.0.0.1:16686:16686']);
  });
});
