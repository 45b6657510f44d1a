import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AppError } from '../../src/domain/index.js';
import { buildTestApp, TEST_PASSWORD, type SignedInUser, type TestApp } from '../support/test-app.js';

const HOUR = 3_600_000;

describe('analytics over HTTP', () => {
  let t: TestApp;
  let consultant: SignedInUser;
  let cohortReaders: number[];
  beforeEach(async () => {
    cohortReaders = [];
    t = await buildTestApp({
      cohortMembers: async (id) => {
        if (id !== 7) throw new AppError('not_found', 'No cohort has that id.');
        return cohortReaders;
      },
    });
    consultant = await t.signIn('consultant', 'consultant@example.test', 'Consultant');
  });
  afterEach(async () => t.close());

  const get = (url: string) => t.app.inject({ method: 'GET', url, headers: consultant.headers });

  it('the chapter funnel, activity and grid answer the store\'s numbers, and ?cohort narrows them', async () => {
    await t.store.chapters.createChapter({ id: 'one', title: 'One' });
    await t.store.chapters.createChapter({ id: 'two', title: 'Two' });
    const ann = await t.store.users.createUser({ email: 'ann@example.test', name: 'Ann', role: 'reader', passwordHash: 'x' });
    const bob = await t.store.users.createUser({ email: 'bob@example.test', name: 'Bob', role: 'reader', passwordHash: 'x' });
    cohortReaders = [bob.id];
    await t.store.progress.upsertMilestone(ann.id, { chapterId: 'one', status: 'completed', score: 40 });
    await t.store.progress.upsertMilestone(bob.id, { chapterId: 'one', status: 'completed', score: 60 });
    await t.store.progress.upsertMilestone(bob.id, { chapterId: 'two', status: 'stuck', score: null });
    await t.store.activity.logActivity(ann.id, { actionType: 'LOGIN', metadata: null });
    t.clock.advance(HOUR);
    await t.store.activity.logActivity(bob.id, { actionType: 'LOGIN', metadata: null });

    const funnel = await get('/api/analytics/chapters');
    expect(funnel.statusCode).toBe(200);
    expect(funnel.json()).toEqual({
      chapters: [
        { chapterId: 'one', title: 'One', notStarted: 0, started: 0, completed: 2, stuck: 0, medianScore: 50, medianMinutesToComplete: null },
        { chapterId: 'two', title: 'Two', notStarted: 1, started: 0, completed: 0, stuck: 1, medianScore: null, medianMinutesToComplete: null },
      ],
    });
    expect((await get('/api/analytics/chapters?cohort=7')).json().chapters[0]).toMatchObject({ completed: 1, medianScore: 60 });
    expect((await get('/api/analytics/chapters?cohort=8')).statusCode).toBe(404);

    const now = new Date(t.clock.now() + 1).toISOString(); // just past the last event: its hour is in
    const from = new Date(t.clock.now() - 2 * HOUR).toISOString();
    const activity = await get(`/api/analytics/activity?bucket=hour&from=${from}&to=${now}`);
    expect(activity.statusCode).toBe(200);
    const buckets = activity.json().buckets as { start: string; events: number; activeReaders: number }[];
    expect(buckets.map((b) => b.events)).toEqual([0, 1, 1]);
    expect(buckets[1]!.start).toMatch(/^\d{4}-\d\d-\d\dT\d\d:00:00\.000Z$/);
    const cohortActivity = await get(`/api/analytics/activity?bucket=hour&from=${from}&to=${now}&cohort=7`);
    expect(cohortActivity.json().buckets.map((b: { activeReaders: number }) => b.activeReaders)).toEqual([0, 0, 1]);
    const days = await get('/api/analytics/activity');
    expect(days.json().buckets).toHaveLength(31);

    const grid = await get('/api/analytics/grid?limit=1');
    expect(grid.statusCode).toBe(200);
    expect(grid.json()).toMatchObject({
      chapters: ['one', 'two'],
      readers: [{ reader: { id: ann.id, email: 'ann@example.test' }, cells: [{ status: 'completed', score: 40, updatedAt: expect.stringMatching(/^\d{4}-.*Z$/) }, { status: null, score: null, updatedAt: null }] }],
      nextCursor: expect.any(String),
    });
    const cohortGrid = await get('/api/analytics/grid?cohort=7');
    expect(cohortGrid.json().readers.map((r: { reader: { id: number } }) => r.reader.id)).toEqual([bob.id]);
  });
});

describe('access log', () => {
  let t: TestApp;
  let a: SignedInUser;
  let b: SignedInUser;
  let consultant: SignedInUser;
  beforeEach(async () => {
    t = await buildTestApp();
    a = await t.signIn('reader', 'reader-a@example.test', 'Reader A');
    b = await t.signIn('reader', 'reader-b@example.test', 'Reader B');
    consultant = await t.signIn('consultant', 'consultant@example.test', 'Dr. Consultant');
  });
  afterEach(async () => t.close());

  const logOf = async (who: SignedInUser) => {
    const response = await t.app.inject({ method: 'GET', url: '/api/me/access-log', headers: who.headers });
    expect(response.statusCode).toBe(200);
    return response.json() as { entries: { consultant: { id: number; name: string }; what: string; at: string }[]; nextCursor: string | null };
  };

  it('a consultant viewing reader A shows in A\'s log and not in B\'s, one entry per kind and hour', async () => {
    for (const what of ['progress', 'activity', 'progress', 'progress']) {
      const response = await t.app.inject({ method: 'GET', url: `/api/readers/${a.user.id}/${what}`, headers: consultant.headers });
      expect(response.statusCode).toBe(200);
      t.clock.advance(1_000);
    }
    const mine = await logOf(a);
    expect(mine.entries).toEqual([
      { consultant: { id: consultant.user.id, name: 'Dr. Consultant' }, what: 'progress', at: new Date(t.clock.now() - 1_000).toISOString() },
      { consultant: { id: consultant.user.id, name: 'Dr. Consultant' }, what: 'activity', at: new Date(t.clock.now() - 3_000).toISOString() },
    ]);
    expect(mine.nextCursor).toBeNull();
    expect((await logOf(b)).entries).toEqual([]);

    const asConsultant = await t.app.inject({ method: 'GET', url: `/api/readers/${a.user.id}/access-log`, headers: consultant.headers });
    expect(asConsultant.statusCode).toBe(200);
    expect(asConsultant.json().entries).toEqual(mine.entries);
  });

  it('readers cannot read each other\'s logs: the reader route is consultants only and the own route takes no id', async () => {
    await t.app.inject({ method: 'GET', url: `/api/readers/${a.user.id}/progress`, headers: consultant.headers });
    const other = await t.app.inject({ method: 'GET', url: `/api/readers/${a.user.id}/access-log`, headers: b.headers });
    expect(other.statusCode).toBe(403);
    const smuggled = await t.app.inject({ method: 'GET', url: `/api/me/access-log?readerId=${a.user.id}&userId=${a.user.id}`, headers: b.headers });
    expect(smuggled.json().entries).toEqual([]);
  });

  it('views cost no write on the read path: they are coalesced in memory and written in one batch', async () => {
    const recordAccess = vi.spyOn(t.store.accessLog, 'recordAccess');
    for (let i = 0; i < 20; i += 1) {
      const response = await t.app.inject({ method: 'GET', url: `/api/readers/${a.user.id}/progress`, headers: consultant.headers });
      expect(response.statusCode).toBe(200);
    }
    expect(recordAccess).not.toHaveBeenCalled();
    expect(t.accessRecorder.pendingCount).toBe(1);
    await t.accessRecorder.flush();
    expect(recordAccess).toHaveBeenCalledTimes(1);
    expect(recordAccess.mock.calls[0]![0]).toHaveLength(1);
    expect(await t.db.count('SELECT count(*) AS n FROM access_log')).toBe(1);
  });

  it('a view of an unknown reader records nothing', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/api/readers/999999/progress', headers: consultant.headers });
    expect(response.statusCode).toBe(404);
    expect(t.accessRecorder.pendingCount).toBe(0);
  });
});

describe('a reader\'s own data', () => {
  let t: TestApp;
  let a: SignedInUser;
  let b: SignedInUser;
  let consultant: SignedInUser;
  beforeEach(async () => {
    t = await buildTestApp();
    a = await t.signIn('reader', 'reader-a@example.test', 'Reader A');
    b = await t.signIn('reader', 'reader-b@example.test', 'Reader B');
    consultant = await t.signIn('consultant', 'consultant@example.test', 'Consultant');
    for (const who of [a, b]) {
      await t.app.inject({ method: 'PUT', url: '/api/me/milestones/ch-1', headers: who.headers, payload: { status: 'completed', score: 70 } });
      await t.app.inject({ method: 'POST', url: '/api/me/activity', headers: who.headers, payload: { actionType: 'PAGE_VIEW', metadata: { who: who.user.email } } });
    }
    await t.app.inject({ method: 'GET', url: `/api/readers/${a.user.id}/activity`, headers: consultant.headers });
    await t.app.inject({ method: 'GET', url: `/api/readers/${b.user.id}/progress`, headers: consultant.headers });
  });
  afterEach(async () => t.close());

  it('GET /api/me/export holds exactly the caller\'s data, as a download', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/api/me/export', headers: a.headers });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-disposition']).toMatch(/^attachment; filename="[^"]+\.json"$/);
    const body = response.json();
    expect(body.user).toMatchObject({ id: a.user.id, email: 'reader-a@example.test' });
    expect(body.milestones).toEqual([expect.objectContaining({ chapterId: 'ch-1', status: 'completed', score: 70 })]);
    expect(body.activity).toEqual([expect.objectContaining({ actionType: 'PAGE_VIEW', metadata: { who: 'reader-a@example.test' } })]);
    expect(body.accessLog).toEqual([{ consultant: { id: consultant.user.id, name: 'Consultant' }, what: 'activity', at: expect.any(String) }]);
    expect(response.body).not.toContain('reader-b@example.test');
    expect(response.body).not.toMatch(/password|token_hash|passwordHash/i);
  });

  it('GET /api/me/export streams a history of several batches whole, in order, and equal to what is stored', async () => {
    const events = Array.from({ length: 2_345 }, (_, i) => ({ actionType: 'PAGE_VIEW', metadata: { page: i, note: 'x'.repeat(i % 50) } }));
    for (let i = 0; i < events.length; i += 500) await t.store.activity.logActivities(a.user.id, events.slice(i, i + 500));
    const stored = await t.store.exports.getUserDataExport(a.user.id);
    expect(stored.activity).toHaveLength(2_346);

    const response = await t.app.inject({ method: 'GET', url: '/api/me/export', headers: a.headers });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    const body = response.json();
    expect(body.activity).toHaveLength(2_346);
    expect(body.activity.map((e: { id: number }) => e.id)).toEqual(stored.activity.map((e) => e.id));
    expect(body.activity[2_345]).toEqual({
      id: stored.activity[2_345]!.id,
      actionType: 'PAGE_VIEW',
      metadata: { page: 2_344, note: 'x'.repeat(2_344 % 50) },
      createdAt: new Date(stored.activity[2_345]!.createdAt).toISOString(),
    });
    expect(body.milestones).toEqual([expect.objectContaining({ chapterId: 'ch-1', status: 'completed', score: 70 })]);
    expect(Object.keys(body)).toEqual(['user', 'milestones', 'activity', 'accessLog']);
  });

  it('GET /api/me/export of a user with no activity is a whole document with an empty list', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/api/me/export', headers: consultant.headers });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ user: expect.objectContaining({ id: consultant.user.id }), milestones: [], activity: [], accessLog: [] });
  });

  it('DELETE /api/me with a wrong password is 401 and deletes nothing', async () => {
    const response = await t.app.inject({ method: 'DELETE', url: '/api/me', headers: a.headers, payload: { password: 'not my password' } });
    expect(response.statusCode).toBe(401);
    expect(await t.store.users.getUserById(a.user.id)).not.toBeNull();
    expect((await t.app.inject({ method: 'GET', url: '/api/me', headers: a.headers })).statusCode).toBe(200);
  });

  it('after DELETE /api/me no row of the reader is left in any table and their token is refused', async () => {
    await t.accessRecorder.flush();
    await t.presence.flush();
    const tables = await t.db.tables();
    const rowsOf = async (userId: number) =>
      Object.fromEntries(
        await Promise.all(
          tables.map(async (table) => {
            const columns = (await t.db.columns(table)).filter(
              (c) => ['user_id', 'reader_id', 'consultant_id'].includes(c) || (table === 'users' && c === 'id'),
            );
            if (columns.length === 0) return [table, 0];
            const where = columns.map((c) => `${c} = ?`).join(' OR ');
            return [table, await t.db.count(`SELECT count(*) AS n FROM ${table} WHERE ${where}`, ...columns.map(() => userId))];
          }),
        ),
      );
    const before = await rowsOf(a.user.id);
    expect(before).toMatchObject({ users: 1, sessions: 1, milestones: 1, activity_logs: 1, access_log: 1, activity_reader_hours: 1 });
    const bBefore = await rowsOf(b.user.id);

    const response = await t.app.inject({ method: 'DELETE', url: '/api/me', headers: a.headers, payload: { password: TEST_PASSWORD } });
    expect(response.statusCode).toBe(204);
    const after = await rowsOf(a.user.id);
    expect(Object.values(after).every((n) => n === 0), JSON.stringify(after)).toBe(true);
    expect(await rowsOf(b.user.id)).toEqual(bBefore);
    const totals = await t.db.get(
      'SELECT CAST(coalesce(sum(events), 0) AS BIGINT) AS events, CAST(coalesce(sum(active_readers), 0) AS BIGINT) AS readers FROM activity_hours',
    );
    expect(totals).toEqual({ events: 1, readers: 1 });

    const next = await t.app.inject({ method: 'GET', url: '/api/me', headers: a.headers });
    expect(next.statusCode).toBe(401);
    const signIn = await t.app.inject({ method: 'POST', url: '/api/auth/login', payload: { email: 'reader-a@example.test', password: TEST_PASSWORD } });
    expect(signIn.statusCode).toBe(401);
  });
});
