import type { InjectOptions } from 'fastify';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { rowCounts } from '../support/row-counts.js';
import { buildTestApp, type SignedInUser, type TestApp } from '../support/test-app.js';

/** Bad input on the routes of program insight and data out: a problem, never a 500, nothing changed. */
interface Case {
  readonly name: string;
  readonly as: 'reader' | 'consultant';
  readonly method: 'GET' | 'DELETE';
  readonly url: string;
  readonly payload?: unknown;
  readonly contentType?: string;
  readonly status: number;
  readonly code: string;
}

const invalid = { status: 400, code: 'invalid_request' } as const;
const notFound = { status: 404, code: 'not_found' } as const;
const base64url = (text: string) => Buffer.from(text, 'utf8').toString('base64url');

function gets(as: Case['as'], url: string, rows: [string, string, { status: number; code: string }][]): Case[] {
  const sep = url.includes('?') ? '&' : '?';
  return rows.map(([name, query, expected]) => ({ name: `GET ${url}: ${name}`, as, method: 'GET', url: `${url}${sep}${query}`, ...expected }));
}

const BAD_COHORTS: [string, string, { status: number; code: string }][] = [
  ['cohort=0', 'cohort=0', invalid],
  ['cohort=-1', 'cohort=-1', invalid],
  ['cohort=abc', 'cohort=abc', invalid],
  ['cohort=1.5', 'cohort=1.5', invalid],
  ['an empty cohort', 'cohort=', invalid],
  ['a cohort nobody made', 'cohort=42', notFound],
];

const BAD_RANGES: [string, string, { status: number; code: string }][] = [
  ['from that is not a time', 'from=yesterday', invalid],
  ['to that is a number', 'to=1732000000000', invalid],
  ['from with month 13', 'from=2026-13-01T00:00:00Z', invalid],
  ['from of 41 characters', `from=${'2'.repeat(41)}`, invalid],
  ['from after to', 'from=2026-11-24T00:00:00Z&to=2026-11-23T00:00:00Z', invalid],
  ['from equal to to', 'from=2026-11-24T00:00:00Z&to=2026-11-24T00:00:00Z', invalid],
];

const BAD_PAGES: [string, string, { status: number; code: string }][] = [
  ['limit=0', 'limit=0', invalid],
  ['limit=201', 'limit=201', invalid],
  ['limit=abc', 'limit=abc', invalid],
  ['a garbage cursor', 'cursor=%21%21nope', invalid],
  ['a cursor of the wrong JSON', `cursor=${base64url('{"before":[1]}')}`, invalid],
];

const ACCESS_CURSOR: [string, string, { status: number; code: string }][] = [
  ['a cursor with one key', `cursor=${base64url('{"after":[1]}')}`, invalid],
];

const CASES: readonly Case[] = [
  ...gets('consultant', '/api/analytics/chapters', BAD_COHORTS),
  ...gets('consultant', '/api/analytics/activity', [
    ...BAD_COHORTS,
    ...BAD_RANGES,
    ['bucket=week', 'bucket=week', invalid],
    ['bucket=HOUR', 'bucket=HOUR', invalid],
    ['1,001 hour buckets', 'bucket=hour&from=2026-01-01T00:00:00Z&to=2026-02-11T17:00:00Z', invalid],
    ['1,001 day buckets', 'bucket=day&from=2020-01-01&to=2022-09-28', invalid],
  ]),
  ...gets('consultant', '/api/analytics/grid', [...BAD_COHORTS, ...BAD_PAGES, ['a cursor with two keys', `cursor=${base64url('{"after":[1,2]}')}`, invalid]]),
  ...gets('consultant', '/api/export/progress.csv', BAD_COHORTS),
  ...gets('consultant', '/api/export/activity.csv', [...BAD_COHORTS, ...BAD_RANGES]),
  ...gets('reader', '/api/me/access-log', [...BAD_PAGES, ...ACCESS_CURSOR]),
  ...gets('consultant', '/api/readers/{reader}/access-log', [...BAD_PAGES, ...ACCESS_CURSOR]),
  ...[
    ['id abc', 'abc', invalid],
    ['id 0', '0', invalid],
    ['id 1.5', '1.5', invalid],
    ['an id no user has', '999999', notFound],
    ["a consultant's id", '{consultant}', notFound],
  ].map(([name, id, expected]): Case => ({
    name: `GET /api/readers/:id/access-log: ${name as string}`,
    as: 'consultant',
    method: 'GET',
    url: `/api/readers/${id as string}/access-log`,
    ...(expected as typeof invalid),
  })),
  ...[
    ['no body', undefined, invalid],
    ['a missing password', {}, invalid],
    ['an empty password', { password: '' }, invalid],
    ['a password that is a number', { password: 12345678 }, invalid],
    ['a password of 257 characters', { password: 'p'.repeat(257) }, invalid],
    ['an unknown field', { password: 'whatever', userId: 1 }, invalid],
    ['a wrong password', { password: 'not the password' }, { status: 401, code: 'unauthenticated' }],
  ].map(([name, payload, expected]): Case => ({
    name: `DELETE /api/me: ${name as string}`,
    as: 'reader',
    method: 'DELETE',
    url: '/api/me',
    ...(payload === undefined ? {} : { payload }),
    ...(expected as typeof invalid),
  })),
  ...[
    ['malformed JSON', '{"password": ', 'application/json', invalid],
    ['a JSON array', '["x"]', 'application/json', invalid],
    ['a text/plain body', 'password', 'text/plain', { status: 415, code: 'unsupported_media_type' }],
    ['a form-encoded body', 'password=x', 'application/x-www-form-urlencoded', { status: 415, code: 'unsupported_media_type' }],
  ].map(([name, payload, contentType, expected]): Case => ({
    name: `DELETE /api/me: ${name as string}`,
    as: 'reader',
    method: 'DELETE',
    url: '/api/me',
    payload,
    contentType: contentType as string,
    ...(expected as typeof invalid),
  })),
];

describe('bad input on analytics, exports and a user\'s own data is refused and changes nothing', () => {
  let t: TestApp;
  let world: { reader: SignedInUser; consultant: SignedInUser };
  beforeAll(async () => {
    t = await buildTestApp();
    world = {
      reader: await t.signIn('reader', 'reader@example.test', 'Reader'),
      consultant: await t.signIn('consultant', 'consultant@example.test', 'Consultant'),
    };
    await t.store.progress.upsertMilestone(world.reader.user.id, { chapterId: 'a', status: 'stuck', score: null });
    await t.store.activity.logActivity(world.reader.user.id, { actionType: 'LOGIN', metadata: null });
    await t.store.accessLog.recordAccess([{ consultantId: world.consultant.user.id, readerId: world.reader.user.id, kind: 'progress', at: t.clock.now() }]);
  });
  afterAll(async () => t.close());
  beforeEach(() => t.clock.advance(1_000));

  it('has a distinct name for every case', () => {
    expect(new Set(CASES.map((c) => c.name)).size).toBe(CASES.length);
  });

  it.each(CASES.map((c) => [`${c.name} -> ${c.status} ${c.code}`, c] as const))('%s', async (_title, c) => {
    const url = c.url.replace('{reader}', String(world.reader.user.id)).replace('{consultant}', String(world.consultant.user.id));
    const headers: Record<string, string> = { ...world[c.as].headers };
    if (c.contentType) headers['content-type'] = c.contentType;
    const request: InjectOptions = { method: c.method, url, headers };
    if (c.payload !== undefined) request.payload = c.payload as InjectOptions['payload'];
    const before = await rowCounts(t);
    const response = await t.app.inject(request);
    expect(response.statusCode, response.body).toBe(c.status);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.json()).toMatchObject({ status: c.status, code: c.code, detail: expect.any(String) });
    expect(await rowCounts(t)).toEqual(before);
    expect(t.accessRecorder.pendingCount).toBe(0);
  });

  it('the limits themselves are accepted: 1,000 hour buckets and a date-only range', async () => {
    const hours = await t.app.inject({
      method: 'GET',
      url: '/api/analytics/activity?bucket=hour&from=2026-01-01T00:00:00Z&to=2026-02-11T16:00:00Z',
      headers: world.consultant.headers,
    });
    expect(hours.statusCode).toBe(200);
    expect(hours.json().buckets).toHaveLength(1_000);
    const days = await t.app.inject({ method: 'GET', url: '/api/analytics/activity?from=2026-11-01&to=2026-11-08', headers: world.consultant.headers });
    expect(days.json().buckets).toHaveLength(7);
  });
});
