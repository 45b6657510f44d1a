import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'web/src/**/*.test.{ts,tsx}'],
    // The reliability suite (crash, shutdown, WAL, backup under load) runs on its own: npm run test:reliability.
    // The PostgreSQL-only suites run under npm run test:postgres, so npm test needs no PostgreSQL.
    exclude: [
      ...configDefaults.exclude,
      'test/reliability/**',
      'test/store/postgres-store.test.ts',
      'test/cluster/instances-on-one-database.test.ts',
    ],
    environment: 'node',
    pool: 'forks',
    // The CLI and server-process tests run the build in dist/: build it once per run.
    globalSetup: ['test/support/build-server.ts'],
    testTimeout: 20_000,
    hookTimeout: 30_000,
  },
});
