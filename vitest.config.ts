import swc from 'unplugin-swc';
import { defineConfig } from 'vitest/config';

// `source` makes `#libs/*` resolve to the TypeScript sources instead of dist/ (see package.json "imports").
const resolveSources = {
  resolve: { conditions: ['source'] },
  ssr: { resolve: { conditions: ['source'], externalConditions: ['source'] } },
};

export default defineConfig({
  plugins: [swc.vite({ module: { type: 'es6' } })],
  ...resolveSources,
  test: {
    globals: false,
    reporters: ['default'],
    projects: [
      {
        extends: true,
        test: {
          name: 'services',
          include: ['apps/**/*.spec.ts', 'libs/**/*.spec.ts', 'test/**/*.spec.ts'],
          globalSetup: ['test/support/global-setup.ts'],
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'deploy',
          include: ['deploy/**/*.spec.ts'],
          testTimeout: 20_000,
        },
      },
    ],
  },
});
