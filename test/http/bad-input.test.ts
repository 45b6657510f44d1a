import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { buildTestApp, TEST_PASSWORD, type SignedInUser, type TestApp } from '../support/test-app.js';
import { rowCounts } from '../support/row-counts.js';

type Caller = 'anonymous' | 'reader' | 'consultant';
type Method = 'GET' | 'POST' | 'PUT';

/** One bad request and the problem it must get. `{reader}` / `{consultant}` in a url become ids. */
interface BadInputCase {
  readonly name: string;
  readonly as: Caller;
  readonly method: Method;
  readonly url: string;
  /** An object is sent as JSON; a string is sent as it is, with `contentType` if given. */
  readonly payload?: unknown;
  readonly contentType?: string;
  readonly status: number;
  readonly code: string;
}

const SEEDED_CHAPTER = 'introduction';
/** The seeded chapter's xAPI activity, and a second chapter without one. */
const SEEDED_ACTIVITY = 'https://books.example.test/novel/introduction';
const OTHER_CHAPTER = 'epilogue';
const tooLongIri = `https://books.example.test/${'a'.repeat(2049 - 'https://books.example.test/'.length)}`;

/** activityId values no chapter takes, with the problem each gets (on POST and PUT alike). */
const BAD_ACTIVITY_IDS: [string, unknown, { status: number; code: string }][] = [
  ['an activityId without a scheme', 'chapter-1', { status: 400, code: 'invalid_request' }],
  ['an activityId with a space', 'https://books.example.test/chapter 1', { status: 400, code: 'invalid_request' }],
  ['an activityId with an angle bracket', 'https://books.example.test/<1>', { status: 400, code: 'invalid_request' }],
  ['an empty activityId', '', { status: 400, code: 'invalid_request' }],
  ['an activityId of 2049 characters', tooLongIri, { status: 400, code: 'invalid_request' }],
  ['an activityId with a NUL character', 'https://books.example.test/ch\u00001', { status: 400, code: 'invalid_request' }],
  ['an activityId that is a number', 7, { status: 400, code: 'invalid_request' }],
  ['an activityId that is an object', { id: SEEDED_ACTIVITY }, { status: 400, code: 'invalid_request' }],
  ['an activityId that is an array', [SEEDED_ACTIVITY], { status: 400, code: 'invalid_request' }],
];
const base64url = (text: string) => Buffer.from(text, 'utf8').toString('base64url');

const invalid = { status: 400, code: 'invalid_request' } as const;
const tooLarge = { status: 413, code: 'payload_too_large' } as const;
const notJson = { status: 415, code: 'unsupported_media_type' } as const;
const notFound = { status: 404, code: 'not_found' } as const;

/** Cases with a JSON body on one route. */
function bodies(as: Caller, method: Method, url: string, rows: [string, unknown, { status: number; code: string }][]): BadInputCase[] {
  return rows.map(([name, payload, expected]) => ({ name: `${method} ${url}: ${name}`, as, method, url, payload, ...expected }));
}

/** Cases that send a raw body with a given (or no) content type to one route. */
function rawBodies(as: Caller, method: Method, url: string): BadInputCase[] {
  const rows: [string, string, string | undefined, { status: number; code: string }][] = [
    ['malformed JSON', '{"oops": ', 'application/json', invalid],
    ['a JSON body that is a bare string', '"hello"', 'application/json', invalid],
    ['a JSON body that is null', 'null', 'application/json', invalid],
    ['a JSON body that is an array', '[1, 2]', 'application/json', invalid],
    ['a text/plain body', 'hello', 'text/plain', notJson],
    ['a form-encoded body', 'a=1&b=2', 'application/x-www-form-urlencoded', notJson],
    ['a multipart body', '--xyz\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n--xyz--\r\n', 'multipart/form-data; boundary=xyz', notJson],
    ['a body with no content type', '{"a":1}', undefined, notJson],
  ];
  return rows.map(([name, payload, contentType, expected]) => ({
    name: `${method} ${url}: ${name}`,
    as,
    method,
    url,
    payload,
    ...(contentType === undefined ? {} : { contentType }),
    ...expected,
  }));
}

/** Bad `limit` and `cursor` values on one paginated list. */
function pageQueries(as: Caller, url: string, cursorArity: 1 | 2): BadInputCase[] {
  const negative = base64url(JSON.stringify({ after: cursorArity === 1 ? [-1] : [-1, 1] }));
  const wrongArity = base64url(JSON.stringify({ after: cursorArity === 1 ? [1, 2] : [1] }));
  const rows: [string, string][] = [
    ['limit=0', 'limit=0'],
    ['limit=201', 'limit=201'],
    ['limit=-1', 'limit=-1'],
    ['limit=abc', 'limit=abc'],
    ['limit=1.5', 'limit=1.5'],
    ['an empty limit', 'limit='],
    ['a garbage cursor', 'cursor=%21%21not-a-cursor%21%21'],
    ['a cursor that is base64 of text', `cursor=${base64url('not json at all')}`],
    ['a cursor that is base64 of the wrong JSON', `cursor=${base64url('{"before":[1]}')}`],
    ['a cursor holding a string', `cursor=${base64url('{"after":["1"]}')}`],
    ['a cursor with the wrong number of keys', `cursor=${wrongArity}`],
    ['a cursor with a negative position', `cursor=${negative}`],
    ['cursor=-1', 'cursor=-1'],
    ['an empty cursor', 'cursor='],
    ['a cursor over 200 characters', `cursor=${'a'.repeat(201)}`],
  ];
  const sep = url.includes('?') ? '&' : '?';
  return rows.map(([name, query]) => ({ name: `GET ${url}: ${name}`, as, method: 'GET', url: `${url}${sep}${query}`, ...invalid }));
}

function readerIds(what: 'progress' | 'activity' | 'statements'): BadInputCase[] {
  const rows: [string, string, { status: number; code: string }][] = [
    ['id abc', 'abc', invalid],
    ['id 0', '0', invalid],
    ['id -1', '-1', invalid],
    ['id 1.5', '1.5', invalid],
    ['an id no user has', '999999', notFound],
    ["a consultant's id", '{consultant}', notFound],
  ];
  return rows.map(([name, id, expected]) => ({
    name: `GET /api/readers/:id/${what}: ${name}`,
    as: 'consultant',
    method: 'GET',
    url: `/api/readers/${id}/${what}`,
    ...expected,
  }));
}

const longEmail = `${'a'.repeat(242)}@example.test`; // 255 characters
const validRegistration = { email: 'new@example.test', password: 'a long enough password' };

const BAD_INPUT: readonly BadInputCase[] = [
  // PUT /api/me/milestones/:chapterId
  ...bodies('reader', 'PUT', '/api/me/milestones/chapter-1', [
    ['a missing status', {}, invalid],
    ['a missing status with a score', { score: 50 }, invalid],
    ['a status of the wrong type', { status: 1 }, invalid],
    ['an unknown status', { status: 'done' }, invalid],
    ['a status in the wrong case', { status: 'Started' }, invalid],
    ['a null status', { status: null }, invalid],
    ['score -1', { status: 'completed', score: -1 }, invalid],
    ['score 101', { status: 'completed', score: 101 }, invalid],
    ['score 50.5', { status: 'completed', score: 50.5 }, invalid],
    ['score "50"', { status: 'completed', score: '50' }, invalid],
    ['score true', { status: 'completed', score: true }, invalid],
    ['an unknown field', { status: 'started', note: 'x' }, invalid],
    ['a smuggled userId', { status: 'started', userId: 1 }, invalid],
  ]),
  ...rawBodies('reader', 'PUT', '/api/me/milestones/chapter-1'),
  ...[
    ['a chapterId of 65 characters', 'a'.repeat(65)],
    ['a chapterId with a leading dot', '.hidden'],
    ['a chapterId with a leading dash', '-chapter'],
    ['a chapterId with an encoded slash', 'a%2Fb'],
    ['a chapterId with an encoded backslash', 'a%5Cb'],
    ['a chapterId with unicode', '%C3%A9t%C3%A9'],
    ['a chapterId with a space', 'a%20b'],
    ['a chapterId with a NUL byte', 'a%00b'],
  ].map(([name, chapterId]): BadInputCase => ({
    name: `PUT /api/me/milestones/:chapterId: ${name!}`,
    as: 'reader',
    method: 'PUT',
    url: `/api/me/milestones/${chapterId!}`,
    payload: { status: 'started' },
    ...invalid,
  })),

  // POST /api/me/activity
  ...bodies('reader', 'POST', '/api/me/activity', [
    ['a missing actionType', {}, invalid],
    ['an actionType of the wrong type', { actionType: 5 }, invalid],
    ['a lower-case actionType', { actionType: 'page_view' }, invalid],
    ['an actionType starting with a digit', { actionType: '1VIEW' }, invalid],
    ['an actionType starting with an underscore', { actionType: '_VIEW' }, invalid],
    ['an actionType with a dash', { actionType: 'PAGE-VIEW' }, invalid],
    ['an actionType of 33 characters', { actionType: `A${'B'.repeat(32)}` }, invalid],
    ['an empty actionType', { actionType: '' }, invalid],
    ['metadata that is an array', { actionType: 'SUBMIT', metadata: [1, 2] }, invalid],
    ['metadata that is a string', { actionType: 'SUBMIT', metadata: 'page 3' }, invalid],
    ['metadata that is a number', { actionType: 'SUBMIT', metadata: 3 }, invalid],
    ['metadata that is a boolean', { actionType: 'SUBMIT', metadata: true }, invalid],
    ['metadata over 4 KiB serialized', { actionType: 'SUBMIT', metadata: { text: 'x'.repeat(4100) } }, tooLarge],
    ['metadata just over 4 KiB serialized', { actionType: 'SUBMIT', metadata: { t: 'x'.repeat(4096 - 8 + 1) } }, tooLarge],
    ['an unknown field', { actionType: 'SUBMIT', readerId: 1 }, invalid],
  ]),
  ...rawBodies('reader', 'POST', '/api/me/activity'),

  // POST /api/me/activity/batch
  ...bodies('reader', 'POST', '/api/me/activity/batch', [
    ['missing events', {}, invalid],
    ['events that are not an array', { events: { actionType: 'SUBMIT' } }, invalid],
    ['no events', { events: [] }, invalid],
    ['101 events', { events: Array.from({ length: 101 }, () => ({ actionType: 'SUBMIT' })) }, invalid],
    ['one event with a bad actionType', { events: [{ actionType: 'SUBMIT' }, { actionType: 'submit' }] }, invalid],
    ['one event with array metadata', { events: [{ actionType: 'SUBMIT', metadata: [] }] }, invalid],
    ['one event with an unknown field', { events: [{ actionType: 'SUBMIT', at: 5 }] }, invalid],
    ['one event with metadata over 4 KiB', { events: [{ actionType: 'SUBMIT' }, { actionType: 'SUBMIT', metadata: { t: 'x'.repeat(4100) } }] }, tooLarge],
    ['an unknown field', { events: [{ actionType: 'SUBMIT' }], userId: 1 }, invalid],
  ]),
  ...rawBodies('reader', 'POST', '/api/me/activity/batch'),

  // GET lists
  ...pageQueries('reader', '/api/me/activity', 1),
  ...pageQueries('consultant', '/api/readers', 1),
  { name: 'GET /api/readers: a search of 101 characters', as: 'consultant', method: 'GET', url: `/api/readers?search=${'a'.repeat(101)}`, ...invalid },
  ...pageQueries('consultant', '/api/readers/{reader}/activity', 1),
  ...pageQueries('consultant', '/api/readers/{reader}/statements', 1),
  ...pageQueries('consultant', '/api/consultant/stuck', 2),
  ...readerIds('progress'),
  ...readerIds('activity'),
  ...readerIds('statements'),

  // GET /api/consultant/dashboard/live?limit
  ...(
    [
      ['a limit of 0', 'limit=0'],
      ['a limit of 1001', 'limit=1001'],
      ['a limit that is not a number', 'limit=many'],
      ['a fractional limit', 'limit=2.5'],
      ['a negative limit', 'limit=-5'],
    ] as const
  ).map(([name, query]) => ({
    name: `GET /api/consultant/dashboard/live: ${name}`,
    as: 'consultant' as const,
    method: 'GET' as const,
    url: `/api/consultant/dashboard/live?${query}`,
    ...invalid,
  })),

  // GET /api/consultant/dashboard/stream: the narrowing parameters (refused before any stream opens)
  ...(
    [
      ['an unknown activity mode', 'activity=some', invalid],
      ['an empty activity mode', 'activity=', invalid],
      ['a reader id of 0', 'reader=0', invalid],
      ['a reader id that is not a number', 'reader=abc', invalid],
      ['a fractional reader id', 'reader=1.5', invalid],
      ['an unknown reader', 'reader=999999', notFound],
      ['the id of a consultant, not a reader', 'reader={consultant}', notFound],
    ] as const
  ).map(([name, query, expected]) => ({
    name: `GET /api/consultant/dashboard/stream: ${name}`,
    as: 'consultant' as const,
    method: 'GET' as const,
    url: `/api/consultant/dashboard/stream?${query}`,
    ...expected,
  })),

  // POST /api/auth/register
  ...bodies('anonymous', 'POST', '/api/auth/register', [
    ['a missing email', { password: validRegistration.password }, invalid],
    ['a missing password', { email: validRegistration.email }, invalid],
    ['an email of the wrong type', { ...validRegistration, email: 42 }, invalid],
    ['an email of 255 characters', { ...validRegistration, email: longEmail }, invalid],
    ['an email without @', { ...validRegistration, email: 'not-an-email' }, invalid],
    ['an email with a space', { ...validRegistration, email: 'a b@example.test' }, invalid],
    ['an email with nothing before @', { ...validRegistration, email: '@example.test' }, invalid],
    ['a password of 7 characters', { ...validRegistration, password: '1234567' }, invalid],
    ['a password of 257 characters', { ...validRegistration, password: 'p'.repeat(257) }, invalid],
    ['a password that is a number', { ...validRegistration, password: 12345678 }, invalid],
    ['a password that is an array', { ...validRegistration, password: ['a long enough password'] }, invalid],
    ['a name that is a number', { ...validRegistration, name: 7 }, invalid],
    ['a name of 101 characters', { ...validRegistration, name: 'n'.repeat(101) }, invalid],
    ['a role', { ...validRegistration, role: 'consultant' }, invalid],
  ]),
  ...rawBodies('anonymous', 'POST', '/api/auth/register'),

  // POST /api/auth/login
  ...bodies('anonymous', 'POST', '/api/auth/login', [
    ['a missing email', { password: TEST_PASSWORD }, invalid],
    ['a missing password', { email: 'reader@example.test' }, invalid],
    ['an empty password', { email: 'reader@example.test', password: '' }, invalid],
    ['a password that is a number', { email: 'reader@example.test', password: 12345678 }, invalid],
    ['a password that is null', { email: 'reader@example.test', password: null }, invalid],
    ['an email of 255 characters', { email: longEmail, password: TEST_PASSWORD }, invalid],
    ['an unknown field', { email: 'reader@example.test', password: TEST_PASSWORD, remember: true }, invalid],
  ]),
  ...rawBodies('anonymous', 'POST', '/api/auth/login'),

  // POST /api/me/password
  ...bodies('reader', 'POST', '/api/me/password', [
    ['a missing newPassword', { currentPassword: TEST_PASSWORD }, invalid],
    ['a missing currentPassword', { newPassword: 'a brand new password' }, invalid],
    ['a newPassword of 7 characters', { currentPassword: TEST_PASSWORD, newPassword: '1234567' }, invalid],
    ['a newPassword of 257 characters', { currentPassword: TEST_PASSWORD, newPassword: 'p'.repeat(257) }, invalid],
    ['a currentPassword that is a number', { currentPassword: 12345678, newPassword: 'a brand new password' }, invalid],
    ['an empty currentPassword', { currentPassword: '', newPassword: 'a brand new password' }, invalid],
    ['an unknown field', { currentPassword: TEST_PASSWORD, newPassword: 'a brand new password', userId: 1 }, invalid],
  ]),
  ...rawBodies('reader', 'POST', '/api/me/password'),

  // POST /api/auth/logout takes no body, and no non-JSON one
  ...rawBodies('reader', 'POST', '/api/auth/logout').filter((c) => c.status === 415),

  // Chapters (consultants)
  ...bodies('consultant', 'POST', '/api/chapters', [
    ['a missing title', { id: 'chapter-9' }, invalid],
    ['a missing id', { title: 'Nine' }, invalid],
    ['an id with a leading dot', { id: '.nine', title: 'Nine' }, invalid],
    ['an id that is a number', { id: 9, title: 'Nine' }, invalid],
    ['an empty title', { id: 'chapter-9', title: '' }, invalid],
    ['a blank title', { id: 'chapter-9', title: '   ' }, invalid],
    ['a title of 201 characters', { id: 'chapter-9', title: 't'.repeat(201) }, invalid],
    ['an unknown field', { id: 'chapter-9', title: 'Nine', position: 1 }, invalid],
    ['an id that exists already', { id: SEEDED_CHAPTER, title: 'Again' }, { status: 409, code: 'conflict' }],
    ...BAD_ACTIVITY_IDS.map(([name, activityId, expected]): [string, unknown, { status: number; code: string }] => [name, { id: 'chapter-9', title: 'Nine', activityId }, expected]),
    ['an activityId another chapter carries', { id: 'chapter-9', title: 'Nine', activityId: SEEDED_ACTIVITY }, { status: 409, code: 'conflict' }],
  ]),
  ...rawBodies('consultant', 'POST', '/api/chapters'),
  ...bodies('consultant', 'PUT', `/api/chapters/${SEEDED_CHAPTER}`, [
    ['an empty body (neither title nor activityId)', {}, invalid],
    ['a null title', { title: null }, invalid],
    ['a title that is a number', { title: 5 }, invalid],
    ['a blank title', { title: ' ' }, invalid],
    ['an unknown field', { title: 'Renamed', id: 'other' }, invalid],
  ]),
  ...rawBodies('consultant', 'PUT', `/api/chapters/${SEEDED_CHAPTER}`),
  ...bodies('consultant', 'PUT', `/api/chapters/${OTHER_CHAPTER}`, [
    ...BAD_ACTIVITY_IDS.map(([name, activityId, expected]): [string, unknown, { status: number; code: string }] => [name, { activityId }, expected]),
    ...BAD_ACTIVITY_IDS.map(([name, activityId, expected]): [string, unknown, { status: number; code: string }] => [
      `${name}, with a title`,
      { title: 'Renamed', activityId },
      expected,
    ]),
    ['an activityId another chapter carries', { activityId: SEEDED_ACTIVITY }, { status: 409, code: 'conflict' }],
    ['an activityId another chapter carries, with a title', { title: 'Renamed', activityId: SEEDED_ACTIVITY }, { status: 409, code: 'conflict' }],
  ]),
  ...bodies('consultant', 'PUT', '/api/chapters/.hidden', [['a chapter id with a leading dot', { title: 'Renamed' }, invalid]]),
  ...bodies('consultant', 'PUT', '/api/chapters/no-such-chapter', [
    ['a chapter id nobody made', { title: 'Renamed' }, notFound],
    ['a chapter id nobody made, with an activityId', { activityId: 'https://books.example.test/new' }, notFound],
  ]),
  ...bodies('consultant', 'PUT', '/api/chapter-order', [
    ['missing ids', {}, invalid],
    ['ids that are not an array', { ids: SEEDED_CHAPTER }, invalid],
    ['ids naming a chapter twice', { ids: [SEEDED_CHAPTER, SEEDED_CHAPTER] }, invalid],
    ['ids naming one chapter of two', { ids: [SEEDED_CHAPTER] }, invalid],
    ['ids naming no chapter', { ids: [] }, invalid],
    ['ids naming an unknown chapter', { ids: [SEEDED_CHAPTER, 'no-such-chapter'] }, invalid],
    ['ids with a bad chapter id', { ids: ['.hidden'] }, invalid],
    ['an unknown field', { ids: [SEEDED_CHAPTER, OTHER_CHAPTER], force: true }, invalid],
  ]),
  ...rawBodies('consultant', 'PUT', '/api/chapter-order'),
];

interface World {
  readonly reader: SignedInUser;
  readonly consultant: SignedInUser;
}

/** Everything a bad request could change: row counts, and the contents a write could alter. */
async function snapshot(t: TestApp) {
  const all = (sql: string) => t.db.all(sql);
  const { users, sessions, milestones, activity_logs } = await rowCounts(t);
  return {
    users,
    sessions,
    milestones,
    activity_logs,
    userRows: await all('SELECT id, email, name, role, password_hash FROM users ORDER BY id'),
    sessionRows: await all('SELECT token_hash, user_id, expires_at FROM sessions ORDER BY token_hash'),
    milestoneRows: await all('SELECT user_id, chapter_id, status, score, updated_at FROM milestones ORDER BY id'),
    chapterRows: await all('SELECT id, title, position, activity_id FROM chapters ORDER BY id'),
  };
}

function expectProblem(response: LightMyRequestResponse, status: number, code: string): void {
  expect(response.statusCode).not.toBe(500);
  expect({ status: response.statusCode, body: response.body }).toMatchObject({ status });
  expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
  const body = response.json();
  expect(body).toMatchObject({ status, code, type: expect.any(String), title: expect.any(String) });
  expect(typeof body.detail).toBe('string');
  expect(body.detail.trim()).not.toBe('');
}

async function seed(t: TestApp): Promise<World> {
  const reader = await t.signIn('reader', 'reader@example.test', 'Reader');
  const consultant = await t.signIn('consultant', 'consultant@example.test', 'Consultant');
  await t.store.progress.upsertMilestone(reader.user.id, { chapterId: 'chapter-1', status: 'started', score: 10 });
  await t.store.progress.upsertMilestone(reader.user.id, { chapterId: 'chapter-2', status: 'stuck', score: null });
  await t.store.activity.logActivity(reader.user.id, { actionType: 'PAGE_VIEW', metadata: { page: 1 } });
  await t.store.chapters.createChapter({ id: SEEDED_CHAPTER, title: 'Introduction', activityId: SEEDED_ACTIVITY });
  await t.store.chapters.createChapter({ id: OTHER_CHAPTER, title: 'Epilogue' });
  return { reader, consultant };
}

/*
 * The table's cases share one seeded app: there are hundreds, a fresh app each would take most
 * of the suite's time budget, and every case proves it left the database exactly as it found it,
 * so no case can see another's effects without that case failing first.
 */
describe('bad input is refused with a problem and changes nothing', () => {
  let t: TestApp;
  let world: World;

  beforeAll(async () => {
    t = await buildTestApp();
    world = await seed(t);
  });
  afterAll(async () => t.close());
  beforeEach(() => {
    // Refills the per-address token bucket on public writes, which the table's sign-in and
    // registration cases would otherwise empty (the fake clock stands still).
    t.clock.advance(60_000);
  });

  it('has a distinct name for every case', () => {
    const names = BAD_INPUT.map((c) => c.name);
    expect(new Set(names).size).toBe(names.length);
  });

  it.each(BAD_INPUT.map((c) => [`${c.name} -> ${c.status} ${c.code}`, c] as const))('%s, nothing stored', async (_title, badCase) => {
    const url = badCase.url
      .replace('{reader}', String(world.reader.user.id))
      .replace('{consultant}', String(world.consultant.user.id));
    const headers: Record<string, string> = badCase.as === 'anonymous' ? {} : { ...world[badCase.as].headers };
    if (badCase.contentType !== undefined) headers['content-type'] = badCase.contentType;
    const request: InjectOptions = { method: badCase.method, url, headers };
    if (badCase.payload !== undefined) request.payload = badCase.payload as InjectOptions['payload'];
    const before = await snapshot(t);

    const response = await t.app.inject(request);

    expectProblem(response, badCase.status, badCase.code);
    expect(await snapshot(t)).toEqual(before);
  });
});

describe('input at and over the limits', () => {
  let t: TestApp;
  let world: World;

  beforeEach(async () => {
    t = await buildTestApp();
    world = await seed(t);
  });
  afterEach(async () => t.close());

  it('a body over the body limit is refused with 413 and nothing stored', async () => {
    const before = await snapshot(t);
    const filler = 'x'.repeat(t.config.bodyLimitBytes + 1);
    for (const request of [
      { method: 'POST', url: '/api/me/activity', payload: JSON.stringify({ actionType: 'SUBMIT', metadata: { filler } }) },
      { method: 'PUT', url: '/api/me/milestones/chapter-9', payload: JSON.stringify({ status: 'started', filler }) },
    ] as const) {
      const response = await t.app.inject({ ...request, headers: { ...world.reader.headers, 'content-type': 'application/json' } });
      expectProblem(response, 413, 'payload_too_large');
    }
    const register = await t.app.inject({
      method: 'POST',
      url: '/api/auth/register',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ ...validRegistration, name: filler }),
    });
    expectProblem(register, 413, 'payload_too_large');
    expect(await snapshot(t)).toEqual(before);
  });

  it('metadata of exactly 4 KiB serialized is accepted', async () => {
    const metadata = { t: 'x'.repeat(4096 - 8) };
    expect(Buffer.byteLength(JSON.stringify(metadata))).toBe(4096);
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/me/activity',
      headers: world.reader.headers,
      payload: { actionType: 'SUBMIT', metadata },
    });
    expect(response.statusCode).toBe(201);
    expect(response.json().event).toMatchObject({ actionType: 'SUBMIT', metadata });
  });

  it('the boundary values the contract allows are accepted', async () => {
    const chapterId = `A${'b'.repeat(63)}`;
    for (const score of [0, 100, null]) {
      const response = await t.app.inject({
        method: 'PUT',
        url: `/api/me/milestones/${chapterId}`,
        headers: world.reader.headers,
        payload: { status: 'completed', score },
      });
      expect(response.statusCode).toBe(200);
      expect(response.json().milestone).toMatchObject({ chapterId, status: 'completed', score });
    }
    const activity = await t.app.inject({
      method: 'POST',
      url: '/api/me/activity',
      headers: world.reader.headers,
      payload: { actionType: `A${'_'.repeat(31)}`, metadata: null },
    });
    expect(activity.statusCode).toBe(201);
    for (const limit of [1, 200]) {
      const page = await t.app.inject({ method: 'GET', url: `/api/me/activity?limit=${limit}`, headers: world.reader.headers });
      expect(page.statusCode).toBe(200);
    }
  });
});

describe('internal errors', () => {
  let t: TestApp;
  let world: World;

  beforeEach(async () => {
    t = await buildTestApp();
    world = await seed(t);
  });
  afterEach(async () => {
    vi.restoreAllMocks();
    await t.close();
  });

  it('a 500 carries neither a stack trace nor SQL', async () => {
    const failure = new Error('SQLITE_ERROR: no such table: milestones');
    vi.spyOn(t.store.progress, 'getMyMilestones').mockRejectedValueOnce(failure);

    const response = await t.app.inject({ method: 'GET', url: '/api/me/milestones', headers: world.reader.headers });

    expect(response.statusCode).toBe(500);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    const body = response.json();
    expect(body).toMatchObject({ status: 500, code: 'internal', detail: 'Internal error.' });
    expect(response.body).not.toMatch(/SQLITE/i);
    expect(response.body).not.toContain('no such table');
    expect(response.body).not.toContain('milestones');
    expect(response.body).not.toMatch(/\bat .*\.(ts|js):\d+/);
    expect(response.body).not.toContain('stack');

    const next = await t.app.inject({ method: 'GET', url: '/api/me/milestones', headers: world.reader.headers });
    expect(next.statusCode).toBe(200);
  });
});

describe('cross-origin writes with the session cookie', () => {
  let t: TestApp;
  let world: World;
  let cookie: string;

  beforeEach(async () => {
    t = await buildTestApp();
    world = await seed(t);
    const login = await t.app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { email: 'reader@example.test', password: TEST_PASSWORD },
    });
    expect(login.statusCode).toBe(200);
    const setCookie = login.headers['set-cookie'];
    cookie = String(Array.isArray(setCookie) ? setCookie[0] : setCookie).split(';')[0]!;
    expect(cookie).toMatch(/^readpulse_session=[A-Za-z0-9_-]{43}$/);
  });
  afterEach(async () => t.close());

  const milestoneWrite = (headers: Record<string, string>): InjectOptions => ({
    method: 'PUT',
    url: '/api/me/milestones/chapter-7',
    headers,
    payload: { status: 'completed', score: 70 },
  });
  const chapter7 = async () => (await t.store.progress.getMyMilestones(world.reader.user.id)).find((m) => m.chapterId === 'chapter-7');

  it.each([
    ['an Origin of another site', { origin: 'https://evil.example' }],
    ['an Origin on another port', { origin: 'http://localhost:8081', host: 'localhost:8080' }],
    ['Origin: null', { origin: 'null' }],
    ['Sec-Fetch-Site: cross-site', { 'sec-fetch-site': 'cross-site' }],
  ])('a cookie-authenticated write with %s is refused and stores nothing', async (_name, extra) => {
    const before = await snapshot(t);
    const response = await t.app.inject(milestoneWrite({ cookie, ...extra }));
    expectProblem(response, 403, 'forbidden');
    expect(await chapter7()).toBeUndefined();
    expect(await snapshot(t)).toEqual(before);

    const activity = await t.app.inject({
      method: 'POST',
      url: '/api/me/activity',
      headers: { cookie, ...extra },
      payload: { actionType: 'SUBMIT' },
    });
    expectProblem(activity, 403, 'forbidden');
    expect(await snapshot(t)).toEqual(before);
  });

  it.each([
    ['http://localhost:80', 'localhost:80'],
    ['http://localhost:8080', 'localhost:8080'],
    ['http://localhost', 'localhost'],
  ])('a cookie-authenticated write with Origin %s to Host %s (same origin) is allowed', async (origin, host) => {
    const response = await t.app.inject(milestoneWrite({ cookie, origin, host }));
    expect(response.statusCode).toBe(200);
    expect(await chapter7()).toMatchObject({ status: 'completed', score: 70 });
  });

  it('a cookie-authenticated write with Sec-Fetch-Site: same-origin is allowed', async () => {
    const response = await t.app.inject(milestoneWrite({ cookie, 'sec-fetch-site': 'same-origin' }));
    expect(response.statusCode).toBe(200);
    expect(await chapter7()).toMatchObject({ status: 'completed', score: 70 });
  });

  it('a bearer-authenticated write from a foreign Origin is allowed (a bearer token is not ambient)', async () => {
    const response = await t.app.inject(
      milestoneWrite({ ...world.reader.headers, origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' }),
    );
    expect(response.statusCode).toBe(200);
    expect(await chapter7()).toMatchObject({ status: 'completed', score: 70 });
  });

  it('a sign-in from a foreign Origin is refused and starts no session', async () => {
    const before = await snapshot(t);
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/auth/login',
      headers: { origin: 'https://evil.example' },
      payload: { email: 'reader@example.test', password: TEST_PASSWORD },
    });
    expectProblem(response, 403, 'forbidden');
    expect(response.headers['set-cookie']).toBeUndefined();
    expect(await snapshot(t)).toEqual(before);
  });
});
