import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { pino } from 'pino';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { systemClock, type User } from '../../src/domain/index.js';
import { assembleServer, type ServerParts } from '../../src/main.js';
import { openPostgresStore, PostgresStore } from '../../src/postgres/postgres-store.js';
import { createTestDatabase, dropTemplate, dropTestDatabase } from '../support/postgres-databases.js';
import { SseClient } from '../support/sse-client.js';
import { TEST_PASSWORD, testConfig, testHasher } from '../support/test-app.js';

const STREAM = '/api/consultant/dashboard/stream';

interface Instance extends ServerParts {
  readonly base: string;
}

/** Resolves once the instance has heard a session revocation (or after 1 s). */
function waitForRevocation(instance: Instance): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, 1_000);
    instance.cluster!.onRevoked(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}

function poolOf(instance: Instance): PostgresStore['pool'] {
  if (!(instance.store instanceof PostgresStore)) throw new Error('these instances run on PostgreSQL');
  return instance.store.pool;
}

/** Several instances, each wired as production wires it, on one PostgreSQL database. */
describe('several instances on one PostgreSQL database', () => {
  let database: { name: string; url: string };
  let instances: Instance[] = [];
  const clients: SseClient[] = [];
  const dirs: string[] = [];

  async function startInstances(count: number): Promise<Instance[]> {
    database = await createTestDatabase();
    for (let i = 0; i < count; i += 1) await startAnotherInstance();
    return instances;
  }

  /** One more instance on this test's database. */
  async function startAnotherInstance(): Promise<Instance> {
    const config = testConfig({ READPULSE_DATABASE_URL: database.url });
    const dir = mkdtempSync(join(tmpdir(), 'readpulse-cluster-'));
    dirs.push(dir);
    const parts = await assembleServer(config, systemClock, pino({ level: 'silent' }), { webRoot: join(dir, 'none'), hasher: testHasher });
    await parts.app.listen({ port: 0, host: '127.0.0.1' });
    const instance = { ...parts, base: `http://127.0.0.1:${(parts.app.server.address() as AddressInfo).port}` };
    instances.push(instance);
    return instance;
  }

  async function signIn(on: Instance, role: 'reader' | 'consultant', email: string): Promise<{ user: User; headers: Record<string, string> }> {
    await on.store.users.createUser({ email, name: email, role, passwordHash: await testHasher.hash(TEST_PASSWORD) });
    const response = await call(on, 'POST', '/api/auth/login', undefined, { email, password: TEST_PASSWORD });
    expect(response.status).toBe(200);
    return { user: response.json.user, headers: { authorization: `Bearer ${response.json.token}` } };
  }

  async function call(on: Instance, method: string, url: string, headers: Record<string, string> = {}, body?: unknown) {
    const init: RequestInit = { method, headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) } };
    if (body !== undefined) init.body = JSON.stringify(body);
    const response = await fetch(`${on.base}${url}`, init);
    const text = await response.text();
    return { status: response.status, json: text === '' ? undefined : JSON.parse(text) };
  }

  async function openStream(on: Instance, headers: Record<string, string>): Promise<SseClient> {
    const client = await SseClient.open(`${on.base}${STREAM}`, headers);
    clients.push(client);
    return client;
  }

  /** The next `count` events other than presence (and the snapshot). */
  async function nextEvents(stream: SseClient, count: number, skip: readonly string[] = ['presence', 'snapshot']) {
    const events = [];
    while (events.length < count) {
      const event = await stream.nextEvent();
      if (event === null) throw new Error('the stream ended');
      if (!skip.includes(event.event!)) events.push(event);
    }
    return events;
  }

  afterAll(dropTemplate);

  afterEach(async () => {
    for (const client of clients.splice(0)) client.close();
    for (const instance of instances) {
      instance.app.server.closeAllConnections();
      await instance.app.close();
      await instance.presence.stop();
      await instance.store.operations.close();
    }
    instances = [];
    await dropTestDatabase(database.name);
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('a consultant on one instance sees, in order and under the same ids, what readers do through the others', async () => {
    const [a, b, c] = await startInstances(3);
    const consultant = await signIn(a!, 'consultant', 'c@example.test');
    const reader = await signIn(b!, 'reader', 'r@example.test');
    const onA = await openStream(a!, consultant.headers);
    const onC = await openStream(c!, consultant.headers);
    expect((await onA.nextEvent())!.event).toBe('snapshot');
    expect((await onC.nextEvent())!.event).toBe('snapshot');

    for (let i = 0; i < 6; i += 1) {
      const through = [a!, b!, c!][i % 3]!;
      expect((await call(through, 'POST', '/api/me/activity', reader.headers, { actionType: `STEP_${i}` })).status).toBe(201);
    }
    expect((await call(b!, 'PUT', '/api/me/milestones/ch1', reader.headers, { status: 'started' })).status).toBe(200);

    const seenOnA = await nextEvents(onA, 7);
    const seenOnC = await nextEvents(onC, 7);
    expect(seenOnA.map((e) => e.event)).toEqual([...Array(6).fill('activity'), 'milestone']);
    expect(seenOnA.slice(0, 6).map((e) => e.json.event.actionType)).toEqual([0, 1, 2, 3, 4, 5].map((i) => `STEP_${i}`));
    expect(seenOnA.every((e) => e.json.readerId === reader.user.id)).toBe(true);
    const ids = seenOnA.map((e) => Number(e.id));
    expect(ids).toEqual([...ids].sort((x, y) => x - y));
    expect(seenOnC.map((e) => e.id)).toEqual(seenOnA.map((e) => e.id));
    expect(seenOnC.map((e) => e.data)).toEqual(seenOnA.map((e) => e.data));
    // Stored once each.
    const stored = await poolOf(a!).query('SELECT type FROM live_event_rows WHERE type <> $1 ORDER BY xid, part, row_id', ['presence']);
    expect(stored.rows.map((row: { type: string }) => row.type)).toEqual(seenOnA.map((e) => e.event));
  });

  it('a client resumes with Last-Event-ID on another instance and gets exactly what it missed', async () => {
    const [a, b] = await startInstances(2);
    const consultant = await signIn(a!, 'consultant', 'c@example.test');
    const reader = await signIn(a!, 'reader', 'r@example.test');
    const first = await openStream(a!, consultant.headers);
    await first.nextEvent();
    await call(a!, 'POST', '/api/me/activity', reader.headers, { actionType: 'BEFORE' });
    const [seen] = await nextEvents(first, 1);
    first.close();
    await call(a!, 'POST', '/api/me/activity', reader.headers, { actionType: 'MISSED_1' });
    await call(b!, 'POST', '/api/me/activity', reader.headers, { actionType: 'MISSED_2' });
    await b!.cluster!.tick(0);
    await b!.cluster!.catchUp();

    const resumed = await openStream(b!, { ...consultant.headers, 'last-event-id': seen!.id! });
    const missed = await nextEvents(resumed, 2, ['presence']);
    expect(missed.map((e) => e.event)).toEqual(['activity', 'activity']);
    expect(missed.map((e) => e.json.event.actionType)).toEqual(['MISSED_1', 'MISSED_2']);
    expect(Number(missed[0]!.id)).toBeGreaterThan(Number(seen!.id));
  });

  it('no writer waits for another: a transaction that commits after a later one is delivered after it, never skipped', async () => {
    const [a, b] = await startInstances(2);
    const consultant = await signIn(a!, 'consultant', 'c@example.test');
    const reader = await signIn(a!, 'reader', 'r@example.test');
    const stream = await openStream(b!, consultant.headers);
    await stream.nextEvent();
    const first = new pg.Client({ connectionString: database.url });
    const second = new pg.Client({ connectionString: database.url });
    await first.connect();
    await second.connect();
    try {
      const insert = 'INSERT INTO activity_logs (user_id, action_type, created_at) VALUES ($1, $2, $3)';
      // The first transaction takes the lower transaction id and its event row, and stays open.
      await first.query('BEGIN');
      await first.query(insert, [reader.user.id, 'first', Date.now()]);
      await second.query('BEGIN');
      await second.query(insert, [reader.user.id, 'second', Date.now()]);
      // The second commits at once: no lock makes it wait for the first.
      await second.query('COMMIT');
      await a!.cluster!.tick(0);
      const [two] = await nextEvents(stream, 1);
      expect(two!.json.event.actionType).toBe('second');
      // The open transaction's event is not in any batch yet, so it cannot be passed over.
      expect((await poolOf(a!).query("SELECT count(*)::int AS n FROM live_event_rows WHERE type = 'activity'")).rows[0].n).toBe(1);
      await first.query('COMMIT');
      await a!.cluster!.tick(0);
      const [one] = await nextEvents(stream, 1);
      expect(one!.json.event.actionType).toBe('first');
      expect(Number(one!.id)).toBe(Number(two!.id) + 1);
      await a!.cluster!.catchUp();
      expect(a!.cluster!.lastDeliveredId).toBe(Number(one!.id));
    } finally {
      await first.end();
      await second.end();
    }
  });

  it('a write that fails in its batch leaves no live event, and neither does a consultant\'s activity', async () => {
    const [a] = await startInstances(1);
    const consultant = await signIn(a!, 'consultant', 'c@example.test');
    const reader = await signIn(a!, 'reader', 'r@example.test');
    expect((await call(a!, 'POST', '/api/me/activity', consultant.headers, { actionType: 'CONSULTING' })).status).toBe(201);
    await a!.store.users.deleteUser(reader.user.id);
    await expect(a!.store.activity.logActivity(reader.user.id, { actionType: 'GONE', metadata: null })).rejects.toMatchObject({ code: 'not_found' });
    expect((await poolOf(a!).query("SELECT count(*)::int AS n FROM live_event_rows WHERE type <> 'presence'")).rows[0].n).toBe(0);
    // The consultant's activity row is stored, but not as a live event (migration 016).
    expect((await poolOf(a!).query('SELECT count(*)::int AS n, count(xid)::int AS live FROM activity_logs')).rows[0]).toEqual({ n: 1, live: 0 });
  });

  it('a reader deleted after their events were batched: an instance reading the batch afterwards numbers the rest alike', async () => {
    const [a] = await startInstances(1);
    const consultant = await signIn(a!, 'consultant', 'c@example.test');
    const kept = await signIn(a!, 'reader', 'kept@example.test');
    const gone = await signIn(a!, 'reader', 'gone@example.test');
    const onA = await openStream(a!, consultant.headers);
    await onA.nextEvent();
    const writes: [typeof kept, string][] = [[kept, 'BEFORE'], [gone, 'GONE_1'], [gone, 'GONE_2'], [kept, 'AFTER']];
    for (const [who, actionType] of writes) {
      expect((await call(a!, 'POST', '/api/me/activity', who.headers, { actionType })).status).toBe(201);
    }
    expect((await call(a!, 'PUT', '/api/me/milestones/ch1', kept.headers, { status: 'started' })).status).toBe(200);
    const seenOnA = await nextEvents(onA, 5);
    expect(seenOnA.map((e) => e.json.event?.actionType ?? e.event)).toEqual(['BEFORE', 'GONE_1', 'GONE_2', 'AFTER', 'milestone']);

    await a!.store.users.deleteUser(gone.user.id);
    // The rows went with the reader; blanks hold their places (the reader's presence event is blanked too).
    expect((await poolOf(a!).query('SELECT count(*)::int AS n FROM activity_logs WHERE user_id = $1', [gone.user.id])).rows[0].n).toBe(0);
    expect((await poolOf(a!).query("SELECT part, count(*)::int AS n FROM live_event_rows WHERE type = 'forgotten' GROUP BY part ORDER BY part")).rows).toEqual([
      { part: 0, n: 2 },
      { part: 1, n: 1 },
    ]);
    // An instance started now reads the batches from the database, after the deletion.
    const c = await startAnotherInstance();
    const before = seenOnA[0]!;
    const resumed = await openStream(c, { ...consultant.headers, 'last-event-id': String(Number(before.id) - 1) });
    const replayed = await nextEvents(resumed, 3, ['presence']);
    expect(replayed.map((e) => e.json.event?.actionType ?? e.event)).toEqual(['BEFORE', 'AFTER', 'milestone']);
    expect(replayed.map((e) => e.id)).toEqual([seenOnA[0]!.id, seenOnA[3]!.id, seenOnA[4]!.id]);
    expect(replayed.map((e) => e.data)).toEqual([seenOnA[0]!.data, seenOnA[3]!.data, seenOnA[4]!.data]);
  });

  it('a sign-out through one instance is refused through the others', async () => {
    const [a, b, c] = await startInstances(3);
    const reader = await signIn(a!, 'reader', 'r@example.test');
    // Each instance has the session cached now.
    for (const on of [a!, b!, c!]) expect((await call(on, 'GET', '/api/me', reader.headers)).status).toBe(200);
    expect((await call(a!, 'POST', '/api/auth/logout', reader.headers)).status).toBe(204);
    for (const on of [b!, c!, a!]) expect((await call(on, 'GET', '/api/me', reader.headers)).status).toBe(401);
  });

  it('a password change through one instance ends the other sessions on every instance', async () => {
    const [a, b] = await startInstances(2);
    const reader = await signIn(a!, 'reader', 'r@example.test');
    const other = await call(b!, 'POST', '/api/auth/login', {}, { email: 'r@example.test', password: TEST_PASSWORD });
    const otherHeaders = { authorization: `Bearer ${other.json.token}` };
    expect((await call(b!, 'GET', '/api/me', otherHeaders)).status).toBe(200);
    const changed = await call(a!, 'POST', '/api/me/password', reader.headers, { currentPassword: TEST_PASSWORD, newPassword: 'a brand new passphrase' });
    expect(changed.status).toBe(204);
    expect((await call(b!, 'GET', '/api/me', otherHeaders)).status).toBe(401);
    expect((await call(b!, 'GET', '/api/me', reader.headers)).status).toBe(200);
  });

  it('a sign-out answers only once every other instance has confirmed it forgot the session', async () => {
    const [a, b, c] = await startInstances(3);
    const reader = await signIn(a!, 'reader', 'r@example.test');
    for (const on of [a!, b!, c!]) expect((await call(on, 'GET', '/api/me', reader.headers)).status).toBe(200);
    // Instance c is slow to confirm: the sign-out must wait for it, not only for its own echo.
    const slow = c!.cluster!.store;
    const confirm = slow.acknowledgeRevocation.bind(slow);
    let confirmedByC = 0;
    slow.acknowledgeRevocation = async (id) => {
      await new Promise((resolve) => setTimeout(resolve, 300));
      confirmedByC += 1;
      return confirm(id);
    };
    expect((await call(a!, 'POST', '/api/auth/logout', reader.headers)).status).toBe(204);
    expect(confirmedByC).toBe(1);
    for (const on of [c!, b!, a!]) expect((await call(on, 'GET', '/api/me', reader.headers)).status).toBe(401);
    expect((await poolOf(a!).query('SELECT count(*)::int AS n FROM sessions WHERE user_id = $1', [reader.user.id])).rows[0].n).toBe(0);
  });

  it('a sign-out still answers when an instance never confirms, after a bounded wait', async () => {
    const [a, b] = await startInstances(2);
    const reader = await signIn(a!, 'reader', 'r@example.test');
    b!.cluster!.store.acknowledgeRevocation = () => new Promise<void>(() => undefined);
    const started = Date.now();
    expect((await call(a!, 'POST', '/api/auth/logout', reader.headers)).status).toBe(204);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_900);
    // b heard it all the same: only its confirmation is missing.
    expect((await call(b!, 'GET', '/api/me', reader.headers)).status).toBe(401);
  });

  it('a user deleted from outside (the CLI) is refused by every instance on the next request', async () => {
    const [a, b] = await startInstances(2);
    const reader = await signIn(a!, 'reader', 'r@example.test');
    for (const on of [a!, b!]) expect((await call(on, 'GET', '/api/me', reader.headers)).status).toBe(200);
    // The CLI does not wait for the notification; the instances hear it within a round trip.
    const heard = Promise.all([a!, b!].map((on) => waitForRevocation(on)));
    const cli = await openPostgresStore({ url: database.url, clock: systemClock });
    try {
      await cli.users.deleteUser(reader.user.id);
    } finally {
      await cli.operations.close();
    }
    await heard;
    for (const on of [a!, b!]) expect((await call(on, 'GET', '/api/me', reader.headers)).status).toBe(401);
  });

  it('an instance whose LISTEN connection drops refuses revoked sessions meanwhile and catches up on events when it is back', async () => {
    const [a, b] = await startInstances(2);
    const consultant = await signIn(a!, 'consultant', 'c@example.test');
    const reader = await signIn(a!, 'reader', 'r@example.test');
    expect((await call(b!, 'GET', '/api/me', reader.headers)).status).toBe(200);
    const stream = await openStream(b!, consultant.headers);
    await stream.nextEvent();
    const listener = await poolOf(a!).query<{ pid: number }>(
      "SELECT pid FROM pg_stat_activity WHERE application_name = 'readpulse-listen' AND datname = current_database()",
    );
    expect(listener.rowCount).toBe(2);
    // Cut every LISTEN connection, then act while they are down.
    await poolOf(a!).query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1 AND datname = current_database()', [
      'readpulse-listen',
    ]);
    while (b!.cluster!.listening) await new Promise((resolve) => setTimeout(resolve, 5));
    expect((await call(a!, 'POST', '/api/auth/logout', reader.headers)).status).toBe(204);
    expect((await call(b!, 'GET', '/api/me', reader.headers)).status).toBe(401);
    const other = await signIn(a!, 'reader', 'other@example.test');
    expect((await call(a!, 'POST', '/api/me/activity', other.headers, { actionType: 'WHILE_DOWN' })).status).toBe(201);
    const [event] = await nextEvents(stream, 1);
    expect(event!.json.event.actionType).toBe('WHILE_DOWN');
    while (!b!.cluster!.listening) await new Promise((resolve) => setTimeout(resolve, 5));
  });

  it('a reader active through one instance shows in the live view another serves', async () => {
    const [a, b] = await startInstances(2);
    const consultant = await signIn(b!, 'consultant', 'c@example.test');
    const reader = await signIn(a!, 'reader', 'r@example.test');
    expect((await call(a!, 'GET', '/api/me', reader.headers)).status).toBe(200);
    await a!.presence.flush();
    const view = await call(b!, 'GET', '/api/consultant/dashboard/live', consultant.headers);
    expect(view.status).toBe(200);
    expect(view.json.readers.map((r: User) => r.id)).toEqual([reader.user.id]);
  });

  it('a reader coming online is announced once, whichever instances notice', async () => {
    const [a, b] = await startInstances(2);
    const consultant = await signIn(a!, 'consultant', 'c@example.test');
    const reader = await signIn(a!, 'reader', 'r@example.test');
    const stream = await openStream(b!, consultant.headers);
    await stream.nextEvent();
    for (const on of [a!, b!, a!, b!]) expect((await call(on, 'GET', '/api/me', reader.headers)).status).toBe(200);
    await a!.presence.flush();
    await b!.presence.syncWithStore(true);
    await a!.presence.syncWithStore(true);
    await call(a!, 'POST', '/api/me/activity', reader.headers, { actionType: 'MARKER' });
    const events = await nextEvents(stream, 2, ['snapshot']);
    expect(events.map((e) => e.event)).toEqual(['presence', 'activity']);
    expect(events[0]!.json).toMatchObject({ online: true, reader: { id: reader.user.id } });
    expect((await poolOf(a!).query("SELECT count(*)::int AS n FROM live_event_rows WHERE type = 'presence'")).rows[0].n).toBe(1);
  });

  it('failed sign-ins add up across instances, and the lockout holds on every one', async () => {
    const [a, b, c] = await startInstances(3);
    await signIn(a!, 'reader', 'r@example.test');
    const limit = testConfig().rateLimits.loginFailuresPerAccount;
    for (let i = 0; i < limit; i += 1) {
      const through = [a!, b!, c!][i % 3]!;
      expect((await call(through, 'POST', '/api/auth/login', {}, { email: 'r@example.test', password: `wrong ${i}` })).status).toBe(401);
    }
    for (const on of [a!, b!, c!]) {
      const refused = await call(on, 'POST', '/api/auth/login', {}, { email: 'r@example.test', password: TEST_PASSWORD });
      expect(refused.status).toBe(429);
      expect(refused.json.code).toBe('rate_limited');
    }
    expect((await poolOf(a!).query('SELECT count(*)::int AS n FROM login_failures')).rows[0].n).toBe(limit * 2);
  });

  it('a periodic job gets one turn per interval across instances', async () => {
    const [a, b, c] = await startInstances(3);
    const now = Date.now();
    const turns = await Promise.all([a!, b!, c!, a!].map((on) => on.cluster!.store.claimJob('test-job', now, 60_000)));
    expect(turns.filter(Boolean)).toHaveLength(1);
    expect(await b!.cluster!.store.claimJob('test-job', now + 59_000, 60_000)).toBe(false);
    expect(await c!.cluster!.store.claimJob('test-job', now + 60_000, 60_000)).toBe(true);
  });
});
