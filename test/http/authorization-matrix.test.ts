import Fastify from 'fastify';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Accounts } from '../../src/auth/accounts.js';
import { installRequestGuards } from '../../src/http/request-guards.js';
import type { Presence } from '../../src/live/presence.js';
import { rowCounts } from '../support/row-counts.js';
import { buildTestApp, TEST_PASSWORD, type SignedInUser, type TestApp } from '../support/test-app.js';

type Caller = 'anonymous' | 'readerA' | 'readerB' | 'consultant';
const CALLERS: readonly Caller[] = ['anonymous', 'readerA', 'readerB', 'consultant'];

/** Who is signed in for one matrix case; reader A's id is the target of /api/readers/:id/*. */
interface World {
  readonly readerA: SignedInUser;
  readonly readerB: SignedInUser;
  readonly consultant: SignedInUser;
  /** A cohort holding reader B, an open invite into it, and a low-score item on reader A held by the consultant. */
  readonly cohortId: number;
  readonly invitePrefix: string;
  readonly itemId: number;
  /** An LRS credential, for the credential routes. */
  readonly credentialId: number;
}

interface MatrixRow {
  readonly method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** The route as Fastify registered it. */
  readonly route: string;
  readonly url: (world: World) => string;
  /** A valid body for writes; absent for reads and for logout. */
  readonly body?: (caller: Caller) => Record<string, unknown>;
  readonly expected: Readonly<Record<Caller, number>>;
  /** The content type of a success; JSON unless given. */
  readonly successType?: RegExp;
  /** An endless response (Server-Sent Events): asked over a real socket and closed after the headers. */
  readonly endless?: boolean;
  /** For a write that succeeded: checks what it stored, for the signed-in caller (if any). */
  readonly stored?: (t: TestApp, caller: SignedInUser | undefined, callerName: Caller) => Promise<void>;
}

const countOf = (t: TestApp, sql: string, ...params: unknown[]) => t.db.count(sql, ...params);

const everyone = (status: number) => ({ anonymous: status, readerA: status, readerB: status, consultant: status });
const signedIn = (status: number) => ({ anonymous: 401, readerA: status, readerB: status, consultant: status });
const consultantsOnly = (status: number) => ({ anonymous: 401, readerA: 403, readerB: 403, consultant: status });

/** The scrape token the matrix's app is configured with (READPULSE_METRICS_TOKEN). */
const METRICS_TOKEN = 'matrix-scrape-token-0123456789';

/** A chapter every matrix case starts with, so the chapter routes have one to act on. */
const SEEDED_CHAPTER = 'introduction';

/** Rows of cohorts, invites and the attention queue: consultants only, every one. */
function TOOLKIT_ROWS(): MatrixRow[] {
  const cohortNames = async (t: TestApp) => (await t.store.cohorts.listCohorts()).map((c) => c.name);
  return [
    {
      method: 'POST',
      route: '/api/cohorts',
      url: () => '/api/cohorts',
      body: () => ({ name: 'Book club' }),
      stored: async (t) => expect(await cohortNames(t)).toEqual(['Book club', 'Seeded cohort']),
      expected: consultantsOnly(201),
    },
    { method: 'GET', route: '/api/cohorts', url: () => '/api/cohorts', expected: consultantsOnly(200) },
    {
      method: 'PUT',
      route: '/api/cohorts/:id',
      url: (w) => `/api/cohorts/${w.cohortId}`,
      body: () => ({ name: 'Renamed cohort' }),
      stored: async (t) => expect(await cohortNames(t)).toEqual(['Renamed cohort']),
      expected: consultantsOnly(200),
    },
    {
      method: 'DELETE',
      route: '/api/cohorts/:id',
      url: (w) => `/api/cohorts/${w.cohortId}`,
      stored: async (t) => expect(await cohortNames(t)).toEqual([]),
      expected: consultantsOnly(204),
    },
    {
      method: 'PUT',
      route: '/api/cohorts/:id/readers/:readerId',
      url: (w) => `/api/cohorts/${w.cohortId}/readers/${w.readerA.user.id}`,
      stored: async (t) => expect((await t.store.cohorts.listCohorts())[0]!.readerCount).toBe(2),
      expected: consultantsOnly(204),
    },
    {
      method: 'DELETE',
      route: '/api/cohorts/:id/readers/:readerId',
      url: (w) => `/api/cohorts/${w.cohortId}/readers/${w.readerB.user.id}`,
      stored: async (t) => expect((await t.store.cohorts.listCohorts())[0]!.readerCount).toBe(0),
      expected: consultantsOnly(204),
    },
    {
      method: 'POST',
      route: '/api/invites',
      url: () => '/api/invites',
      body: () => ({ maxUses: 3, expiresInDays: 2 }),
      stored: async (t) => expect((await t.store.invites.listInvites({ limit: 10 })).items.map((i) => i.usesLeft)).toEqual([3, 1]),
      expected: consultantsOnly(201),
    },
    { method: 'GET', route: '/api/invites', url: () => '/api/invites', expected: consultantsOnly(200) },
    {
      method: 'DELETE',
      route: '/api/invites/:code',
      url: (w) => `/api/invites/${w.invitePrefix}`,
      stored: async (t) => expect((await t.store.invites.listInvites({ limit: 10 })).items).toEqual([]),
      expected: consultantsOnly(204),
    },
    {
      method: 'GET',
      route: '/api/invites/:code/status',
      url: (w) => `/api/invites/${w.invitePrefix}/status`,
      stored: async (t) => expect((await t.store.invites.listInvites({ limit: 10 })).items.map((i) => i.usesLeft)).toEqual([1]),
      expected: everyone(200),
    },
    {
      method: 'GET',
      route: '/api/attention',
      url: (w) => `/api/attention?state=claimed&reason=low_score&reader=${w.readerA.user.id}`,
      expected: consultantsOnly(200),
    },
    { method: 'GET', route: '/api/attention/counts', url: () => '/api/attention/counts', expected: consultantsOnly(200) },
    {
      method: 'POST',
      route: '/api/attention/:id/claim',
      url: (w) => `/api/attention/${w.itemId}/claim`,
      stored: async (t) => expect((await t.store.attention.countAttention()).claimed).toBe(1),
      expected: consultantsOnly(200),
    },
    {
      method: 'POST',
      route: '/api/attention/:id/release',
      url: (w) => `/api/attention/${w.itemId}/release`,
      stored: async (t) => expect(await t.store.attention.countAttention()).toEqual({ open: 1, claimed: 0 }),
      expected: consultantsOnly(200),
    },
    {
      method: 'POST',
      route: '/api/attention/:id/resolve',
      url: (w) => `/api/attention/${w.itemId}/resolve`,
      body: () => ({ note: 'Talked it through.' }),
      stored: async (t) => expect((await t.store.attention.listAttention({ state: 'resolved', limit: 10 })).items[0]?.note).toBe('Talked it through.'),
      expected: consultantsOnly(200),
    },
    { method: 'GET', route: '/api/attention/rules', url: () => '/api/attention/rules', expected: consultantsOnly(200) },
    {
      method: 'PUT',
      route: '/api/attention/rules',
      url: () => '/api/attention/rules',
      body: () => ({ lowScore: 40 }),
      stored: async (t) => expect((await t.store.attention.getAttentionRules()).lowScore).toBe(40),
      expected: consultantsOnly(200),
    },
  ];
}

/** THE authorization matrix: every route of the app x every kind of caller -> expected status. */
const MATRIX: readonly MatrixRow[] = [
  { method: 'GET', route: '/healthz', url: () => '/healthz', expected: everyone(200) },
  { method: 'GET', route: '/api/openapi.json', url: () => '/api/openapi.json', expected: everyone(200) },
  // The matrix's app has READPULSE_METRICS_TOKEN set: no session of anyone's is that token.
  { method: 'GET', route: '/metrics', url: () => '/metrics', expected: everyone(401) },
  {
    method: 'POST',
    route: '/api/auth/register',
    url: () => '/api/auth/register',
    body: (caller) => ({ email: `new-${caller}@example.test`, password: 'a fresh password', name: 'New' }),
    stored: async (t, _caller, name) => {
      expect((await t.store.users.getUserByEmail(`new-${name}@example.test`))?.user.role).toBe('reader');
    },
    expected: everyone(201),
  },
  {
    method: 'POST',
    route: '/api/auth/login',
    url: () => '/api/auth/login',
    body: () => ({ email: 'reader-a@example.test', password: TEST_PASSWORD }),
    stored: async (t) => {
      expect(await countOf(t, 'SELECT count(*) AS n FROM sessions s JOIN users u ON u.id = s.user_id WHERE u.email = ?', 'reader-a@example.test')).toBe(2);
    },
    expected: everyone(200),
  },
  {
    method: 'POST',
    route: '/api/auth/logout',
    url: () => '/api/auth/logout',
    expected: signedIn(204),
    stored: async (t, caller) => {
      expect(await countOf(t, 'SELECT count(*) AS n FROM sessions WHERE user_id = ?', caller!.user.id)).toBe(0);
    },
  },
  { method: 'GET', route: '/api/me', url: () => '/api/me', expected: signedIn(200) },
  {
    method: 'POST',
    route: '/api/me/password',
    url: () => '/api/me/password',
    body: () => ({ currentPassword: TEST_PASSWORD, newPassword: 'a brand new password' }),
    stored: async (t, caller) => {
      const login = await t.app.inject({
        method: 'POST',
        url: '/api/auth/login',
        payload: { email: caller!.user.email, password: 'a brand new password' },
      });
      expect(login.statusCode).toBe(200);
    },
    expected: signedIn(204),
  },
  {
    method: 'PUT',
    route: '/api/me/milestones/:chapterId',
    url: () => '/api/me/milestones/chapter-1',
    body: () => ({ status: 'completed', score: 80 }),
    stored: async (t, caller) => {
      const stored = (await t.store.progress.getMyMilestones(caller!.user.id)).filter((m) => m.chapterId === 'chapter-1');
      expect(stored).toMatchObject([{ chapterId: 'chapter-1', status: 'completed', score: 80 }]);
    },
    expected: signedIn(200),
  },
  { method: 'GET', route: '/api/me/milestones', url: () => '/api/me/milestones', expected: signedIn(200) },
  {
    method: 'POST',
    route: '/api/me/activity',
    url: () => '/api/me/activity',
    body: () => ({ actionType: 'PAGE_VIEW', metadata: { page: 3 } }),
    stored: async (t, caller) => {
      expect((await t.store.activity.listActivity(caller!.user.id, { limit: 10 })).items).toMatchObject([{ actionType: 'PAGE_VIEW', metadata: { page: 3 } }]);
    },
    expected: signedIn(201),
  },
  {
    method: 'POST',
    route: '/api/me/activity/batch',
    url: () => '/api/me/activity/batch',
    body: () => ({ events: [{ actionType: 'PAGE_VIEW' }, { actionType: 'SUBMIT', metadata: { answer: 2 } }] }),
    stored: async (t, caller) => {
      expect((await t.store.activity.listActivity(caller!.user.id, { limit: 10 })).items).toHaveLength(2);
    },
    expected: signedIn(201),
  },
  { method: 'GET', route: '/api/me/activity', url: () => '/api/me/activity?limit=10', expected: signedIn(200) },
  { method: 'GET', route: '/api/readers', url: () => '/api/readers?limit=10', expected: consultantsOnly(200) },
  {
    method: 'GET',
    route: '/api/readers/:id/progress',
    url: (w) => `/api/readers/${w.readerA.user.id}/progress`,
    expected: consultantsOnly(200),
  },
  {
    method: 'GET',
    route: '/api/readers/:id/activity',
    url: (w) => `/api/readers/${w.readerA.user.id}/activity`,
    expected: consultantsOnly(200),
  },
  {
    method: 'GET',
    route: '/api/readers/:id/statements',
    url: (w) => `/api/readers/${w.readerA.user.id}/statements`,
    expected: consultantsOnly(200),
  },
  {
    method: 'GET',
    route: '/api/consultant/dashboard/live',
    url: () => '/api/consultant/dashboard/live',
    expected: consultantsOnly(200),
  },
  {
    method: 'GET',
    route: '/api/consultant/dashboard/stream',
    url: () => '/api/consultant/dashboard/stream',
    expected: consultantsOnly(200),
    successType: /^text\/event-stream/,
    endless: true,
  },
  { method: 'GET', route: '/api/consultant/stuck', url: () => '/api/consultant/stuck?limit=10', expected: consultantsOnly(200) },
  { method: 'GET', route: '/api/chapters', url: () => '/api/chapters', expected: signedIn(200) },
  {
    method: 'POST',
    route: '/api/chapters',
    url: () => '/api/chapters',
    body: () => ({ id: 'chapter-new', title: 'A new chapter' }),
    stored: async (t) => {
      expect((await t.store.chapters.listChapters()).map((c) => c.id)).toEqual([SEEDED_CHAPTER, 'chapter-new']);
    },
    expected: consultantsOnly(201),
  },
  {
    method: 'PUT',
    route: '/api/chapters/:id',
    url: () => `/api/chapters/${SEEDED_CHAPTER}`,
    body: () => ({ title: 'The introduction, renamed' }),
    stored: async (t) => {
      expect(await t.store.chapters.listChapters()).toMatchObject([{ id: SEEDED_CHAPTER, title: 'The introduction, renamed' }]);
    },
    expected: consultantsOnly(200),
  },
  {
    method: 'PUT',
    route: '/api/chapter-order',
    url: () => '/api/chapter-order',
    body: () => ({ ids: [SEEDED_CHAPTER] }),
    expected: consultantsOnly(200),
  },
  ...TOOLKIT_ROWS(),
  { method: 'GET', route: '/api/analytics/chapters', url: () => '/api/analytics/chapters', expected: consultantsOnly(200) },
  { method: 'GET', route: '/api/analytics/activity', url: () => '/api/analytics/activity?bucket=hour', expected: consultantsOnly(200) },
  { method: 'GET', route: '/api/analytics/grid', url: () => '/api/analytics/grid?limit=10', expected: consultantsOnly(200) },
  { method: 'GET', route: '/api/analytics/summary', url: () => '/api/analytics/summary', expected: consultantsOnly(200) },
  {
    method: 'GET',
    route: '/api/export/progress.csv',
    url: () => '/api/export/progress.csv',
    expected: consultantsOnly(200),
    successType: /^text\/csv/,
  },
  {
    method: 'GET',
    route: '/api/export/activity.csv',
    url: () => '/api/export/activity.csv',
    expected: consultantsOnly(200),
    successType: /^text\/csv/,
  },
  { method: 'GET', route: '/api/me/export', url: () => '/api/me/export', expected: signedIn(200) },
  { method: 'GET', route: '/api/me/access-log', url: () => '/api/me/access-log', expected: signedIn(200) },
  {
    method: 'DELETE',
    route: '/api/me',
    url: () => '/api/me',
    body: () => ({ password: TEST_PASSWORD }),
    stored: async (t, caller) => {
      expect(await t.store.users.getUserById(caller!.user.id)).toBeNull();
      expect(await countOf(t, 'SELECT count(*) AS n FROM sessions WHERE user_id = ?', caller!.user.id)).toBe(0);
    },
    expected: signedIn(204),
  },
  {
    method: 'GET',
    route: '/api/readers/:id/cohorts',
    url: (w) => `/api/readers/${w.readerA.user.id}/cohorts`,
    expected: consultantsOnly(200),
  },
  {
    method: 'GET',
    route: '/api/readers/:id/access-log',
    url: (w) => `/api/readers/${w.readerA.user.id}/access-log`,
    expected: consultantsOnly(200),
  },
  {
    method: 'POST',
    route: '/api/lrs-credentials',
    url: () => '/api/lrs-credentials',
    body: () => ({ name: 'Course player' }),
    stored: async (t) => expect((await t.store.lrsCredentials.listLrsCredentials()).map((c) => c.name)).toEqual(['Course player', 'Seeded player']),
    expected: consultantsOnly(201),
  },
  { method: 'GET', route: '/api/lrs-credentials', url: () => '/api/lrs-credentials', expected: consultantsOnly(200) },
  {
    method: 'DELETE',
    route: '/api/lrs-credentials/:id',
    url: (w) => `/api/lrs-credentials/${w.credentialId}`,
    stored: async (t) => expect(await t.store.lrsCredentials.listLrsCredentials()).toEqual([]),
    expected: consultantsOnly(204),
  },
];

const CASES = MATRIX.flatMap((row) =>
  CALLERS.map((caller) => ({ ...row, caller, status: row.expected[caller] })),
);

const ERROR_CODES: Record<number, string> = { 401: 'unauthenticated', 403: 'forbidden' };

/** What a case checks of a response, however it was fetched. */
interface Answer {
  readonly status: number;
  readonly contentType: string;
  readonly body: string;
}

function toAnswer(response: LightMyRequestResponse): Answer {
  return { status: response.statusCode, contentType: String(response.headers['content-type'] ?? ''), body: response.body };
}

/** GETs an endless response over a real socket: the status and headers, then the body (if an error) or a hang-up. */
async function fetchHead(t: TestApp, url: string, headers: Record<string, string>): Promise<Answer> {
  const address = await t.app.listen({ port: 0, host: '127.0.0.1' });
  const controller = new AbortController();
  const response = await fetch(`${address}${url}`, { headers, signal: controller.signal });
  const contentType = response.headers.get('content-type') ?? '';
  const body = response.ok ? '' : await response.text();
  controller.abort();
  return { status: response.status, contentType, body };
}

function expectProblem(response: Answer, status: number, code: string): void {
  expect(response.status).toBe(status);
  expect(response.contentType).toMatch(/^application\/problem\+json/);
  const body = JSON.parse(response.body);
  expect(body).toMatchObject({ status, code });
  expect(typeof body.detail).toBe('string');
  expect(body.detail.length).toBeGreaterThan(0);
}

/**
 * The routes Fastify registered, as "METHOD /path", read from printRoutes' tree (each level
 * indented four characters, children printed relative to their parent).
 */
function registeredRoutes(app: FastifyInstance): string[] {
  const lines = app.printRoutes({ commonPrefix: false }).split('\n');
  const parents: string[] = [];
  const routes: string[] = [];
  for (const line of lines) {
    const match = /^((?:│ {3}| {4})*)(?:├── |└── )(\S+)(?: \(([^)]*)\))?\s*$/.exec(line);
    if (!match) {
      if (line.trim() !== '') throw new Error(`printRoutes printed a line this parser does not know: ${line}`);
      continue;
    }
    const depth = match[1]!.length / 4;
    const path = (depth === 0 ? '' : (parents[depth - 1] ?? '')) + match[2]!;
    parents[depth] = path;
    parents.length = depth + 1;
    const fullPath = path.startsWith('/') ? path : `/${path}`;
    for (const method of match[3]?.split(',').map((m) => m.trim()) ?? []) routes.push(`${method} ${fullPath}`);
  }
  return routes;
}

describe('authorization matrix', () => {
  let t: TestApp;
  let world: World;

  beforeEach(async () => {
    t = await buildTestApp({ env: { READPULSE_METRICS_TOKEN: METRICS_TOKEN } });
    const readerA = await t.signIn('reader', 'reader-a@example.test', 'Reader A');
    const readerB = await t.signIn('reader', 'reader-b@example.test', 'Reader B');
    const consultant = await t.signIn('consultant', 'consultant@example.test', 'Consultant');
    await t.store.chapters.createChapter({ id: SEEDED_CHAPTER, title: 'Introduction' });
    const cohort = await t.store.cohorts.createCohort('Seeded cohort');
    await t.store.cohorts.addReaderToCohort(cohort.id, readerB.user.id);
    const invite = await t.store.invites.createInvite({
      codeHash: 'a'.repeat(64),
      codePrefix: 'seedcode',
      cohortId: cohort.id,
      maxUses: 1,
      expiresAt: t.clock.now() + 86_400_000,
      createdBy: consultant.user.id,
    });
    await t.store.progress.upsertMilestone(readerA.user.id, { chapterId: SEEDED_CHAPTER, status: 'completed', score: 5 });
    const [item] = await t.store.attention.reviewMilestoneAttention(readerA.user.id, SEEDED_CHAPTER);
    await t.store.attention.claimAttention(item!.id, consultant.user.id);
    const credential = await t.store.lrsCredentials.createLrsCredential({ name: 'Seeded player', key: 'seeded-key', secretHash: 'b'.repeat(64) });
    world = { readerA, readerB, consultant, cohortId: cohort.id, invitePrefix: invite.codePrefix, itemId: item!.id, credentialId: credential.id };
  });
  afterEach(async () => t.close());

  it.each(CASES.map((c) => [`${c.method} ${c.route} as ${c.caller} answers ${c.status}`, c] as const))('%s', async (_title, row) => {
    const headers: Record<string, string> = row.caller === 'anonymous' ? {} : { ...world[row.caller].headers };
    const request: InjectOptions = { method: row.method, url: row.url(world), headers };
    if (row.body) request.payload = row.body(row.caller);
    const before = await rowCounts(t);

    const response = row.endless ? await fetchHead(t, row.url(world), headers) : toAnswer(await t.app.inject(request));

    if (row.status >= 400) {
      expectProblem(response, row.status, ERROR_CODES[row.status]!);
      expect(await rowCounts(t)).toEqual(before);
    } else {
      expect(response.status).toBe(row.status);
      if (row.status !== 204) expect(response.contentType).toMatch(row.successType ?? /^application\/json/);
      await row.stored?.(t, row.caller === 'anonymous' ? undefined : world[row.caller], row.caller);
    }
  });

  it('/metrics answers its scrape token with the metrics, and a wrong or partial token with 401', async () => {
    const scrape = await t.app.inject({ method: 'GET', url: '/metrics', headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    expect(scrape.statusCode).toBe(200);
    expect(scrape.headers['content-type']).toMatch(/^text\/plain/);
    expect(scrape.body).toContain('# TYPE readpulse_http_request_duration_seconds ');
    for (const authorization of [`Bearer ${METRICS_TOKEN.slice(0, -1)}`, `Basic ${METRICS_TOKEN}`, METRICS_TOKEN, `Bearer ${METRICS_TOKEN}x`]) {
      const refused = await t.app.inject({ method: 'GET', url: '/metrics', headers: { authorization } });
      expectProblem(toAnswer(refused), 401, 'unauthenticated');
      expect(refused.headers['www-authenticate']).toMatch(/^Bearer/);
      expect(refused.body).not.toContain('readpulse_');
    }
  });

  it('has a row for every route the app registered, and no row for a route it did not', () => {
    const registered = registeredRoutes(t.app)
      .filter((route) => !route.startsWith('HEAD '))
      .filter((route) => route !== 'GET /*')
      // The LRS authenticates its own credentials (HTTP Basic, not sessions): test/xapi/xapi-authorization.test.ts.
      .filter((route) => !/^[A-Z]+ \/xapi\//.test(route));
    expect(registered).toContain('GET /healthz');
    const inMatrix = MATRIX.map((row) => `${row.method} ${row.route}`);
    expect([...registered].sort()).toEqual([...inMatrix].sort());
  });

  it('has a row for every operation in the OpenAPI document', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/api/openapi.json' });
    expect(response.statusCode).toBe(200);
    const paths = response.json().paths as Record<string, Record<string, unknown>>;
    const documented = Object.entries(paths)
      // The LRS has its own auth and errors, and its own suites (test/xapi/xapi-authorization.test.ts).
      .filter(([path]) => !path.startsWith('/xapi/'))
      .flatMap(([path, operations]) => Object.keys(operations).map((method) => `${method.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`));
    expect(documented.length).toBeGreaterThan(0);
    const inMatrix = new Set(MATRIX.map((row) => `${row.method} ${row.route}`));
    expect(documented.filter((operation) => !inMatrix.has(operation))).toEqual([]);
  });
});

describe('route policies', () => {
  const stubDeps = {
    accounts: { authenticate: async () => null } as unknown as Accounts,
    presence: { touch: () => 0 } as unknown as Presence,
  };

  it('an app with a route that declares no policy fails to build', async () => {
    const app = Fastify();
    installRequestGuards(app, stubDeps);
    const build = async () => {
      app.get('/unguarded', async () => ({ ok: true }));
      await app.ready();
    };
    await expect(build()).rejects.toThrow(/declares no policy/);
  });

  it('an app with a route that declares an unknown policy fails to build', async () => {
    const app = Fastify();
    installRequestGuards(app, stubDeps);
    const build = async () => {
      app.get('/odd', { config: { policy: 'admin' as never } }, async () => ({ ok: true }));
      await app.ready();
    };
    await expect(build()).rejects.toThrow(/declares no policy/);
  });

  it('an app whose routes all declare a policy builds and serves them', async () => {
    const app = Fastify();
    installRequestGuards(app, stubDeps);
    app.get('/open', { config: { policy: 'public' } }, async () => ({ ok: true }));
    await app.ready();
    const response = await app.inject({ method: 'GET', url: '/open' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ ok: true });
    await app.close();
  });
});

describe('reader isolation', () => {
  let t: TestApp;
  let a: SignedInUser;
  let b: SignedInUser;
  let consultant: SignedInUser;

  beforeEach(async () => {
    t = await buildTestApp();
    a = await t.signIn('reader', 'reader-a@example.test', 'Reader A');
    b = await t.signIn('reader', 'reader-b@example.test', 'Reader B');
    consultant = await t.signIn('consultant', 'consultant@example.test', 'Consultant');
    for (const [chapterId, body] of [
      ['chapter-1', { status: 'completed', score: 90 }],
      ['chapter-2', { status: 'stuck' }],
    ] as const) {
      const response = await t.app.inject({ method: 'PUT', url: `/api/me/milestones/${chapterId}`, headers: a.headers, payload: body });
      expect(response.statusCode).toBe(200);
    }
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/me/activity',
      headers: a.headers,
      payload: { actionType: 'PAGE_VIEW', metadata: { page: 7 } },
    });
    expect(response.statusCode).toBe(201);
  });
  afterEach(async () => t.close());

  async function storedOf(userId: number) {
    return {
      milestones: await t.store.progress.getMyMilestones(userId),
      events: (await t.store.activity.listActivity(userId, { limit: 200 })).items,
    };
  }

  it("a reader's own lists show none of another reader's milestones or activity", async () => {
    const milestones = await t.app.inject({ method: 'GET', url: '/api/me/milestones', headers: b.headers });
    expect(milestones.statusCode).toBe(200);
    expect(milestones.json()).toEqual({ milestones: [] });

    const activity = await t.app.inject({ method: 'GET', url: '/api/me/activity', headers: b.headers });
    expect(activity.statusCode).toBe(200);
    expect(activity.json()).toEqual({ events: [], nextCursor: null });

    const mine = await t.app.inject({ method: 'GET', url: '/api/me/milestones', headers: a.headers });
    expect(mine.json().milestones.map((m: { chapterId: string }) => m.chapterId).sort()).toEqual(['chapter-1', 'chapter-2']);
  });

  it.each([
    ['userId', 'PUT', '/api/me/milestones/chapter-1', { status: 'started' }],
    ['readerId', 'PUT', '/api/me/milestones/chapter-1', { status: 'started' }],
    ['user_id', 'PUT', '/api/me/milestones/chapter-1', { status: 'started' }],
    ['userId', 'POST', '/api/me/activity', { actionType: 'SUBMIT' }],
    ['readerId', 'POST', '/api/me/activity', { actionType: 'SUBMIT' }],
    ['user_id', 'POST', '/api/me/activity', { actionType: 'SUBMIT' }],
    ['userId', 'POST', '/api/me/activity/batch', { events: [{ actionType: 'SUBMIT' }] }],
    ['userId', 'POST', '/api/me/password', { currentPassword: TEST_PASSWORD, newPassword: 'another password' }],
  ] as const)('a reader cannot name another user with a %s body field on %s %s', async (field, method, url, body) => {
    const beforeA = await storedOf(a.user.id);
    const response = await t.app.inject({ method, url, headers: b.headers, payload: { ...body, [field]: a.user.id } });

    expect(response.statusCode).toBe(400);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.json()).toMatchObject({ status: 400, code: 'invalid_request' });
    expect(response.json().detail).toContain(field);
    expect(await storedOf(a.user.id)).toEqual(beforeA);
    expect(await storedOf(b.user.id)).toEqual({ milestones: [], events: [] });
  });

  it('a reader cannot name another user inside a batched activity event', async () => {
    const beforeA = await storedOf(a.user.id);
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/me/activity/batch',
      headers: b.headers,
      payload: { events: [{ actionType: 'SUBMIT' }, { actionType: 'SUBMIT', userId: a.user.id }] },
    });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ status: 400, code: 'invalid_request' });
    expect(await storedOf(a.user.id)).toEqual(beforeA);
    expect(await storedOf(b.user.id)).toEqual({ milestones: [], events: [] });
  });

  it("a reader's ?userId= on their own lists is ignored: they still get only their own data", async () => {
    for (const parameter of ['userId', 'readerId', 'user_id']) {
      const milestones = await t.app.inject({ method: 'GET', url: `/api/me/milestones?${parameter}=${a.user.id}`, headers: b.headers });
      expect(milestones.statusCode).toBe(200);
      expect(milestones.json()).toEqual({ milestones: [] });
      const activity = await t.app.inject({ method: 'GET', url: `/api/me/activity?${parameter}=${a.user.id}`, headers: b.headers });
      expect(activity.statusCode).toBe(200);
      expect(activity.json()).toEqual({ events: [], nextCursor: null });
    }
  });

  it("a reader writing the same chapter as another reader changes only their own milestone", async () => {
    const response = await t.app.inject({
      method: 'PUT',
      url: '/api/me/milestones/chapter-1',
      headers: b.headers,
      payload: { status: 'started', score: 5 },
    });
    expect(response.statusCode).toBe(200);
    const aChapter1 = (await t.store.progress.getMyMilestones(a.user.id)).find((m) => m.chapterId === 'chapter-1');
    expect(aChapter1).toMatchObject({ status: 'completed', score: 90 });
    expect(await t.store.progress.getMyMilestones(b.user.id)).toMatchObject([{ chapterId: 'chapter-1', status: 'started', score: 5 }]);
  });

  it.each(['progress', 'activity'])("a reader cannot read another reader's %s", async (what) => {
    const response = await t.app.inject({ method: 'GET', url: `/api/readers/${a.user.id}/${what}`, headers: b.headers });
    expect(response.statusCode).toBe(403);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.json()).toMatchObject({ status: 403, code: 'forbidden' });
    expect(response.body).not.toContain('chapter-1');
    expect(response.body).not.toContain('PAGE_VIEW');
  });

  it("a consultant sees a reader's progress and activity", async () => {
    const progress = await t.app.inject({ method: 'GET', url: `/api/readers/${a.user.id}/progress`, headers: consultant.headers });
    expect(progress.statusCode).toBe(200);
    const body = progress.json();
    expect(body.reader).toMatchObject({ id: a.user.id, email: 'reader-a@example.test', role: 'reader' });
    const stored = await storedOf(a.user.id);
    expect(body.milestones).toHaveLength(stored.milestones.length);
    expect(body.milestones).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ chapterId: 'chapter-1', status: 'completed', score: 90 }),
        expect.objectContaining({ chapterId: 'chapter-2', status: 'stuck', score: null }),
      ]),
    );

    const activity = await t.app.inject({ method: 'GET', url: `/api/readers/${a.user.id}/activity`, headers: consultant.headers });
    expect(activity.statusCode).toBe(200);
    expect(activity.json()).toMatchObject({
      events: [{ id: stored.events[0]!.id, actionType: 'PAGE_VIEW', metadata: { page: 7 } }],
      nextCursor: null,
    });

    const otherReader = await t.app.inject({ method: 'GET', url: `/api/readers/${b.user.id}/progress`, headers: consultant.headers });
    expect(otherReader.json()).toMatchObject({ reader: { id: b.user.id }, milestones: [] });
  });
});
