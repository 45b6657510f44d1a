import { defineConfig } from 'vitest/config';

/**
 * The second half of `npm run test:postgres`: the crash (SIGKILL under 50 writers) and SIGTERM
 * drain tests of the reliability suite, the same files, on PostgreSQL. The other reliability
 * tests are about SQLite's file (WAL bounds, cross-process locking, VACUUM INTO backups).
 */
export default defineConfig({
  test: {
    include: ['test/reliability/crash-durability.test.ts', 'test/reliability/graceful-shutdown.test.ts'],
    env: { READPULSE_TEST_ENGINE: 'postgres' },
    environment: 'node',
    pool: 'forks',
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 120_000,
    globalSetup: ['test/support/build-server.ts', 'test/support/postgres-server.ts'],
  },
});
