import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { expectWith } from '../support/expect-with.js';
import {
  execForm,
  expand,
  globalArgValues,
  healthcheckCommand,
  instructionsOf,
  keyValues,
  parseDockerfile,
  resolvedImage,
  stageEnv,
  stageNamed,
} from './support/dockerfile.js';
import { imageContractViolations } from './support/image-contract.js';
import { repoRoot } from './support/runtime-stage.js';

/** The image contract (DESIGN.md "Container contract", RELIABILITY.md DP-9 and F-4), checked without an engine. */

const text = readFileSync(join(repoRoot, 'Dockerfile'), 'utf8');
const dockerfile = parseDockerfile(text);
const runtime = dockerfile.stages.at(-1)!;
const packageJson = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as {
  engines: { node: string };
  scripts: Record<string, string>;
};
const nodeMajor = readFileSync(join(repoRoot, '.nvmrc'), 'utf8').trim(); // the Node major CI and the image run

describe('the Dockerfile parser', () => {
  it('joins continuation lines, drops comments inside them, and keeps parser directives', () => {
    const parsed = parseDockerfile(
      [
        '# syntax=docker/dockerfile:1',
        '# a comment',
        'FROM node:20-slim AS base',
        'RUN echo one \\',
        '# dropped',
        '',
        '    && echo two   \\  ',
        '    && echo three',
        'CMD ["serve"]',
      ].join('\n'),
    );
    expect(parsed.directives).toEqual({ syntax: 'docker/dockerfile:1' });
    const [run, cmd] = parsed.stages[0]!.instructions;
    expect(run).toMatchObject({ keyword: 'RUN', args: 'echo one     && echo two       && echo three', line: 4 });
    expect(cmd).toMatchObject({ keyword: 'CMD', exec: ['serve'], line: 9 });
  });

  it('tells exec form from shell form, including the invalid-JSON fallback Docker applies', () => {
    expect(execForm('["node", "dist/main.js"]')).toEqual(['node', 'dist/main.js']);
    expect(execForm("['serve']")).toBeUndefined(); // single quotes: Docker runs it through /bin/sh -c
    expect(execForm('[1, 2]')).toBeUndefined();
    expect(execForm('node dist/main.js')).toBeUndefined();
  });

  it('reads flags, stage names, ENV pairs (both syntaxes), ARG defaults and HEALTHCHECK commands', () => {
    const parsed = parseDockerfile(
      [
        'ARG MAJOR=20',
        'ARG BASE=node:${MAJOR}-slim',
        'FROM --platform=$BUILDPLATFORM ${BASE} AS build',
        'RUN --mount=type=cache,target=/root/.npm npm ci',
        'FROM build AS final',
        'ENV A=1 B="two words" C=x\\ y',
        'ENV LEGACY some value',
        'HEALTHCHECK --interval=5s CMD ["node", "-e", "1"]',
      ].join('\n'),
    );
    const [build, final] = parsed.stages;
    expect(build).toMatchObject({ name: 'build', image: '${BASE}', platform: '$BUILDPLATFORM' });
    expect(resolvedImage(parsed, build!)).toBe('node:20-slim');
    expect(resolvedImage(parsed, build!, { MAJOR: '22' })).toBe('node:22-slim');
    expect(globalArgValues(parsed)).toEqual({ MAJOR: '20', BASE: 'node:20-slim' });
    expect(build!.instructions[0]).toMatchObject({ flags: { mount: 'type=cache,target=/root/.npm' }, args: 'npm ci' });
    expect(stageNamed(parsed, 'final')).toBe(final);
    expect(stageEnv(parsed, final!)).toEqual({ A: '1', B: 'two words', C: 'x y', LEGACY: 'some value' });
    const healthcheck = instructionsOf(final!, 'HEALTHCHECK')[0]!;
    expect(healthcheck.flags).toEqual({ interval: '5s' });
    expect(healthcheckCommand(healthcheck)).toEqual({ exec: ['node', '-e', '1'] });
    expect(keyValues({ keyword: 'ARG', args: 'APP', raw: 'APP', flags: {}, line: 1 })).toEqual({ APP: undefined });
    expect(expand('${A:-x}-${B:+y}-$C', { A: '', B: '1', C: 'c' })).toBe('x-y-c');
  });
});

describe('the Dockerfile meets the container contract', () => {
  it('violates none of the rules', () => {
    expect(imageContractViolations(text, { nodeMajor })).toEqual([]);
  });

  it('is one multi-stage file: build (npm ci + compile) on the build platform, production deps, runtime', () => {
    expect(dockerfile.stages.map((stage) => stage.name)).toEqual(['build', 'deps', 'runtime']);
    const build = stageNamed(dockerfile, 'build')!;
    expect(build.platform).toBe('$BUILDPLATFORM');
    const runs = instructionsOf(build, 'RUN').map((run) => run.args);
    expect(runs.some((run) => /^npm ci --ignore-scripts\b/.test(run))).toBe(true);
    // The same command as `npm run build`, which the test setup uses for the runtime-stage smoke test.
    expect(packageJson.scripts.build).toBe('nest build reader writer');
    expect(runs).toContain('npx nest build reader writer');
    expect(instructionsOf(stageNamed(dockerfile, 'deps')!, 'RUN').map((run) => run.args)).toEqual([
      'npm ci --omit=dev --omit=optional --ignore-scripts --no-audit --no-fund',
    ]);
  });

  it('pins every stage to the same node:<major>-bookworm-slim base, Node as in package.json engines', () => {
    const images = dockerfile.stages.map((stage) => resolvedImage(dockerfile, stage));
    expect(new Set(images)).toEqual(new Set([`node:${nodeMajor}-bookworm-slim`]));
    expect(resolvedImage(dockerfile, runtime, { NODE_MAJOR: '22' })).toBe('node:22-bookworm-slim');
  });

  it('builds for the target platform (linux/amd64 by default, linux/arm64 too) without emulation', () => {
    expect(runtime.platform).toBeUndefined();
    expect(instructionsOf(runtime, 'RUN')).toEqual([]);
    expect(
      instructionsOf(runtime, 'ARG')
        .map((arg) => Object.keys(keyValues(arg)))
        .flat(),
    ).toContain('TARGETPLATFORM');
  });

  it('runs as the non-root node user with NODE_ENV=production, PORT=8000, exec-form node entry and CMD serve', () => {
    expect(instructionsOf(runtime, 'USER').at(-1)!.args).toBe('node');
    expect(stageEnv(dockerfile, runtime)).toMatchObject({ NODE_ENV: 'production', PORT: '8000' });
    expect(instructionsOf(runtime, 'EXPOSE').map((expose) => expose.args)).toEqual(['8000']);
    expect(instructionsOf(runtime, 'ENTRYPOINT').at(-1)!.exec).toEqual(['node', 'dist/main.js']);
    expect(instructionsOf(runtime, 'CMD').at(-1)!.exec).toEqual(['serve']);
  });

  it('has a HEALTHCHECK that needs no curl: node fetches /health on 127.0.0.1:$PORT', () => {
    const healthcheck = instructionsOf(runtime, 'HEALTHCHECK').at(-1)!;
    const command = healthcheckCommand(healthcheck)!;
    expect(command.exec?.slice(0, 2)).toEqual(['node', '-e']);
    expect(command.exec![2]).toContain("fetch('http://127.0.0.1:'+(process.env.PORT||8000)+'/health')");
    expect(healthcheck.flags).toMatchObject({ interval: '30s', timeout: '5s', retries: '3' });
  });

  it('takes APP as a build arg and generates dist/main.js importing that app, next to dist/libs', () => {
    const build = stageNamed(dockerfile, 'build')!;
    expect(instructionsOf(build, 'ARG').some((arg) => 'APP' in keyValues(arg))).toBe(true);
    expect(instructionsOf(runtime, 'ARG').some((arg) => 'APP' in keyValues(arg))).toBe(true);
    const generate = instructionsOf(build, 'RUN').find((run) => run.args.includes('dist/main.js'))!;
    expect(generate.args).toContain(`import './apps/%s/src/main.js';`);
    expect(generate.args).toMatch(/case "\$APP" in reader\|writer\)/);
  });
});

describe('each contract rule catches a broken Dockerfile', () => {
  const cases: Array<[string, (dockerfile: string) => string, RegExp]> = [
    ['root user', (d) => d.replace('USER node', 'USER root'), /USER root is root/],
    ['no user', (d) => d.replace('USER node\n', ''), /no USER/],
    [
      'shell-form entry',
      (d) => d.replace('ENTRYPOINT ["node", "dist/main.js"]', 'ENTRYPOINT node dist/main.js'),
      /ENTRYPOINT is missing or in shell form/,
    ],
    ['npm start', (d) => d.replace('ENTRYPOINT ["node", "dist/main.js"]', 'ENTRYPOINT ["npm", "start"]'), /not node directly/],
    [
      'sh -c wrapper',
      (d) => d.replace('ENTRYPOINT ["node", "dist/main.js"]', 'ENTRYPOINT ["sh", "-c", "node dist/main.js"]'),
      /goes through npm or a shell/,
    ],
    ['single-quoted CMD', (d) => d.replace('CMD ["serve"]', "CMD ['serve']"), /CMD is missing or in shell form/],
    ['CMD migrate', (d) => d.replace('CMD ["serve"]', 'CMD ["migrate"]'), /not \["serve"\]/],
    ['development mode', (d) => d.replace('NODE_ENV=production', 'NODE_ENV=development'), /NODE_ENV is "development"/],
    [
      'curl health check',
      (d) => d.replace(/ {2}CMD \["node", "-e".*\n/, '  CMD curl -f http://127.0.0.1:8000/health\n'),
      /HEALTHCHECK runs "curl"/,
    ],
    ['no health check', (d) => d.replace(/HEALTHCHECK [^\n]*\\\n[^\n]*\n/, ''), /no HEALTHCHECK/],
    ['readiness as liveness', (d) => d.replace("+'/health')", "+'/health/ready')"), /probe liveness/],
    ['install scripts', (d) => d.replace('--omit=optional --ignore-scripts', '--omit=optional'), /without --ignore-scripts/],
    [
      'dev dependencies at runtime',
      (d) => d.replace('npm ci --omit=dev --omit=optional', 'npm ci'),
      /does not install with `npm ci --omit=dev`/,
    ],
    [
      'node_modules from the build stage',
      (d) => d.replace('COPY --from=deps /app/node_modules', 'COPY --from=build /app/node_modules'),
      /build stage, which holds the dev dependencies/,
    ],
    [
      'whole context in the runtime stage',
      (d) => d.replace('COPY package.json package-lock.json ./\nCOPY --from=deps', 'COPY . .\nCOPY --from=deps'),
      /copies \. from the build context/,
    ],
    ['RUN in the runtime stage', (d) => d.replace('USER node', 'RUN chown -R node /app\nUSER node'), /RUN in the runtime stage/],
    [
      'build stage under emulation',
      (d) => d.replace('FROM --platform=$BUILDPLATFORM ${BASE_IMAGE} AS build', 'FROM ${BASE_IMAGE} AS build'),
      /--platform=\$BUILDPLATFORM/,
    ],
    [
      'floating base image',
      (d) => d.replace('ARG BASE_IMAGE=node:${NODE_MAJOR}-bookworm-slim', 'ARG BASE_IMAGE=node:latest'),
      /not an official node image pinned by major/,
    ],
    ['other Node major', (d) => d.replace('ARG NODE_MAJOR=24', 'ARG NODE_MAJOR=18'), /is not Node 24/],
    ['single stage', () => 'FROM node:24-bookworm-slim\nUSER node\nCMD ["node", "main.js"]\n', /not multi-stage/],
  ];

  for (const [name, mutate, expected] of cases) {
    it(name, () => {
      const broken = mutate(text);
      expectWith(broken, 'the mutation must change the Dockerfile').not.toBe(text);
      expect(imageContractViolations(broken, { nodeMajor }).join('\n')).toMatch(expected);
    });
  }
});
