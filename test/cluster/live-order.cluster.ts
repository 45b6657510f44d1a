import { join } from 'node:path';
import fc from 'fast-check';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/domain/index.js';
import { openPostgresStore, type PostgresStore } from '../../src/postgres/postgres-store.js';
import { databaseUrl, TEST_SERVER_URL } from '../support/postgres-databases.js';
import { cleanUp, makeTempDir, NO_RATE_LIMITS, startServer, type ServerProcess } from '../support/server-process.js';
import { SseClient } from '../support/sse-client.js';
import { TEST_PASSWORD, testHasher } from '../support/test-app.js';

const STREAM = '/api/consultant/dashboard/stream';
const READERS = 4;

/** One write of the plan: which reader, through which instance, of which kind. */
interface Step {
  readonly reader: number;
  readonly via: 0 | 1;
  readonly kind: 'activity' | 'milestone';
}

/** A write's identity on the stream: the activity event's id, or the milestone's (unique) chapter. */
type Key = string;

/**
 * Live events in commit order without a lock (ADR 0022), as a property: for random interleavings
 * of readers writing through two instances, one of which is SIGKILLed midway, a consultant's
 * stream on the survivor, and one that starts on the victim and resumes on the survivor with
 * Last-Event-ID, each receive every acknowledged write's event exactly once, in the order each
 * reader's writes were acknowledged, under ids that only grow.
 */
describe('live events from two instances, one killed midway', () => {
  const dir = makeTempDir('readpulse-live-order-');
  const databaseName = `readpulse_live_order_${process.pid}`;
  const url = databaseUrl(databaseName);
  let store: PostgresStore;
  let survivor: ServerProcess;
  let run = 0;

  async function call(base: string, method: string, path: string, headers: Record<string, string> = {}, body?: unknown) {
    const init: RequestInit = { method, headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) } };
    if (body !== undefined) init.body = JSON.stringify(body);
    const response = await fetch(`${base}${path}`, init);
    const text = await response.text();
    return { status: response.status, json: text === '' ? undefined : (JSON.parse(text) as any) };
  }

  async function signIn(base: string, role: 'reader' | 'consultant', email: string) {
    const user = await store.users.createUser({ email, name: email, role, passwordHash: await testHasher.hash(TEST_PASSWORD) });
    const response = await call(base, 'POST', '/api/auth/login', {}, { email, password: TEST_PASSWORD });
    expect(response.status).toBe(200);
    return { user, headers: { authorization: `Bearer ${response.json.token as string}` } };
  }

  const startInstance = () =>
    startServer({ dbFile: join(dir, 'unused.db'), env: { ...NO_RATE_LIMITS, READPULSE_DATABASE_URL: url, READPULSE_LOG_LEVEL: 'info' }, listenTimeoutMs: 60_000 });

  beforeAll(async () => {
    const admin = new pg.Client({ connectionString: TEST_SERVER_URL });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${databaseName} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${databaseName}`);
    await admin.end();
    survivor = await startInstance();
    store = await openPostgresStore({ url, clock: systemClock });
  });

  afterAll(async () => {
    await store?.operations.close();
    await cleanUp();
    const admin = new pg.Client({ connectionString: TEST_SERVER_URL });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${databaseName} WITH (FORCE)`);
    await admin.end();
  });

  /**
   * Reads `stream` (reopening it on the survivor with its last id when it ends) until every key
   * in `expected` was seen; returns the keys in arrival order and the frame ids.
   */
  async function collect(first: SseClient, lastId: string, expected: ReadonlySet<Key>, headers: Record<string, string>) {
    let stream = first;
    let last = lastId;
    const keys: Key[] = [];
    const ids: number[] = [];
    const missing = new Set(expected);
    try {
      while (missing.size > 0) {
        const frame = await stream.nextEvent().catch(() => null);
        if (frame === null) {
          stream = await SseClient.open(`${survivor.baseUrl}${STREAM}`, { ...headers, 'last-event-id': last });
          continue;
        }
        if (frame.event === 'snapshot') throw new Error(`the stream was not resumed after ${last}`);
        if (frame.id !== undefined) last = frame.id;
        let key: Key | undefined;
        if (frame.event === 'activity') key = `a${frame.json.event.id as number}`;
        if (frame.event === 'milestone') key = `m${frame.json.milestone.chapterId as string}`;
        if (key === undefined) continue;
        ids.push(Number(frame.id));
        keys.push(key);
        missing.delete(key);
      }
    } finally {
      stream.close();
    }
    return { keys, ids };
  }

  it('every acknowledged event arrives exactly once, in each reader\'s acknowledged order', async () => {
    const step = fc.record<Step>({
      reader: fc.integer({ min: 0, max: READERS - 1 }),
      via: fc.constantFrom(0 as const, 1 as const),
      kind: fc.constantFrom('activity' as const, 'milestone' as const),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 8, maxLength: 40 }), fc.double({ min: 0.2, max: 0.8, noNaN: true }), async (plan, killAt) => {
        run += 1;
        const victim = await startInstance();
        const bases = [survivor.baseUrl, victim.baseUrl];
        const consultant = await signIn(survivor.baseUrl, 'consultant', `c${run}@example.test`);
        const readers = await Promise.all(Array.from({ length: READERS }, (_, r) => signIn(survivor.baseUrl, 'reader', `r${run}-${r}@example.test`)));
        // One stream on each instance; the victim's resumes on the survivor when it dies.
        const onSurvivor = await SseClient.open(`${survivor.baseUrl}${STREAM}`, consultant.headers);
        const onVictim = await SseClient.open(`${victim.baseUrl}${STREAM}`, consultant.headers);
        const starts = [(await onSurvivor.nextEvent())!.id!, (await onVictim.nextEvent())!.id!];

        // Each reader writes its own steps one after another; readers run side by side.
        const acknowledged = new Map<number, Key[]>(readers.map((_, r) => [r, []]));
        let done = 0;
        const killAfter = Math.floor(plan.length * killAt);
        const killing: Promise<unknown>[] = [];
        await Promise.all(
          readers.map(async (reader, r) => {
            for (const [n, s] of plan.entries()) {
              if (s.reader !== r) continue;
              const path = s.kind === 'activity' ? '/api/me/activity' : `/api/me/milestones/c${run}-${n}`;
              const body = s.kind === 'activity' ? { actionType: `STEP_${n}` } : { status: 'started' };
              const response = await call(bases[s.via]!, s.kind === 'activity' ? 'POST' : 'PUT', path, reader.headers, body).catch(() => undefined);
              if (response?.status === 201 && s.kind === 'activity') acknowledged.get(r)!.push(`a${response.json.event.id as number}`);
              if (response?.status === 200 && s.kind === 'milestone') acknowledged.get(r)!.push(`mc${run}-${n}`);
              if (++done === killAfter) {
                victim.child.kill('SIGKILL');
                killing.push(victim.exited);
              }
            }
          }),
        );
        if (killing.length === 0) victim.child.kill('SIGKILL');
        await victim.exited;

        const expected = new Set([...acknowledged.values()].flat());
        const seen = await Promise.all([onSurvivor, onVictim].map((stream, i) => collect(stream, starts[i]!, expected, consultant.headers)));
        for (const { keys, ids } of seen) {
          // Exactly once each (a write that was not acknowledged may appear too, also once).
          expect(new Set(keys).size).toBe(keys.length);
          for (const key of expected) expect(keys).toContain(key);
          // In each reader's acknowledged order.
          for (const order of acknowledged.values()) expect(keys.filter((key) => order.includes(key))).toEqual(order);
          // Under ids that only grow.
          expect(ids).toEqual([...ids].sort((a, b) => a - b));
          expect(new Set(ids).size).toBe(ids.length);
        }
        // Both streams numbered the events they share alike.
        const [a, b] = seen;
        const idOf = (s: { keys: Key[]; ids: number[] }) => new Map(s.keys.map((key, i) => [key, s.ids[i]!]));
        const [idsA, idsB] = [idOf(a!), idOf(b!)];
        for (const key of expected) expect(idsB.get(key)).toBe(idsA.get(key));
      }),
      { numRuns: 4 },
    );
  });
});
