import { execFileSync } from 'node:child_process';
import pg from 'pg';
import { TEST_SERVER_URL } from './postgres-databases.js';

async function answers(): Promise<boolean> {
  const client = new pg.Client({ connectionString: TEST_SERVER_URL, connectionTimeoutMillis: 3_000 });
  try {
    await client.connect();
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

function has(command: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/**
 * Vitest globalSetup of `npm run test:cluster`: starts the local PostgreSQL cluster when none
 * answers (Debian's pg_ctlcluster), and fails at once with what to do when nginx is missing.
 */
export async function setup(): Promise<void> {
  if (!(await answers())) {
    if (!has('pg_ctlcluster') || !has('pg_lsclusters')) {
      throw new Error(`No PostgreSQL answers at ${TEST_SERVER_URL}, and pg_ctlcluster is not here to start one.`);
    }
    const [cluster] = execFileSync('pg_lsclusters', ['--no-header'], { encoding: 'utf8' }).trim().split('\n');
    const [version, name] = (cluster ?? '').split(/\s+/);
    if (!version || !name) throw new Error('No PostgreSQL cluster is set up (pg_lsclusters lists none).');
    execFileSync('pg_ctlcluster', [version, name, 'start'], { stdio: 'inherit' });
    for (let i = 0; i < 50 && !(await answers()); i += 1) await new Promise((resolve) => setTimeout(resolve, 200));
    if (!(await answers())) throw new Error(`PostgreSQL ${version}/${name} was started but does not answer at ${TEST_SERVER_URL}.`);
  }
  if (!has('nginx') && !has('/usr/sbin/nginx')) {
    throw new Error('npm run test:cluster needs nginx as its load balancer: apt-get install -y nginx-light');
  }
  if (!has('openssl')) throw new Error('npm run test:cluster needs openssl for its TLS certificate.');
}
