import pg from 'pg';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { buildTestApp, type TestApp } from '../support/test-app.js';

/**
 * A reader's arrival and their first write travel on two connections: the presence change on
 * the read pool (PresenceAnnouncements), the write through the batched writer. Live events are
 * ordered by transaction id, so the arrival must commit before the write's transaction starts, or
 * a consultant's stream may show the reader's first event before the reader comes online.
 */
describe("a reader's arrival and their first write on PostgreSQL", () => {
  let t: TestApp | undefined;
  let admin: pg.Client | undefined;

  afterEach(async () => {
    await admin?.query('ROLLBACK').catch(() => undefined);
    await admin?.end();
    admin = undefined;
    await t?.close();
    t = undefined;
  });

  it('the write waits while the arrival is held up, and its event comes after the presence event', async () => {
    t = await buildTestApp({ engine: 'postgres' });
    admin = new pg.Client({ connectionString: t.config.databaseUrl! });
    await admin.connect();
    const reader = await t.signIn('reader', 'r@example.test');
    const count = async (text: string, values: unknown[] = []): Promise<number> =>
      Number((await admin!.query<{ n: string }>(text, values)).rows[0]!.n);

    // Hold the presence statement up: an exclusive lock lets reads of reader_presence through
    // but no insert.
    await admin.query('BEGIN');
    await admin.query('LOCK TABLE reader_presence IN EXCLUSIVE MODE');
    let answered = false;
    const posted = t.app
      .inject({ method: 'POST', url: '/api/me/activity', headers: reader.headers, payload: { actionType: 'FIRST', metadata: {} } })
      .finally(() => (answered = true));
    // The presence statement waits on the lock.
    await vi.waitFor(
      async () => expect(await count("SELECT count(*) AS n FROM pg_locks WHERE relation = 'reader_presence'::regclass AND NOT granted")).toBe(1),
      { timeout: 10_000, interval: 10 },
    );
    // Long enough for the writer to have committed a batch many times over, had it not waited.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(answered).toBe(false);
    expect(await count('SELECT count(*) AS n FROM activity_logs WHERE user_id = $1', [reader.user.id])).toBe(0);

    await admin.query('COMMIT');
    const response = await posted;
    expect(response.statusCode).toBe(201);
    expect(response.json()).toMatchObject({ event: { actionType: 'FIRST' } });
    const events = await admin.query<{ type: string; body: string }>(
      'SELECT type, body FROM live_event_rows WHERE reader_id = $1 ORDER BY xid, part, row_id',
      [reader.user.id],
    );
    expect(events.rows.map((row) => row.type)).toEqual(['presence', 'activity']);
    expect(JSON.parse(events.rows[0]!.body)).toMatchObject({ online: true });
    expect(JSON.parse(events.rows[1]!.body)).toMatchObject({ action_type: 'FIRST' });
  });
});
