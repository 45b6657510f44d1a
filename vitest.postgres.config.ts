import { defineConfig } from 'vitest/config';

/**
 * `npm run test:postgres`: the suites that take their engine as a parameter, on PostgreSQL at
 * READPULSE_TEST_DATABASE_URL (default: the local server). READPULSE_TEST_ENGINE tells the
 * test-app factory (test/support/test-app.ts) which engine to build; `npm test` runs the same
 * files on SQLite. Whole folders, so a new HTTP suite runs on both engines without being listed;
 * a case that only makes sense on one engine says so with describe.runIf / it.runIf.
 */
export default defineConfig({
  test: {
    include: [
      // Every HTTP suite and the CLI, and the other suites that build their app through test-app.ts.
      'test/http/**/*.test.ts',
      'test/cli/**/*.test.ts',
      'test/security/hostile-input.property.test.ts',
      'test/security/slow-clients.test.ts',
      'test/live/presence.test.ts',
      // The store contract on PostgreSQL, and several instances on one database.
      'test/store/postgres-store.test.ts',
      'test/cluster/instances-on-one-database.test.ts',
      // The LRS's suites build their app through test-app.ts, too.
      'test/xapi/**/*.test.ts',
      // PostgreSQL only, so not named *.test.ts (npm test would pick it up).
      'test/postgres/**/*.postgres-test.ts',
    ],
    env: { READPULSE_TEST_ENGINE: 'postgres' },
    environment: 'node',
    pool: 'forks',
    globalSetup: ['test/support/build-server.ts', 'test/support/postgres-server.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
