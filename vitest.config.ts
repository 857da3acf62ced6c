import { defineConfig } from 'vitest/config';

export default defineConfig({
  // The renderer's JSX uses React's automatic runtime (tsconfig.web.json); the root tsconfig is Node's.
  esbuild: { jsx: 'automatic' },
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    // The CLI bundles are built from the current sources before any test runs.
    globalSetup: ['test/support/build-bins.ts'],
    // Tests start loopback servers, child processes and Chromium, and spend much of their time waiting
    // on them: on the 2-core VM three workers finish sooner than two (120 s against 128 s, measured).
    pool: 'forks',
    maxWorkers: 3,
    // Test files share a worker's module cache instead of importing everything again (a fifth of the
    // suite's CPU). They can: no file mocks modules or leaves globals or the environment changed.
    isolate: false,
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
