import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'web/src/**/*.test.{ts,tsx}'],
    // The reliability suite (crash, shutdown, WAL, backup under load) runs on its own: npm run test:reliability.
    exclude: [...configDefaults.exclude, 'test/reliability/**'],
    environment: 'node',
    pool: 'forks',
    // The CLI and server-process tests run the build in dist/: build it once per run.
    globalSetup: ['test/support/build-server.ts'],
    testTimeout: 20_000,
    hookTimeout: 30_000,
  },
});
