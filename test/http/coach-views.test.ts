import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildTestApp, problemOf, TEST_PASSWORD, type SignedInUser, type TestApp } from '../support/test-app.js';

const DAY = 86_400_000;

/** The reads behind the coach's views: a reader's cohorts and trend. */
describe('the coach\'s views over HTTP', () => {
  let t: TestApp;
  let consultant: SignedInUser;
  beforeEach(async () => {
    t = await buildTestApp();
    consultant = await t.signIn('consultant', 'consultant@example.test', 'Consultant');
  });
  afterEach(async () => t.close());

  const get = (url: string, headers: Record<string, string> = consultant.headers) => t.app.inject({ method: 'GET', url, headers });
  const reader = (email: string, name = '') => t.store.users.createUser({ email, name, role: 'reader', passwordHash: 'x' });

  it('GET /api/readers/:id/cohorts lists the reader\'s cohorts by name, as stored; 404 for no such reader', async () => {
    const ann = await reader('ann@example.test', 'Ann');
    const bob = await reader('bob@example.test', 'Bob');
    const zeta = await t.store.cohorts.createCohort('Zeta');
    const alpha = await t.store.cohorts.createCohort('Alpha');
    const other = await t.store.cohorts.createCohort('Other');
    await t.store.cohorts.addReaderToCohort(zeta.id, ann.id);
    await t.store.cohorts.addReaderToCohort(alpha.id, ann.id);
    await t.store.cohorts.addReaderToCohort(other.id, bob.id);

    const answer = await get(`/api/readers/${ann.id}/cohorts`);
    expect(answer.statusCode).toBe(200);
    expect(answer.json()).toEqual({
      cohorts: [
        { id: alpha.id, name: 'Alpha', readerCount: 1, createdAt: expect.any(String) },
        { id: zeta.id, name: 'Zeta', readerCount: 1, createdAt: expect.any(String) },
      ],
    });
    expect((await get(`/api/readers/${ann.id}/cohorts`)).json().cohorts.map((c: { id: number }) => c.id).sort()).toEqual(
      (await t.store.cohorts.listReaderCohortIds(ann.id)).sort(),
    );
    await t.store.cohorts.removeReaderFromCohort(zeta.id, ann.id);
    expect((await get(`/api/readers/${ann.id}/cohorts`)).json().cohorts.map((c: { name: string }) => c.name)).toEqual(['Alpha']);
    const none = await reader('none@example.test');
    expect((await get(`/api/readers/${none.id}/cohorts`)).json()).toEqual({ cohorts: [] });

    const missing = await get('/api/readers/999999/cohorts');
    expect(missing.statusCode).toBe(404);
    expect(problemOf(missing).code).toBe('not_found');
    expect(problemOf(await get(`/api/readers/${consultant.user.id}/cohorts`)).code).toBe('not_found');
    expect((await get('/api/readers/abc/cohorts')).statusCode).toBe(400);
    const signedInReader = await t.signIn('reader', 'nosy@example.test');
    expect((await get(`/api/readers/${ann.id}/cohorts`, signedInReader.headers)).statusCode).toBe(403);
  });

  it('GET /api/analytics/activity?reader= counts one reader\'s events per day, notes the view in their access log, 404s an unknown reader', async () => {
    const ann = await reader('ann@example.test', 'Ann');
    const bob = await reader('bob@example.test', 'Bob');
    const club = await t.store.cohorts.createCohort('Club');
    await t.store.cohorts.addReaderToCohort(club.id, bob.id);
    const start = t.clock.now() - (t.clock.now() % DAY);
    await t.store.activity.logActivities(ann.id, [{ actionType: 'LOGIN', metadata: null }, { actionType: 'SUBMIT', metadata: null }]);
    await t.store.activity.logActivity(bob.id, { actionType: 'LOGIN', metadata: null });
    t.clock.advance(DAY);
    await t.store.activity.logActivity(ann.id, { actionType: 'PAGE_TURN', metadata: { page: 2 } });
    // A day later the consultant's session has idled out: they sign in again.
    const login = await t.app.inject({ method: 'POST', url: '/api/auth/login', payload: { email: 'consultant@example.test', password: TEST_PASSWORD } });
    consultant = { ...consultant, headers: { authorization: `Bearer ${login.json().token}` } };
    const range = `bucket=day&from=${new Date(start - DAY).toISOString()}&to=${new Date(t.clock.now() + 1).toISOString()}`;

    const answer = await get(`/api/analytics/activity?${range}&reader=${ann.id}`);
    expect(answer.statusCode).toBe(200);
    const buckets = answer.json().buckets as { start: string; events: number; activeReaders: number }[];
    expect(buckets.map((b) => [b.events, b.activeReaders])).toEqual([[0, 0], [2, 1], [1, 1]]);
    // The same as the reader's own activity, counted.
    const events = (await t.store.activity.listActivity(ann.id, { limit: 100 })).items;
    expect(buckets.reduce((n, b) => n + b.events, 0)).toBe(events.length);
    expect((await get(`/api/analytics/activity?${range}`)).json().buckets.map((b: { events: number }) => b.events)).toEqual([0, 3, 1]);
    // With a cohort the reader is not in, nothing; with one they are in, their own.
    expect((await get(`/api/analytics/activity?${range}&reader=${ann.id}&cohort=${club.id}`)).json().buckets.map((b: { events: number }) => b.events)).toEqual([0, 0, 0]);
    expect((await get(`/api/analytics/activity?${range}&reader=${bob.id}&cohort=${club.id}`)).json().buckets.map((b: { events: number }) => b.events)).toEqual([0, 1, 0]);

    const log = await get(`/api/readers/${ann.id}/access-log`);
    expect(log.json().entries).toEqual([expect.objectContaining({ consultant: { id: consultant.user.id, name: 'Consultant' }, what: 'activity' })]);
    const missing = await get(`/api/analytics/activity?${range}&reader=999999`);
    expect(missing.statusCode).toBe(404);
    expect(problemOf(missing).code).toBe('not_found');
    expect((await get(`/api/analytics/activity?${range}&reader=0`)).statusCode).toBe(400);
  });

  it('GET /api/analytics/summary equals what the whole grid and the attention lists give, for everyone and for a cohort', async () => {
    await t.store.chapters.createChapter({ id: 'one', title: 'One' });
    await t.store.chapters.createChapter({ id: 'two', title: 'Two' });
    const put = (who: SignedInUser, chapter: string, status: string, score?: number) =>
      t.app.inject({ method: 'PUT', url: `/api/me/milestones/${chapter}`, headers: who.headers, payload: { status, ...(score === undefined ? {} : { score }) } });
    const ann = await t.signIn('reader', 'ann@example.test', 'Ann');
    const bob = await t.signIn('reader', 'bob@example.test', 'Bob');
    const cat = await t.signIn('reader', 'cat@example.test', 'Cat');
    await reader('dan@example.test', 'Dan'); // never active
    expect((await put(ann, 'one', 'completed', 40)).statusCode).toBe(200);
    expect((await put(ann, 'two', 'stuck')).statusCode).toBe(200);
    expect((await put(bob, 'one', 'completed', 60)).statusCode).toBe(200);
    expect((await put(bob, 'two', 'completed', 90)).statusCode).toBe(200);
    expect((await put(cat, 'one', 'stuck')).statusCode).toBe(200);
    await t.presence.flush();
    const club = await t.store.cohorts.createCohort('Club');
    await t.store.cohorts.addReaderToCohort(club.id, ann.user.id);
    await t.store.cohorts.addReaderToCohort(club.id, bob.user.id);
    // Two days on, only Bob comes back (and the consultant signs in again).
    t.clock.advance(2 * DAY);
    const login = await t.app.inject({ method: 'POST', url: '/api/auth/login', payload: { email: 'consultant@example.test', password: TEST_PASSWORD } });
    consultant = { ...consultant, headers: { authorization: `Bearer ${login.json().token}` } };
    const bobAgain = await t.app.inject({ method: 'POST', url: '/api/auth/login', payload: { email: 'bob@example.test', password: TEST_PASSWORD } });
    expect(bobAgain.statusCode).toBe(200);
    await t.app.inject({ method: 'GET', url: '/api/me', headers: { authorization: `Bearer ${bobAgain.json().token}` } });
    await t.presence.flush();
    await t.sweeper.runOnce();

    const now = t.clock.now();
    const today = now - (now % DAY);
    const expectedFrom = async (cohort: string) => {
      const grid = (await get(`/api/analytics/grid?limit=200${cohort}`)).json() as {
        chapters: string[];
        readers: { reader: { lastActiveAt: string | null }; cells: { status: string | null; score: number | null }[] }[];
      };
      const counts = (await get(`/api/attention/counts?${cohort.slice(1)}`)).json();
      const open = (await get(`/api/attention?state=open&limit=200${cohort}`)).json().items.length;
      const claimed = (await get(`/api/attention?state=claimed&limit=200${cohort}`)).json().items.length;
      expect(counts).toEqual({ open, claimed });
      const last = (r: { reader: { lastActiveAt: string | null } }) => (r.reader.lastActiveAt === null ? Number.NaN : Date.parse(r.reader.lastActiveAt));
      const cells = grid.readers.flatMap((r) => r.cells);
      const scores = cells.filter((c) => c.status === 'completed' && c.score !== null).map((c) => c.score!).sort((a, b) => a - b);
      const mid = Math.floor(scores.length / 2);
      const slots = grid.readers.length * grid.chapters.length;
      return {
        readers: grid.readers.length,
        activeToday: grid.readers.filter((r) => last(r) >= today).length,
        activeThisWeek: grid.readers.filter((r) => last(r) >= now - 7 * DAY).length,
        percentCompleted: slots === 0 ? null : Math.round((cells.filter((c) => c.status === 'completed').length / slots) * 1000) / 10,
        medianScore: scores.length === 0 ? null : scores.length % 2 === 1 ? scores[mid]! : (scores[mid - 1]! + scores[mid]!) / 2,
        stuckReaders: grid.readers.filter((r) => r.cells.some((c) => c.status === 'stuck')).length,
        attention: { open, claimed },
      };
    };

    const all = await get('/api/analytics/summary');
    expect(all.statusCode).toBe(200);
    expect(all.json()).toEqual(await expectedFrom(''));
    // The same figures, by hand: 4 readers, 3 of 8 milestones completed, scores 40 60 90, Ann and Cat stuck.
    expect(all.json()).toMatchObject({ readers: 4, activeToday: 1, activeThisWeek: 3, percentCompleted: 37.5, medianScore: 60, stuckReaders: 2 });
    expect(all.json().attention.open).toBeGreaterThan(0);

    const cohort = await get(`/api/analytics/summary?cohort=${club.id}`);
    expect(cohort.json()).toEqual(await expectedFrom(`&cohort=${club.id}`));
    expect(cohort.json()).toMatchObject({ readers: 2, activeToday: 1, activeThisWeek: 2, percentCompleted: 75, medianScore: 60, stuckReaders: 1 });

    // "today" as the viewer's midnight: 47 hours ago takes in no one more; 48 hours ago takes in Ann and Cat.
    expect((await get(`/api/analytics/summary?today=${new Date(now - 47 * 3_600_000).toISOString()}`)).json().activeToday).toBe(1);
    expect((await get(`/api/analytics/summary?today=${new Date(now - 2 * DAY).toISOString()}`)).json().activeToday).toBe(3);

    for (const bad of ['today=yesterday', `today=${new Date(now + 60_000).toISOString()}`, `today=${new Date(now - 3 * DAY).toISOString()}`, 'cohort=0']) {
      const answer = await get(`/api/analytics/summary?${bad}`);
      expect(answer.statusCode, bad).toBe(400);
      expect(problemOf(answer).code).toBe('invalid_request');
    }
    expect((await get('/api/analytics/summary?cohort=999999')).statusCode).toBe(404);
  });

  it('GET /api/analytics/summary of an empty program: no readers, no chapters, nulls where nothing is counted', async () => {
    const answer = await get('/api/analytics/summary');
    expect(answer.json()).toEqual({
      readers: 0,
      activeToday: 0,
      activeThisWeek: 0,
      percentCompleted: null,
      medianScore: null,
      stuckReaders: 0,
      attention: { open: 0, claimed: 0 },
    });
  });

  it('GET /api/readers says on its first page how many readers the search and cohort hold over all pages', async () => {
    const club = await t.store.cohorts.createCohort('Club');
    for (let i = 0; i < 7; i += 1) {
      const r = await reader(`r${i}@example.test`, i % 2 === 0 ? `Even ${i}` : `Odd ${i}`);
      if (i < 5) await t.store.cohorts.addReaderToCohort(club.id, r.id);
    }
    const walk = async (query: string) => {
      const ids: number[] = [];
      let cursor: string | null = null;
      let total: number | undefined;
      do {
        const answer: { readers: { id: number }[]; nextCursor: string | null; total?: number } = (
          await get(`/api/readers?limit=2${query}${cursor === null ? '' : `&cursor=${cursor}`}`)
        ).json();
        if (cursor === null) total = answer.total;
        else expect(answer.total).toBeUndefined();
        ids.push(...answer.readers.map((r) => r.id));
        cursor = answer.nextCursor;
      } while (cursor !== null);
      return { total, listed: ids.length };
    };
    expect(await walk('')).toEqual({ total: 7, listed: 7 });
    expect(await walk(`&cohort=${club.id}`)).toEqual({ total: 5, listed: 5 });
    expect(await walk('&search=even')).toEqual({ total: 4, listed: 4 });
    expect(await walk(`&cohort=${club.id}&search=ODD`)).toEqual({ total: 2, listed: 2 });
    expect(await walk('&search=nobody')).toEqual({ total: 0, listed: 0 });
    expect((await get('/api/readers?cohort=999999')).statusCode).toBe(404);
    // Consultants are not readers.
    expect((await get('/api/readers?search=consultant')).json()).toEqual({ readers: [], nextCursor: null, total: 0 });
  });

  it('GET /api/readers sorts by name, last activity or completed chapters and filters by status, page after page, with the total', async () => {
    await t.store.chapters.createChapter({ id: 'one', title: 'One' });
    await t.store.chapters.createChapter({ id: 'two', title: 'Two' });
    const club = await t.store.cohorts.createCohort('Club');
    // name, minutes ago last active (null: never), milestones
    const plan: [string, number | null, [string, 'started' | 'completed' | 'stuck'][]][] = [
      ['Cleo', 30, [['one', 'completed'], ['two', 'completed']]],
      ['abe', null, []],
      ['Bea', 5, [['one', 'stuck']]],
      ['Dov', 60, [['one', 'completed'], ['two', 'stuck']]],
      ['Ali', 5, [['one', 'started']]],
      ['Eve', null, [['one', 'completed']]],
    ];
    const ids = new Map<string, number>();
    for (const [name, minutesAgo, milestones] of plan) {
      const r = await reader(`${name.toLowerCase()}@example.test`, name);
      ids.set(name, r.id);
      if (name !== 'Eve') await t.store.cohorts.addReaderToCohort(club.id, r.id);
      for (const [chapterId, status] of milestones) await t.store.progress.upsertMilestone(r.id, { chapterId, status, score: status === 'completed' ? 80 : null });
      if (minutesAgo !== null) await t.store.sessions.updateHeartbeat(r.id, t.clock.now() - minutesAgo * 60_000);
    }
    const names = async (query: string) => {
      const seen: string[] = [];
      let cursor: string | null = null;
      let total: number | undefined;
      do {
        const answer = await get(`/api/readers?limit=2${query}${cursor === null ? '' : `&cursor=${cursor}`}`);
        expect(answer.statusCode, answer.body).toBe(200);
        const body: { readers: { name: string }[]; nextCursor: string | null; total?: number } = answer.json();
        if (cursor === null) total = body.total;
        seen.push(...body.readers.map((r) => r.name));
        cursor = body.nextCursor;
      } while (cursor !== null);
      expect(total, query).toBe(seen.length);
      return seen;
    };
    const byId = [...ids.entries()].sort((a, b) => a[1] - b[1]).map(([n]) => n);
    expect(await names('')).toEqual(byId);
    expect(await names('&sort=id')).toEqual(byId);
    // Binary order on both engines: capitals before lower case.
    expect(await names('&sort=name')).toEqual(['Ali', 'Bea', 'Cleo', 'Dov', 'Eve', 'abe']);
    // Most recent first, the later id first among equals, never active last.
    expect(await names('&sort=last-active')).toEqual(['Ali', 'Bea', 'Cleo', 'Dov', 'Eve', 'abe']);
    expect(await names('&sort=completed')).toEqual(['Cleo', 'Dov', 'Eve', 'abe', 'Bea', 'Ali']);
    expect(await names('&status=stuck')).toEqual(['Bea', 'Dov']);
    expect(await names('&status=not-started')).toEqual(['abe']);
    expect(await names('&status=completed-all')).toEqual(['Cleo']);
    expect(await names(`&status=stuck&cohort=${club.id}&sort=name`)).toEqual(['Bea', 'Dov']);
    expect(await names(`&sort=completed&cohort=${club.id}&search=b`)).toEqual(['abe', 'Bea']);
    expect(await names('&sort=completed&search=eve')).toEqual(['Eve']);
    expect(await names('&status=completed-all&search=zzz')).toEqual([]);

    // The counts each row carries agree with the store.
    const first = (await get('/api/readers?sort=completed&limit=1')).json().readers[0];
    expect(first).toMatchObject({ name: 'Cleo', counts: { started: 0, completed: 2, stuck: 0 } });
    for (const bad of ['sort=age', 'status=happy', 'sort=name&cursor=bm90IGEgY3Vyc29y']) {
      const answer = await get(`/api/readers?${bad}`);
      expect(answer.statusCode, bad).toBe(400);
      expect(problemOf(answer).code).toBe('invalid_request');
    }
    // A cursor of the list by id is not a position in a sorted list.
    const idCursor = (await get('/api/readers?limit=1')).json().nextCursor;
    expect((await get(`/api/readers?sort=name&cursor=${idCursor}`)).statusCode).toBe(400);
  });
});
