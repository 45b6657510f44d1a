import { defineConfig } from 'vitest/config';

/**
 * `npm run test:reliability`: crash, shutdown, cross-process, WAL and backup properties, each
 * checked against the real `readpulse serve` process built once by the global setup.
 */
export default defineConfig({
  test: {
    include: ['test/reliability/**/*.test.ts'],
    environment: 'node',
    pool: 'forks',
    // Each file starts servers and load of its own; one file at a time keeps a 2-core machine
    // from being the thing under test (timings such as the shutdown deadline stay meaningful).
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 120_000,
    globalSetup: ['test/support/build-server.ts'],
  },
});
