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
});
