import { defineConfig } from 'vitest/config';

/**
 * `npm run test:postgres`: the store contract, the HTTP suites and the CLI tests on PostgreSQL,
 * at READPULSE_TEST_DATABASE_URL (default: the local server). The same files as `npm test` runs
 * on SQLite; READPULSE_TEST_ENGINE tells the test-app factory which engine to build.
 */
export default defineConfig({
  test: {
    include: [
      'test/store/postgres-store.test.ts',
      'test/http/authorization-matrix.test.ts',
      'test/http/bad-input.test.ts',
      'test/http/auth.test.ts',
      'test/http/sessions.test.ts',
      'test/security/hostile-input.property.test.ts',
      'test/cli/cli.test.ts',
      'test/cluster/instances-on-one-database.test.ts',
      'test/http/database-faults.test.ts',
      'test/http/insight.test.ts',
      'test/http/insight-bad-input.test.ts',
      'test/http/csv-export.test.ts',
      // PostgreSQL only, so not named *.test.ts (npm test would pick it up).
      'test/postgres/query-plans.postgres-test.ts',
      'test/postgres/write-path.postgres-test.ts',
    ],
    env: { READPULSE_TEST_ENGINE: 'postgres' },
    environment: 'node',
    pool: 'forks',
    globalSetup: ['test/support/build-server.ts', 'test/support/postgres-server.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
