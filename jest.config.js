// Jest 30 on native ES modules (the apps are ESM: NestJS 12 ships only ESM), run by scripts/test-all.mjs
// under `node --experimental-vm-modules`. TypeScript is compiled by @swc/jest with decorator metadata, which
// Nest's dependency injection and class-validator read at run time.
const swc = [
  '@swc/jest',
  {
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      target: 'es2023',
    },
    module: { type: 'es6' },
    sourceMaps: 'inline',
  },
];

// Two ES-module-only packages are require()d by CommonJS ones: cookie@2 (by light-my-request, behind Fastify's
// inject) and content-disposition@3 (by @fastify/static). Jest can require() an ES module only on Node 24.9+;
// on older Node (22 LTS) it needs them compiled to CommonJS.
const [nodeMajor, nodeMinor] = process.versions.node.split('.').map(Number);
const nativeRequireEsm = nodeMajor > 24 || (nodeMajor === 24 && nodeMinor >= 9);
const REQUIRED_ESM_PACKAGES = 'cookie|content-disposition';
const compileRequiredEsm = nativeRequireEsm
  ? {}
  : {
      transform: { [`/node_modules/(${REQUIRED_ESM_PACKAGES})/.+\\.js$`]: ['@swc/jest', { module: { type: 'commonjs' } }] },
      transformIgnorePatterns: [`/node_modules/(?!(${REQUIRED_ESM_PACKAGES})/)`],
    };

const common = {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  ...compileRequiredEsm,
  transform: { '^.+\\.ts$': swc, ...compileRequiredEsm.transform },
  moduleNameMapper: {
    // The libs' front doors (package.json "imports") → their TypeScript sources.
    '^#libs/([a-z-]+)$': '<rootDir>/libs/$1/src/index.ts',
    // TypeScript's ESM imports name the compiled file (./x.js); under Jest the source is ./x.ts.
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
};

/** @type {import('jest').Config} */
export default {
  projects: [
    {
      ...common,
      displayName: 'unit',
      // No database, no build, no network beyond loopback fakes: `npm run test:unit`.
      testMatch: ['<rootDir>/{apps,libs,deploy/src,scripts}/**/*.spec.ts'],
      testPathIgnorePatterns: ['/node_modules/', '\\.int\\.spec\\.ts$'],
    },
    {
      ...common,
      displayName: 'services',
      // Real PostgreSQL (embedded, or DB_HOST) and the built services (dist/).
      testMatch: ['<rootDir>/test/**/*.spec.ts', '<rootDir>/{apps,libs}/**/*.int.spec.ts'],
      // test/compose runs in the compose project, against the stack; test/canary in the drill project.
      testPathIgnorePatterns: [
        '/node_modules/',
        '<rootDir>/test/container/images\\.spec\\.ts$',
        '<rootDir>/test/compose/',
        '<rootDir>/test/canary/',
      ],
      globalSetup: '<rootDir>/test/support/global-setup.mjs',
      globalTeardown: '<rootDir>/test/support/global-teardown.mjs',
      setupFilesAfterEnv: ['<rootDir>/test/support/jest-setup.mjs'],
    },
    {
      ...common,
      displayName: 'images',
      // The images built from the Dockerfile and run like the Fargate task, with podman or a Docker engine
      // (`npm run test:images`); its own PostgreSQL, its own timeouts.
      testMatch: ['<rootDir>/test/container/images.spec.ts'],
    },
    {
      ...common,
      displayName: 'compose',
      // docker-compose.yml's stack for real (podman, podman-compose): the e2e suite against its database and
      // requests through its gateway. scripts/test-all.mjs brings the stack up and down around this project
      // (test/compose/stack.ts); `npm test` runs it, the first step ignores it.
      testMatch: ['<rootDir>/test/compose/**/*.spec.ts', '<rootDir>/test/e2e/**/*.e2e.spec.ts'],
      // Not the e2e files that never use the run's server: the dev loop runs its own, iam-auth a TLS one.
      testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/e2e/(dev-loop|iam-auth)\\.e2e\\.spec\\.ts$'],
      globalSetup: '<rootDir>/test/compose/global-setup.mjs',
      globalTeardown: '<rootDir>/test/support/global-teardown.mjs',
      setupFilesAfterEnv: ['<rootDir>/test/support/jest-setup.mjs'],
    },
    {
      ...common,
      displayName: 'drill',
      // The canary drill (test/canary): the previous commit's images and this checkout's behind a weighted
      // gateway, with podman. Its own step in `npm test` (scripts/test-all.mjs), or `npm run test:drill`;
      // scripts/jest.mjs leaves it out unless it is named.
      testMatch: ['<rootDir>/test/canary/**/*.spec.ts'],
    },
    {
      ...common,
      displayName: 'deploy',
      // The deploy CLI end to end: real commander program, AWS SDK clients mocked, fake docker/terraform.
      testMatch: ['<rootDir>/deploy/test/**/*.spec.ts'],
      setupFilesAfterEnv: ['<rootDir>/deploy/test/jest-setup.mjs'],
    },
  ],
};
