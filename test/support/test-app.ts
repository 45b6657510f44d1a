import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { createPasswordHasher } from '../../src/auth/password-hasher.js';
import { loadConfig, type Config } from '../../src/config.js';
import type { User } from '../../src/domain/index.js';
import { assembleServer, type EngineStore } from '../../src/main.js';
import type { CohortMembers } from '../../src/http/cohort-filter.js';
import type { Metrics } from '../../src/http/metrics.js';
import type { AccessRecorder } from '../../src/live/access-recorder.js';
import type { AttentionSweeper } from '../../src/live/attention-sweeper.js';
import type { EventHub, EventHubOptions } from '../../src/live/event-hub.js';
import type { Presence } from '../../src/live/presence.js';
import { FakeClock } from './fake-clock.js';
import { provisionDatabase, storedRows, TEST_ENGINE, type StoredRows, type TestEngine } from './test-engine.js';

/** Cheap Argon2id parameters for tests only; production minimums are enforced by loadConfig. */
export const testHasher = createPasswordHasher({ memoryKiB: 256, iterations: 1 });
export const TEST_PASSWORD = 'correct horse battery';

export interface TestApp {
  readonly app: FastifyInstance;
  readonly store: EngineStore;
  /** Direct reads of the stored rows, on either engine. */
  readonly db: StoredRows;
  readonly engine: TestEngine;
  readonly clock: FakeClock;
  readonly presence: Presence;
  readonly metrics: Metrics;
  readonly hub: EventHub;
  readonly sweeper: AttentionSweeper;
  readonly accessRecorder: AccessRecorder;
  readonly config: Config;
  readonly dir: string;
  /** Creates a user directly in the store and signs them in through the API. */
  signIn(role: 'reader' | 'consultant', email: string, name?: string): Promise<SignedInUser>;
  close(): Promise<void>;
}

export interface SignedInUser {
  readonly user: User;
  readonly token: string;
  readonly headers: { authorization: string };
}

/**
 * Config as loadConfig makes it from an environment, plus test-only overrides. The fake clock
 * never refills the per-address sign-in bucket, so tests that sign many users in get a large
 * burst unless they set READPULSE_AUTH_RATE_BURST themselves.
 */
export function testConfig(env: Record<string, string> = {}, overrides: Partial<Config> = {}): Config {
  return { ...loadConfig({ READPULSE_LOG_LEVEL: 'silent', READPULSE_AUTH_RATE_BURST: '10000', ...env }), ...overrides };
}

/**
 * A fresh app on its own database, exactly as production wires it, with a fake clock. The engine
 * is SQLite unless `engine` (or `npm run test:postgres`) says PostgreSQL.
 */
export async function buildTestApp(
  options: {
    engine?: TestEngine;
    /** Rewrites the PostgreSQL URL the app connects to (e.g. through a proxy a test can cut). */
    databaseUrl?: (url: string) => string;
    env?: Record<string, string>;
    config?: Partial<Config>;
    /** Bounds of the live event hub (queue sizes, replay buffer). */
    hub?: Omit<EventHubOptions, 'clock'>;
    streamKeepAliveMs?: number;
    /** Cohort membership for `?cohort=` (until cohorts are stored). */
    cohortMembers?: CohortMembers;
  } = {},
): Promise<TestApp> {
  const dir = mkdtempSync(join(tmpdir(), 'readpulse-test-'));
  const database = await provisionDatabase(dir, options.engine ?? TEST_ENGINE);
  const databaseEnv =
    options.databaseUrl && database.env.READPULSE_DATABASE_URL
      ? { READPULSE_DATABASE_URL: options.databaseUrl(database.env.READPULSE_DATABASE_URL) }
      : database.env;
  const config = testConfig({ ...databaseEnv, ...options.env }, options.config);
  const clock = new FakeClock();
  const log = pino({ level: 'silent' });
  const { app, store, presence, hub, metrics, sweeper, accessRecorder } = await assembleServer(config, clock, log, {
    webRoot: join(dir, 'no-web-build'),
    hasher: testHasher,
    ...(options.hub ? { hub: options.hub } : {}),
    ...(options.streamKeepAliveMs === undefined ? {} : { streamKeepAliveMs: options.streamKeepAliveMs }),
    ...(options.cohortMembers ? { cohortMembers: options.cohortMembers } : {}),
  });
  await app.ready();

  return {
    app,
    store,
    db: storedRows(store),
    engine: database.engine,
    clock,
    presence,
    hub,
    sweeper,
    metrics,
    accessRecorder,
    config,
    dir,
    async signIn(role, email, name = '') {
      await store.users.createUser({ email, name, role, passwordHash: await testHasher.hash(TEST_PASSWORD) });
      const response = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { email, password: TEST_PASSWORD } });
      if (response.statusCode !== 200) throw new Error(`sign-in failed: ${response.statusCode} ${response.body}`);
      const body = response.json() as { user: User; token: string };
      return { user: body.user, token: body.token, headers: { authorization: `Bearer ${body.token}` } };
    },
    async close() {
      await app.close();
      await presence.stop();
      await accessRecorder.stop();
      await store.operations.close();
      await database.drop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Asserts nothing about the body's status; returns the parsed problem for a 4xx/5xx response. */
export function problemOf(response: LightMyRequestResponse): { status: number; code: string; detail: string; title: string; type: string } {
  return response.json();
}
