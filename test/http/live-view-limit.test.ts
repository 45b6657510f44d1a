import { afterEach, describe, expect, it } from 'vitest';
import { hashSessionToken } from '../../src/auth/session-token.js';
import { LIVE_VIEW_MIN_REBUILD_MS } from '../../src/http/live-dashboard.js';
import { buildTestApp, type SignedInUser, type TestApp } from '../support/test-app.js';

const LIVE = '/api/consultant/dashboard/live';

describe('the live view with many readers online', () => {
  let t: TestApp;
  afterEach(async () => t.close());

  /** 250 readers, each active a second after the one before; returns their ids, newest first. */
  async function crowd(): Promise<{ consultant: SignedInUser; newestFirst: number[] }> {
    t = await buildTestApp();
    const consultant = await t.signIn('consultant', 'c@example.test');
    const ids: number[] = [];
    for (let n = 0; n < 250; n += 1) {
      const user = await t.store.users.createUser({ email: `r${n}@example.test`, name: `R${n}`, role: 'reader', passwordHash: 'x' });
      t.presence.touch(user, hashSessionToken(`token-${n}`));
      ids.push(user.id);
      t.clock.advance(100);
    }
    return { consultant, newestFirst: ids.reverse() };
  }

  it('answers onlineCount for everyone in the window and the 200 most recent by default', async () => {
    const { consultant, newestFirst } = await crowd();
    const response = await t.app.inject({ method: 'GET', url: LIVE, headers: consultant.headers });
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body.onlineCount).toBe(250);
    expect(body.readers.map((u: { id: number }) => u.id)).toEqual(newestFirst.slice(0, 200));
  });

  it('takes ?limit=1..1000, with the same count', async () => {
    const { consultant, newestFirst } = await crowd();
    for (const limit of [1, 17, 1000]) {
      const body = (await t.app.inject({ method: 'GET', url: `${LIVE}?limit=${limit}`, headers: consultant.headers })).json();
      expect(body.onlineCount).toBe(250);
      expect(body.readers.map((u: { id: number }) => u.id)).toEqual(newestFirst.slice(0, limit));
    }
  });

  it('changes its ETag when only the count changes', async () => {
    const { consultant } = await crowd();
    const first = await t.app.inject({ method: 'GET', url: `${LIVE}?limit=1`, headers: consultant.headers });
    const newcomer = await t.store.users.createUser({ email: 'late@example.test', name: '', role: 'reader', passwordHash: 'x' });
    t.clock.advance(-30_000); // older than everyone shown, still in the window
    t.presence.touch(newcomer, hashSessionToken('late'));
    t.clock.advance(30_000 + LIVE_VIEW_MIN_REBUILD_MS);
    const second = await t.app.inject({ method: 'GET', url: `${LIVE}?limit=1`, headers: { ...consultant.headers, 'if-none-match': String(first.headers.etag) } });
    expect(second.statusCode).toBe(200);
    expect(second.json().onlineCount).toBe(251);
  });

  it('is documented with its limit and onlineCount (the stream snapshot is the same body)', async () => {
    const { consultant } = await crowd();
    const live = (await t.app.inject({ method: 'GET', url: LIVE, headers: consultant.headers })).json();
    const doc = (await t.app.inject({ method: 'GET', url: '/api/openapi.json' })).json();
    const schema = doc.paths[LIVE].get;
    expect(schema.parameters).toEqual(expect.arrayContaining([expect.objectContaining({ in: 'query', name: 'limit' })]));
    expect(Object.keys(schema.responses['200'].content['application/json'].schema.properties)).toContain('onlineCount');
    expect(live.readers).toHaveLength(200);
  });

  it('rebuilds for a newcomer at most every LIVE_VIEW_MIN_REBUILD_MS, and then at once', async () => {
    const { consultant } = await crowd();
    const count = async () => (await t.app.inject({ method: 'GET', url: `${LIVE}?limit=1`, headers: consultant.headers })).json().onlineCount;
    expect(await count()).toBe(250);
    const newcomer = await t.store.users.createUser({ email: 'new@example.test', name: '', role: 'reader', passwordHash: 'x' });
    t.presence.touch(newcomer, hashSessionToken('new'));
    expect(await count()).toBe(250); // the view built a moment ago is served
    t.clock.advance(LIVE_VIEW_MIN_REBUILD_MS);
    expect(await count()).toBe(251);
  });
});

