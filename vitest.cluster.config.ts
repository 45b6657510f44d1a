import { defineConfig } from 'vitest/config';

/**
 * `npm run test:cluster`: three real `readpulse serve` processes on one PostgreSQL database
 * behind nginx (deploy/nginx/readpulse.conf.template: session affinity, TLS and HTTP/2), and what
 * the cluster promises: ordered, gap-free events through any instance; no acknowledged write lost
 * when one instance is killed; sign-outs refused everywhere at once; presence fresh within 2 s;
 * one migration run for instances started together; a signed-in client kept on one instance.
 */
export default defineConfig({
  test: {
    include: ['test/cluster/**/*.cluster.ts'],
    environment: 'node',
    pool: 'forks',
    fileParallelism: false,
    // nginx presents a self-signed certificate made for the run; the test trusts it for itself.
    env: { NODE_TLS_REJECT_UNAUTHORIZED: '0' },
    testTimeout: 120_000,
    hookTimeout: 120_000,
    globalSetup: ['test/support/build-server.ts', 'test/support/cluster-setup.ts'],
  },
});
