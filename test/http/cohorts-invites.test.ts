import { afterEach, describe, expect, it } from 'vitest';
import { buildTestApp, problemOf, type SignedInUser, type TestApp } from '../support/test-app.js';

describe('cohorts and invites over HTTP', () => {
  let t: TestApp;
  let consultant: SignedInUser;

  async function start(env: Record<string, string> = {}): Promise<void> {
    t = await buildTestApp({ env });
    consultant = await t.signIn('consultant', 'consultant@example.test', 'Consultant');
  }
  afterEach(async () => t.close());

  const post = (url: string, payload: object, headers = consultant.headers) => t.app.inject({ method: 'POST', url, headers, payload });
  const register = (email: string, invite?: string) =>
    t.app.inject({ method: 'POST', url: '/api/auth/register', payload: { email, password: 'a long enough password', name: 'New', ...(invite ? { invite } : {}) } });

  it('an invite registers a reader into its cohort while self-registration is closed', async () => {
    await start({ READPULSE_REGISTRATION: 'closed' });
    const cohort = (await post('/api/cohorts', { name: 'Class 4B' })).json().cohort;
    const created = await post('/api/invites', { cohortId: cohort.id, maxUses: 2, expiresInDays: 3 });
    expect(created.statusCode).toBe(201);
    const invite = created.json().invite;
    expect(invite).toMatchObject({ cohortId: cohort.id, usesLeft: 2, createdBy: { id: consultant.user.id } });
    expect(invite.code).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(Date.parse(invite.expiresAt) - t.clock.now()).toBe(3 * 86_400_000);

    expect((await register('closed@example.test')).statusCode).toBe(403);
    const joined = await register('invited@example.test', invite.code);
    expect(joined.statusCode).toBe(201);
    const reader = joined.json().user;
    expect(reader.role).toBe('reader');
    expect(await t.store.cohorts.listCohortReaderIds(cohort.id)).toEqual([reader.id]);

    const listed = await t.app.inject({ method: 'GET', url: `/api/readers?cohort=${cohort.id}`, headers: consultant.headers });
    expect(listed.json().readers.map((r: { id: number }) => r.id)).toEqual([reader.id]);
    const invites = (await t.app.inject({ method: 'GET', url: '/api/invites', headers: consultant.headers })).json().invites;
    expect(invites).toEqual([expect.objectContaining({ code: invite.code.slice(0, 8), usesLeft: 1 })]);
  });

  it('the database keeps only a hash of the code, never the code', async () => {
    await start();
    const { code } = (await post('/api/invites', {})).json().invite;
    const rows = await t.db.all('SELECT * FROM invites');
    expect(rows).toHaveLength(1);
    expect(Object.values(rows[0]!).some((value) => value === code)).toBe(false);
    expect(JSON.stringify(rows)).not.toContain(code.slice(8));
  });

  it('a used-up, expired, revoked or unknown invite is refused with the same 403 body', async () => {
    await start({ READPULSE_REGISTRATION: 'closed' });
    const usedUp = (await post('/api/invites', { maxUses: 1 })).json().invite.code;
    const expiring = (await post('/api/invites', { expiresInDays: 1 })).json().invite.code;
    const revoked = (await post('/api/invites', {})).json().invite.code;
    expect((await register('first@example.test', usedUp)).statusCode).toBe(201);
    expect((await t.app.inject({ method: 'DELETE', url: `/api/invites/${revoked.slice(0, 8)}`, headers: consultant.headers })).statusCode).toBe(204);
    t.clock.advance(86_400_000);
    const bodies = new Set<string>();
    const attempts = [usedUp, expiring, revoked, 'A'.repeat(32), 'short'];
    for (const [i, code] of attempts.entries()) {
      const response = await register(`again${i}@example.test`, code);
      expect(response.statusCode).toBe(403);
      const { status, code: errorCode, detail, title, type } = problemOf(response);
      bodies.add(JSON.stringify({ status, errorCode, detail, title, type }));
      expect(await t.store.users.getUserByEmail(`again${i}@example.test`)).toBeNull();
    }
    expect(bodies.size).toBe(1);
  });

  it('GET /api/invites/:code/status: public, says valid or not as registering would, names no cohort and spends nothing', async () => {
    await start({ READPULSE_REGISTRATION: 'closed' });
    const cohort = (await post('/api/cohorts', { name: 'Secret club name' })).json().cohort;
    const status = (code: string) => t.app.inject({ method: 'GET', url: `/api/invites/${encodeURIComponent(code)}/status` });
    const live = (await post('/api/invites', { cohortId: cohort.id, maxUses: 1 })).json().invite.code;
    const usedUp = (await post('/api/invites', { maxUses: 1 })).json().invite.code;
    const expiring = (await post('/api/invites', { expiresInDays: 1 })).json().invite.code;
    const revoked = (await post('/api/invites', {})).json().invite.code;
    const valid = await status(live);
    expect(valid.statusCode).toBe(200);
    expect(valid.json()).toEqual({ valid: true, reason: null });
    expect(valid.body).not.toContain('Secret club');
    // Asking spends no use: the invite still registers its one reader.
    for (let i = 0; i < 3; i += 1) await status(live);
    expect((await t.store.invites.listInvites({ limit: 10 })).items.find((i) => live.startsWith(i.codePrefix))!.usesLeft).toBe(1);

    expect((await register('first@example.test', usedUp)).statusCode).toBe(201);
    expect((await t.app.inject({ method: 'DELETE', url: `/api/invites/${revoked.slice(0, 8)}`, headers: consultant.headers })).statusCode).toBe(204);
    t.clock.advance(86_400_000);
    const bodies = new Set<string>();
    for (const code of [usedUp, expiring, revoked, 'A'.repeat(32), 'short', live.slice(0, 8), `${live}x`]) {
      const dead = await status(code);
      expect(dead.statusCode, code).toBe(200);
      expect(dead.json()).toEqual({ valid: false, reason: 'unusable' });
      bodies.add(dead.body);
      // What registering says of the same code agrees.
      expect((await register(`try-${bodies.size}-${code.length}@example.test`, code)).statusCode).toBe(403);
    }
    expect(bodies.size).toBe(1);
    expect(await status(live).then((r) => r.json())).toEqual({ valid: true, reason: null });
    expect((await register('joined@example.test', live)).statusCode).toBe(201);
    expect(await status(live).then((r) => r.json())).toEqual({ valid: false, reason: 'unusable' });

    const tooLong = await status('x'.repeat(65));
    expect(tooLong.statusCode).toBe(400);
    expect(problemOf(tooLong).code).toBe('invalid_request');
  });

  it('GET /api/invites/:code/status is limited per client address like registration', async () => {
    await start({ READPULSE_AUTH_RATE_BURST: '3', READPULSE_AUTH_RATE_PER_SECOND: '1' });
    const statuses: number[] = [];
    for (let n = 0; n < 4; n += 1) statuses.push((await t.app.inject({ method: 'GET', url: `/api/invites/${'B'.repeat(32)}/status` })).statusCode);
    // The consultant's sign-in from the same address took one of the three.
    expect(statuses).toEqual([200, 200, 429, 429]);
    const limited = await t.app.inject({ method: 'GET', url: `/api/invites/${'B'.repeat(32)}/status` });
    expect(problemOf(limited).code).toBe('rate_limited');
    expect(limited.headers['retry-after']).toBeDefined();
    t.clock.advance(2000);
    expect((await t.app.inject({ method: 'GET', url: `/api/invites/${'B'.repeat(32)}/status` })).statusCode).toBe(200);
    // A signed-in consultant's own reads are not limited by the address.
    expect((await t.app.inject({ method: 'GET', url: '/api/invites', headers: consultant.headers })).statusCode).toBe(200);
  });

  it('concurrent registrations spend exactly the invite\'s uses', async () => {
    await start({ READPULSE_REGISTRATION: 'closed' });
    const cohort = (await post('/api/cohorts', { name: 'Rush' })).json().cohort;
    const { code } = (await post('/api/invites', { cohortId: cohort.id, maxUses: 4 })).json().invite;
    const responses = await Promise.all(Array.from({ length: 10 }, (_, i) => register(`rush${i}@example.test`, code)));
    expect(responses.map((r) => r.statusCode).sort()).toEqual([201, 201, 201, 201, 403, 403, 403, 403, 403, 403]);
    expect(await t.store.cohorts.listCohortReaderIds(cohort.id)).toHaveLength(4);
    expect((await t.store.invites.listInvites({ limit: 10 })).items[0]!.usesLeft).toBe(0);
  });

  it('manages cohorts and their readers; ?cohort narrows the stuck list and the live view', async () => {
    await start();
    const ann = await t.signIn('reader', 'ann@example.test', 'Ann');
    const ben = await t.signIn('reader', 'ben@example.test', 'Ben');
    const cohort = (await post('/api/cohorts', { name: 'Club' })).json().cohort;
    expect(cohort).toMatchObject({ name: 'Club', readerCount: 0 });
    const put = await t.app.inject({ method: 'PUT', url: `/api/cohorts/${cohort.id}/readers/${ann.user.id}`, headers: consultant.headers });
    expect(put.statusCode).toBe(204);
    for (const who of [ann, ben]) {
      await t.app.inject({ method: 'PUT', url: '/api/me/milestones/ch01', headers: who.headers, payload: { status: 'stuck' } });
    }
    const stuck = await t.app.inject({ method: 'GET', url: `/api/consultant/stuck?cohort=${cohort.id}`, headers: consultant.headers });
    expect(stuck.json().stuck.map((s: { reader: { id: number } }) => s.reader.id)).toEqual([ann.user.id]);
    const live = await t.app.inject({ method: 'GET', url: `/api/consultant/dashboard/live?cohort=${cohort.id}`, headers: consultant.headers });
    expect(live.statusCode).toBe(200);
    expect(live.json().readers.map((r: { id: number }) => r.id)).toEqual([ann.user.id]);
    const all = await t.app.inject({ method: 'GET', url: '/api/consultant/dashboard/live', headers: consultant.headers });
    expect(all.json().readers).toHaveLength(2);

    const renamed = await t.app.inject({ method: 'PUT', url: `/api/cohorts/${cohort.id}`, headers: consultant.headers, payload: { name: ' Book club ' } });
    expect(renamed.json().cohort).toMatchObject({ id: cohort.id, name: 'Book club', readerCount: 1 });
    const out = await t.app.inject({ method: 'DELETE', url: `/api/cohorts/${cohort.id}/readers/${ann.user.id}`, headers: consultant.headers });
    expect(out.statusCode).toBe(204);
    const liveAfter = await t.app.inject({ method: 'GET', url: `/api/consultant/dashboard/live?cohort=${cohort.id}`, headers: consultant.headers });
    expect(liveAfter.json().readers).toEqual([]);
    expect((await t.app.inject({ method: 'DELETE', url: `/api/cohorts/${cohort.id}`, headers: consultant.headers })).statusCode).toBe(204);
    expect((await t.app.inject({ method: 'GET', url: '/api/cohorts', headers: consultant.headers })).json()).toEqual({ cohorts: [] });
    expect(await t.store.readers.getReader(ann.user.id)).toMatchObject({ id: ann.user.id });
  });
});
