import { defineConfig } from 'vitest/config';

/**
 * `npm run test:e2e`: the browser end-to-end suite. Each file starts the real `readpulse serve`
 * process (built once by the global setup, server and web app) and drives Debian's Chromium
 * through playwright-core. The files are `*.e2e.ts`, so the default `vitest run` never picks
 * them up.
 */
export default defineConfig({
  test: {
    include: ['test/e2e/**/*.e2e.ts'],
    environment: 'node',
    pool: 'forks',
    // One browser and one server at a time: a small CI machine stays the harness, not the subject.
    fileParallelism: false,
    maxWorkers: 1,
    testTimeout: 90_000,
    hookTimeout: 120_000,
    globalSetup: ['test/e2e/support/global-setup.ts'],
  },
});
