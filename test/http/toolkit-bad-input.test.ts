import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildTestApp, type SignedInUser, type TestApp } from '../support/test-app.js';

/**
 * Bad input on the cohort, invite and attention routes, and on the `?cohort=` filters: each is
 * a problem (never a 500) and leaves every table as it was. `{cohort}`, `{item}`, `{reader}`,
 * `{consultant}` and `{invite}` in a url become the seeded ids.
 */
type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';
interface Case {
  readonly name: string;
  readonly method: Method;
  readonly url: string;
  readonly payload?: unknown;
  readonly contentType?: string;
  readonly status: number;
  readonly code: string;
}

const invalid = { status: 400, code: 'invalid_request' } as const;
const notFound = { status: 404, code: 'not_found' } as const;
const conflict = { status: 409, code: 'conflict' } as const;
const forbidden = { status: 403, code: 'forbidden' } as const;
const notJson = { status: 415, code: 'unsupported_media_type' } as const;

function bodies(method: Method, url: string, rows: [string, unknown, { status: number; code: string }][]): Case[] {
  return rows.map(([name, payload, expected]) => ({ name: `${method} ${url}: ${name}`, method, url, payload, ...expected }));
}

function rawBodies(method: Method, url: string): Case[] {
  return (
    [
      ['malformed JSON', '{"oops": ', 'application/json', invalid],
      ['a JSON array', '[1]', 'application/json', invalid],
      ['a text/plain body', 'hello', 'text/plain', notJson],
      ['a body with no content type', '{"a":1}', undefined, notJson],
    ] as const
  ).map(([name, payload, contentType, expected]) => ({
    name: `${method} ${url}: ${name}`,
    method,
    url,
    payload,
    ...(contentType === undefined ? {} : { contentType }),
    ...expected,
  }));
}

function urls(method: Method, rows: [string, string, { status: number; code: string }][]): Case[] {
  return rows.map(([name, url, expected]) => ({ name: `${method} ${url}: ${name}`, method, url, ...expected }));
}

function cohortFilters(url: string): Case[] {
  const sep = url.includes('?') ? '&' : '?';
  return urls('GET', [
    ['cohort=abc', `${url}${sep}cohort=abc`, invalid],
    ['cohort=0', `${url}${sep}cohort=0`, invalid],
    ['cohort=1.5', `${url}${sep}cohort=1.5`, invalid],
    // Past the largest whole number an id can be (Number.MAX_SAFE_INTEGER): refused, not looked up.
    ['cohort=9007199254740993', `${url}${sep}cohort=9007199254740993`, invalid],
    ['an unknown cohort', `${url}${sep}cohort=999999`, notFound],
  ]);
}

const CASES: readonly Case[] = [
  ...bodies('POST', '/api/cohorts', [
    ['a missing name', {}, invalid],
    ['an empty name', { name: '' }, invalid],
    ['a blank name', { name: '   ' }, invalid],
    ['a name of 101 characters', { name: 'n'.repeat(101) }, invalid],
    ['a name that is a number', { name: 5 }, invalid],
    ['an unknown field', { name: 'X', readers: [1] }, invalid],
    ['a taken name', { name: 'Seeded' }, conflict],
  ]),
  ...rawBodies('POST', '/api/cohorts'),
  ...bodies('PUT', '/api/cohorts/{cohort}', [
    ['a blank name', { name: ' ' }, invalid],
    ['an unknown field', { name: 'X', id: 2 }, invalid],
    ['a name another cohort has', { name: 'Other' }, conflict],
  ]),
  ...rawBodies('PUT', '/api/cohorts/{cohort}'),
  ...bodies('PUT', '/api/cohorts/abc', [['id abc', { name: 'X' }, invalid]]),
  ...bodies('PUT', '/api/cohorts/999999', [['an unknown cohort', { name: 'X' }, notFound]]),
  ...urls('DELETE', [
    ['id abc', '/api/cohorts/abc', invalid],
    ['id 0', '/api/cohorts/0', invalid],
    ['id 99999999999999999999', '/api/cohorts/99999999999999999999', invalid],
    ['an unknown cohort', '/api/cohorts/999999', notFound],
  ]),
  ...urls('PUT', [
    ['reader id abc', '/api/cohorts/{cohort}/readers/abc', invalid],
    ['reader id -1', '/api/cohorts/{cohort}/readers/-1', invalid],
    ['reader id 9007199254740992', '/api/cohorts/{cohort}/readers/9007199254740992', invalid],
    ['an unknown reader', '/api/cohorts/{cohort}/readers/999999', notFound],
    ["a consultant's id", '/api/cohorts/{cohort}/readers/{consultant}', notFound],
    ['an unknown cohort', '/api/cohorts/999999/readers/{reader}', notFound],
  ]),
  ...urls('DELETE', [
    ['reader id abc', '/api/cohorts/{cohort}/readers/abc', invalid],
    ['an unknown cohort', '/api/cohorts/999999/readers/{reader}', notFound],
  ]),

  ...bodies('POST', '/api/invites', [
    ['maxUses 0', { maxUses: 0 }, invalid],
    ['maxUses 10001', { maxUses: 10_001 }, invalid],
    ['maxUses 1.5', { maxUses: 1.5 }, invalid],
    ['maxUses "2"', { maxUses: '2' }, invalid],
    ['expiresInDays 0', { expiresInDays: 0 }, invalid],
    ['expiresInDays 91', { expiresInDays: 91 }, invalid],
    ['cohortId 0', { cohortId: 0 }, invalid],
    ['an unknown cohort', { cohortId: 999_999 }, notFound],
    ['an unknown field', { code: 'mine' }, invalid],
  ]),
  ...rawBodies('POST', '/api/invites'),
  ...urls('GET', [
    ['limit=0', '/api/invites?limit=0', invalid],
    ['limit=201', '/api/invites?limit=201', invalid],
    ['a garbage cursor', '/api/invites?cursor=%21%21', invalid],
  ]),
  ...urls('DELETE', [
    ['a code of 3 characters', '/api/invites/abc', invalid],
    ['a code of 9 characters', '/api/invites/abcdefghi', invalid],
    ['a code with a dot', '/api/invites/abcd.fgh', invalid],
    ['an unknown prefix', '/api/invites/zzzzzzzz', notFound],
    ['an unknown whole code', `/api/invites/${'z'.repeat(32)}`, notFound],
  ]),

  ...urls('GET', [
    ['state=bogus', '/api/attention?state=bogus', invalid],
    ['limit=0', '/api/attention?limit=0', invalid],
    ['a garbage cursor', '/api/attention?cursor=%21%21', invalid],
    ['reason=bogus', '/api/attention?reason=bogus', invalid],
    ['reason=Stuck', '/api/attention?reason=Stuck', invalid],
    ['reader=0', '/api/attention?reader=0', invalid],
    ['reader=abc', '/api/attention?reader=abc', invalid],
    ['reader=1.5', '/api/attention?reader=1.5', invalid],
    ['reader=99999999999999999999', '/api/attention?reader=99999999999999999999', invalid],
    ['an unknown reader', '/api/attention?reader=999999', notFound],
    ['a reader id that is a consultant', '/api/attention?reader={consultant}', notFound],
  ]),
  ...cohortFilters('/api/attention'),
  ...cohortFilters('/api/attention/counts'),
  ...cohortFilters('/api/readers'),
  ...cohortFilters('/api/consultant/stuck'),
  ...cohortFilters('/api/consultant/dashboard/live'),
  ...cohortFilters('/api/consultant/dashboard/stream'),
  ...urls('POST', [
    ['id abc', '/api/attention/abc/claim', invalid],
    ['id 99999999999999999999', '/api/attention/99999999999999999999/claim', invalid],
    ['id 9007199254740993', '/api/attention/9007199254740993/release', invalid],
    ['an unknown item', '/api/attention/999999/claim', notFound],
    ['an unknown item', '/api/attention/999999/release', notFound],
    ['an item the caller does not hold', '/api/attention/{open}/release', forbidden],
    ['an item another consultant holds', '/api/attention/{item}/claim', conflict],
  ]),
  ...bodies('POST', '/api/attention/{item}/resolve', [
    ['a note of 2001 characters', { note: 'n'.repeat(2001) }, invalid],
    ['a note that is a number', { note: 5 }, invalid],
    ['an unknown field', { note: 'ok', state: 'open' }, invalid],
    ['an item another consultant holds', { note: 'mine' }, conflict],
  ]),
  ...rawBodies('POST', '/api/attention/{item}/resolve'),
  ...bodies('POST', '/api/attention/999999/resolve', [['an unknown item', {}, notFound]]),
  ...bodies('PUT', '/api/attention/rules', [
    ['stuckMinutes 0', { stuckMinutes: 0 }, invalid],
    ['inactiveDays 366', { inactiveDays: 366 }, invalid],
    ['lowScore 101', { lowScore: 101 }, invalid],
    ['lowScore -1', { lowScore: -1 }, invalid],
    ['lowScore "50"', { lowScore: '50' }, invalid],
    ['lowScore 1.5', { lowScore: 1.5 }, invalid],
    ['an unknown field', { lowScore: 40, highScore: 90 }, invalid],
  ]),
  ...rawBodies('PUT', '/api/attention/rules'),

  ...bodies('POST', '/api/auth/register', [
    ['an invite of 65 characters', { email: 'x@example.test', password: 'long enough pw', invite: 'a'.repeat(65) }, invalid],
    ['an invite that is a number', { email: 'x@example.test', password: 'long enough pw', invite: 7 }, invalid],
  ]),
];

interface World {
  readonly consultant: SignedInUser;
  readonly ids: Record<string, number | string>;
}

async function snapshot(t: TestApp) {
  const all = (sql: string) => t.db.all(sql);
  return {
    users: await all('SELECT id, email, role FROM users ORDER BY id'),
    cohorts: await all('SELECT id, name FROM cohorts ORDER BY id'),
    members: await all('SELECT cohort_id, reader_id FROM cohort_members ORDER BY cohort_id, reader_id'),
    invites: await all('SELECT code_hash, uses, max_uses FROM invites ORDER BY id'),
    items: await all('SELECT id, state, claimed_by, resolved_by, note FROM attention_items ORDER BY id'),
    rules: await all('SELECT * FROM attention_rules'),
  };
}

function expectProblem(response: LightMyRequestResponse, status: number, code: string): void {
  expect({ status: response.statusCode, body: response.body }).toMatchObject({ status });
  expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(response.json()).toMatchObject({ status, code, detail: expect.stringMatching(/\S/) });
}

describe('bad input on cohorts, invites and attention is refused with a problem and changes nothing', () => {
  let t: TestApp;
  let world: World;

  beforeAll(async () => {
    t = await buildTestApp();
    const reader = await t.signIn('reader', 'reader@example.test', 'Reader');
    const other = await t.signIn('reader', 'other@example.test', 'Other');
    const consultant = await t.signIn('consultant', 'consultant@example.test', 'Consultant');
    const holder = await t.store.users.createUser({ email: 'holder@example.test', name: 'Holder', role: 'consultant', passwordHash: 'x' });
    const cohort = await t.store.cohorts.createCohort('Seeded');
    await t.store.cohorts.createCohort('Other');
    await t.store.cohorts.addReaderToCohort(cohort.id, reader.user.id);
    await t.store.chapters.createChapter({ id: 'ch01', title: 'Chapter one' });
    await t.store.progress.upsertMilestone(reader.user.id, { chapterId: 'ch01', status: 'completed', score: 5 });
    const [item] = await t.store.attention.reviewMilestoneAttention(reader.user.id, 'ch01');
    await t.store.attention.claimAttention(item!.id, holder.id);
    await t.store.progress.upsertMilestone(other.user.id, { chapterId: 'ch01', status: 'completed', score: 5 });
    const [open] = await t.store.attention.reviewMilestoneAttention(other.user.id, 'ch01');
    world = {
      consultant,
      ids: { cohort: cohort.id, item: item!.id, open: open!.id, reader: reader.user.id, consultant: consultant.user.id },
    };
  });
  afterAll(async () => t.close());
  beforeEach(() => t.clock.advance(60_000));

  it('has a distinct name for every case', () => {
    const names = CASES.map((c) => c.name);
    expect(new Set(names).size).toBe(names.length);
  });

  it.each(CASES.map((c) => [`${c.name} -> ${c.status} ${c.code}`, c] as const))('%s', async (_title, bad) => {
    const url = bad.url.replace(/\{(\w+)\}/g, (_m, key: string) => String(world.ids[key]));
    const headers: Record<string, string> = { ...world.consultant.headers };
    if (bad.contentType !== undefined) headers['content-type'] = bad.contentType;
    const request: InjectOptions = { method: bad.method, url, headers };
    if (bad.payload !== undefined) request.payload = bad.payload as InjectOptions['payload'];
    const before = await snapshot(t);
    const response = await t.app.inject(request);
    expectProblem(response, bad.status, bad.code);
    expect(await snapshot(t)).toEqual(before);
  });
});
