import fc from 'fast-check';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashSessionToken } from '../../src/auth/session-token.js';
import { buildTestApp, TEST_PASSWORD, type SignedInUser, type TestApp } from '../support/test-app.js';
import { rowCounts, WRITABLE_TABLES } from '../support/row-counts.js';

/**
 * Hostile input against every route of the app, as anonymous, reader A and a consultant. Whatever
 * arrives, the app answers 2xx/3xx or a problem+json 4xx with a contract code, never a 5xx; a 4xx
 * changes no row; reader A never sees reader B's data; and strings the app accepts come back as
 * plain data, byte for byte.
 */

/** API.md's error codes and their statuses; `internal` (500) is never an acceptable answer here. */
const CLIENT_ERROR_STATUS: Readonly<Record<string, number>> = {
  invalid_request: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  rate_limited: 429,
};
const B_EMAIL = 'bee-7f3a9c@private.example';
const B_MARKER = 'B-ONLY-MARKER-5d2e81';
const SEEDED_CHAPTER = 'introduction';
const RUNS = 150;

type Caller = 'anonymous' | 'readerA' | 'consultant';
const CALLERS: readonly Caller[] = ['anonymous', 'readerA', 'consultant'];

interface RouteTemplate {
  readonly method: string;
  /** OpenAPI form: `/api/readers/{id}/progress`; `{*}` is the web app's catch-all. */
  readonly path: string;
}

interface HostileRequest {
  readonly caller: Caller;
  readonly method: string;
  readonly url: string;
  readonly headers: Record<string, string>;
  readonly payload?: string | Buffer;
}

const SQL_INJECTION = [
  "'; DROP TABLE users; --",
  '" OR 1=1 --',
  "' OR '1'='1",
  "1; DELETE FROM sessions WHERE 1=1; --",
  "Robert'); DROP TABLE activity_logs;--",
  "' UNION SELECT token_hash, user_id FROM sessions --",
  "x') ON CONFLICT DO UPDATE SET role='consultant' --",
  '%',
  '_',
  '\\',
  '%_%',
  "'; ATTACH DATABASE '/tmp/x.db' AS x; --",
];
const ODD_STRINGS = ['\u0000', 'a\u0000b', '%00', '../../etc/passwd', '<script>alert(1)</script>', '{{7*7}}', '${7*7}', '\u202e', '\ufeff', 'İ', 'ß', '😀', '\r\n\r\nX-Injected: 1'];
const HOSTILE_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'userId', 'user_id', 'role', 'id', 'readerId', 'passwordHash'];

const hostileString: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(...SQL_INJECTION, ...ODD_STRINGS),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme-composite', maxLength: 20 }),
  fc.tuple(fc.constantFrom(...SQL_INJECTION), fc.string({ unit: 'grapheme', maxLength: 10 })).map(([a, b]) => a + b),
  fc.integer({ min: 250, max: 6000 }).map((n) => 'x'.repeat(n)),
);
const hostileKey = fc.oneof(fc.constantFrom(...HOSTILE_KEYS), hostileString);
const hugeNumberText = fc.constantFrom('1e400', '-1e400', '123456789012345678901234567890', '-0', '0.0000000000000000000001', '9007199254740993', '1E+308', '4.9e-324');

/** Any JSON value, with hostile keys and strings, up to a modest depth. */
const hostileJson: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constant(null),
    fc.boolean(),
    fc.integer(),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.constantFrom(Number.MAX_SAFE_INTEGER + 2, -Number.MAX_VALUE, Number.MIN_VALUE),
    hostileString,
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(hostileKey, tie('value'), { maxKeys: 4 }),
  ),
})).value;

/** Raw JSON text nested `depth` levels deep, as arrays or as objects. */
const deepJsonText = fc.record({ depth: fc.integer({ min: 50, max: 5000 }), objects: fc.boolean() }).map(({ depth, objects }) =>
  objects ? '{"a":'.repeat(depth) + '1' + '}'.repeat(depth) : '['.repeat(depth) + ']'.repeat(depth),
);

/** Valid bodies per route, so a single hostile field can reach past validation into the store. */
function validBody(method: string, path: string): Record<string, unknown> {
  switch (`${method} ${path}`) {
    case 'POST /api/auth/register':
      return { email: 'someone-new@example.test', password: 'a long enough password', name: 'New' };
    case 'POST /api/auth/login':
      return { email: 'reader-a@example.test', password: 'not the password' };
    case 'POST /api/me/password':
      return { currentPassword: 'not the password', newPassword: 'a brand new password' };
    case 'PUT /api/me/milestones/{chapterId}':
      return { status: 'started', score: 10 };
    case 'POST /api/me/activity':
      return { actionType: 'PAGE_VIEW', metadata: { page: 1 } };
    case 'POST /api/me/activity/batch':
      return { events: [{ actionType: 'PAGE_VIEW', metadata: { page: 1 } }] };
    case 'POST /api/chapters':
      return { id: 'chapter-new', title: 'A new chapter' };
    case 'PUT /api/chapters/{id}':
      return { title: 'Renamed' };
    case 'PUT /api/chapter-order':
      return { ids: [SEEDED_CHAPTER] };
    default:
      return {};
  }
}

/** A body for one route: JSON garbage, raw text, or a valid body with one hostile field. */
function bodyFor(route: RouteTemplate): fc.Arbitrary<string | Buffer> {
  const base = validBody(route.method, route.path);
  const keys = Object.keys(base);
  const withHostileField = fc
    .tuple(keys.length > 0 ? fc.oneof(fc.constantFrom(...keys), hostileKey) : hostileKey, fc.oneof(hostileJson, hostileString))
    .map(([key, value]) => {
      const body: Record<string, unknown> = { ...base };
      Object.defineProperty(body, key, { value, enumerable: true, configurable: true, writable: true });
      return JSON.stringify(body);
    });
  const deepMetadata = fc.integer({ min: 500, max: 5000 }).map(
    (depth) => `{"actionType":"SUBMIT","metadata":{"a":${'['.repeat(depth)}${']'.repeat(depth)}}}`,
  );
  // Just past the 4 KiB metadata limit with everything else valid: refused only after parsing.
  const oversizeMetadata = fc.integer({ min: 4090, max: 9000 }).map((n) => JSON.stringify({ ...base, metadata: { filler: 'x'.repeat(n) } }));
  return fc.oneof(
    withHostileField,
    withHostileField,
    oversizeMetadata,
    hostileJson.map((value) => JSON.stringify(value) ?? 'null'),
    deepJsonText,
    deepMetadata,
    hugeNumberText.map((n) => `{"actionType":"SUBMIT","metadata":{"n":${n}},"score":${n}}`),
    fc.constantFrom(
      '{"__proto__":{"role":"consultant"}}',
      '{"constructor":{"prototype":{"role":"consultant"}}}',
      '{"actionType":"SUBMIT","metadata":{"__proto__":{"isAdmin":true}}}',
      '{"status":"started","status":"completed"}',
      '',
      '   ',
      '{',
      'null',
      '[]',
      '"\\ud800"',
    ),
    fc.uint8Array({ maxLength: 64 }).map((bytes) => Buffer.from(bytes)),
  );
}

/** A path segment in the shape an attacker would send it: encoded, raw traversal, NUL, numbers. */
const hostileSegment: fc.Arbitrary<string> = fc.oneof(
  hostileString.map((s) => encodeURIComponent(s.replace(/[\ud800-\udfff]/g, ''))),
  fc.constantFrom('..', '.', '%2e%2e', '%2E%2E%2F', 'a%2Fb', 'a%5Cb', '%00', 'a%00b', '%252F', '%25', '%25zz', '%C0%AE', '%E2%80%AE', '..%2F..%2Fetc%2Fpasswd', ';', 'a;b=c', 'a?b', '%3F', '%23', '%20', '+'),
  fc.constantFrom('0', '-1', '1.5', '1e3', '0x10', '99999999999999999999', '9007199254740993', '01', 'NaN', 'Infinity', ''),
  fc.integer({ min: -5, max: 50 }).map(String),
  fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._-]{0,70}$/),
);

/** Query strings: pagination and search garbage, unknown and repeated parameters. */
const hostileQuery: fc.Arbitrary<string> = fc
  .array(
    fc.tuple(
      fc.constantFrom('limit', 'limit', 'cursor', 'cursor', 'search', 'search', 'userId', 'id', '__proto__', 'constructor', 'limit[]', 'search[a]', ''),
      fc.oneof(
        hostileSegment,
        fc.constantFrom('0', '1', '200', '201', '-1', '1.5', 'abc', '', '1e2', ' 50', '50 ', 'true', 'null', '%2C', '1,2'),
        fc.base64String({ maxLength: 60 }).map((s) => encodeURIComponent(s)),
        fc.jsonValue().map((v) => encodeURIComponent(Buffer.from(JSON.stringify({ after: v }) ?? '', 'utf8').toString('base64url'))),
      ),
    ),
    { maxLength: 5 },
  )
  .map((pairs) => pairs.map(([k, v]) => `${k}=${v}`).join('&'));

const contentTypes = fc.constantFrom(
  'application/json',
  'application/json; charset=utf-8',
  'APPLICATION/JSON',
  'application/json;charset=latin1',
  'application/jsonx',
  'application/json-patch+json',
  'application/problem+json',
  'text/json',
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  '',
  ';',
  '*/*',
  'application/json, text/plain',
);

interface World {
  readonly t: TestApp;
  readonly routes: readonly RouteTemplate[];
  readonly users: Record<'readerA' | 'readerB' | 'consultant', SignedInUser>;
  /** Current tokens: refreshed when a hostile request happened to log one of them out. */
  readonly tokens: Record<'readerA' | 'consultant', string>;
}

async function buildWorld(): Promise<World> {
  const t = await buildTestApp({ env: { READPULSE_RATE_LIMITS: 'off' } });
  const readerA = await t.signIn('reader', 'reader-a@example.test', 'Reader A');
  const readerB = await t.signIn('reader', B_EMAIL, 'Reader B');
  const consultant = await t.signIn('consultant', 'consultant@example.test', 'Consultant');
  await t.store.chapters.createChapter({ id: SEEDED_CHAPTER, title: 'Introduction' });
  await t.store.progress.upsertMilestone(readerB.user.id, { chapterId: 'b-secret-chapter', status: 'stuck', score: 3 });
  await t.store.activity.logActivity(readerB.user.id, { actionType: 'PAGE_VIEW', metadata: { note: B_MARKER } });
  await t.store.progress.upsertMilestone(readerA.user.id, { chapterId: 'chapter-1', status: 'started', score: 10 });
  await t.store.activity.logActivity(readerA.user.id, { actionType: 'PAGE_VIEW', metadata: { page: 1 } });

  const openapi = await t.app.inject({ method: 'GET', url: '/api/openapi.json' });
  expect(openapi.statusCode).toBe(200);
  const paths = (openapi.json() as { paths: Record<string, Record<string, unknown>> }).paths;
  const routes: RouteTemplate[] = [];
  for (const [path, operations] of Object.entries(paths)) {
    // The LRS has its own auth and errors, and its own suites (test/xapi/xapi-authorization.test.ts).
    if (path.startsWith('/xapi/')) continue;
    for (const method of Object.keys(operations)) {
      if (['get', 'post', 'put', 'patch', 'delete', 'head'].includes(method)) routes.push({ method: method.toUpperCase(), path });
    }
  }
  // Routes hidden from the document, and ones the contract names.
  for (const known of [
    { method: 'GET', path: '/api/openapi.json' },
    { method: 'GET', path: '/healthz' },
    { method: 'GET', path: '/metrics' },
    { method: 'GET', path: '/api/consultant/dashboard/stream' },
    { method: 'GET', path: '/{*}' },
  ]) {
    if (!routes.some((r) => r.method === known.method && r.path === known.path)) routes.push(known);
  }
  return { t, routes, users: { readerA, readerB, consultant }, tokens: { readerA: readerA.token, consultant: consultant.token } };
}

function headersOf(world: World, caller: Caller): Record<string, string> {
  return caller === 'anonymous' ? {} : { authorization: `Bearer ${world.tokens[caller]}` };
}

function fillPath(world: World, path: string, segment: (name: string) => string): string {
  return path.replace(/\{([^}]+)\}/g, (_all, name: string) => segment(name));
}

interface Answer {
  readonly statusCode: number;
  readonly headers: LightMyRequestResponse['headers'];
  readonly body: string;
  json(): unknown;
}

const STREAM_PATH = '/api/consultant/dashboard/stream';

/**
 * The app's answer. The live stream never ends by design, so its response is taken as a stream:
 * whatever arrived within 300 ms is its body (all of it for an error, the first frames for a 200).
 */
async function answer(t: TestApp, options: InjectOptions): Promise<Answer> {
  if (!String(options.url).startsWith(STREAM_PATH)) return t.app.inject(options);
  const response = await t.app.inject({ ...options, payloadAsStream: true });
  const stream = response.stream();
  const chunks: Buffer[] = [];
  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, 300);
    stream.on('data', (chunk: Buffer) => chunks.push(Buffer.from(chunk)));
    stream.on('end', () => (clearTimeout(timer), resolve()));
    stream.on('error', () => (clearTimeout(timer), resolve()));
  });
  stream.destroy();
  const body = Buffer.concat(chunks).toString('utf8');
  return { statusCode: response.statusCode, headers: response.headers, body, json: () => JSON.parse(body) };
}

/** Sends one request and checks every invariant; re-signs-in a caller a request logged out. */
async function sendAndCheck(world: World, request: HostileRequest): Promise<Answer> {
  const { t } = world;
  const before = await rowCounts(t);
  const options: InjectOptions = {
    method: request.method as InjectOptions['method'],
    url: request.url,
    headers: { ...headersOf(world, request.caller), ...request.headers },
  };
  if (request.payload !== undefined) options.payload = request.payload;
  const response = await within(5_000, answer(t, options), () => `no answer within 5 s: ${request.method} ${request.url} as ${request.caller}, payload ${String(request.payload ?? '').slice(0, 200)}`);
  const summary = `${request.method} ${request.url} as ${request.caller} -> ${response.statusCode} ${response.headers['content-type'] ?? ''} ${response.body.slice(0, 300)}`;

  expect(response.statusCode, summary).toBeLessThan(500);
  if (response.statusCode >= 400) {
    expect(String(response.headers['content-type']), summary).toMatch(/^application\/problem\+json/);
    if (request.method !== 'HEAD') {
      const problem = JSON.parse(response.body) as Record<string, unknown>;
      expect(Object.keys(CLIENT_ERROR_STATUS), summary).toContain(problem.code);
      expect(CLIENT_ERROR_STATUS[String(problem.code)], summary).toBe(response.statusCode);
      expect(problem.status, summary).toBe(response.statusCode);
      expect(typeof problem.title === 'string' && typeof problem.detail === 'string' && typeof problem.type === 'string', summary).toBe(true);
      expect(response.body, summary).not.toMatch(/\bat .+\.(ts|js):\d+|SQLITE|sqlite|SELECT |INSERT /);
    }
    expect(await rowCounts(t), `a rejected request changed the database: ${summary}`).toEqual(before);
  }
  if (request.caller === 'readerA') {
    expect(response.body, summary).not.toContain(B_EMAIL);
    expect(response.body, summary).not.toContain(B_MARKER);
    if (request.method === 'GET') expect(response.body, summary).not.toContain('b-secret-chapter');
  }
  await keepSignedIn(world);
  return response;
}

/** A request the app never answers is a finding too (a hung handler ties up a connection). */
async function within<T>(ms: number, work: Promise<T>, describe: () => string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(describe())), ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function keepSignedIn(world: World): Promise<void> {
  for (const caller of ['readerA', 'consultant'] as const) {
    if (await world.t.store.sessions.findSession(hashSessionToken(world.tokens[caller]))) continue;
    const email = world.users[caller].user.email;
    const login = await world.t.app.inject({ method: 'POST', url: '/api/auth/login', payload: { email, password: TEST_PASSWORD } });
    expect(login.statusCode).toBe(200);
    world.tokens[caller] = (login.json() as { token: string }).token;
  }
}

describe('hostile input on every route', () => {
  let world: World;
  beforeAll(async () => {
    world = await buildWorld();
  });
  afterAll(async () => world.t.close());

  const route = () => fc.constantFrom(...world.routes);
  const caller = fc.constantFrom(...CALLERS);
  const plainPath = (r: RouteTemplate) =>
    fillPath(world, r.path, (name) =>
      name === 'id' && r.path.startsWith('/api/readers') ? String(world.users.readerA.user.id) : name === '*' ? 'readers/1' : name === 'id' ? SEEDED_CHAPTER : 'chapter-1',
    );

  it('discovers the routes from the OpenAPI document', () => {
    const listed = world.routes.map((r) => `${r.method} ${r.path}`);
    for (const expected of [
      'POST /api/auth/register',
      'POST /api/auth/login',
      'POST /api/auth/logout',
      'GET /api/me',
      'POST /api/me/password',
      'PUT /api/me/milestones/{chapterId}',
      'GET /api/me/milestones',
      'POST /api/me/activity',
      'GET /api/me/activity',
      'GET /api/readers',
      'GET /api/readers/{id}/progress',
      'GET /api/readers/{id}/activity',
      'GET /api/consultant/dashboard/live',
      'GET /healthz',
    ]) {
      expect(listed).toContain(expected);
    }
  });

  it('hostile JSON bodies (deep nesting, huge numbers, unicode, __proto__, SQL) never get a 5xx, get a contract problem and change nothing when refused', async () => {
    // Mostly the routes that take a body, where hostile JSON reaches validation and the store.
    const writes = world.routes.filter((r) => r.method !== 'GET' && r.method !== 'HEAD');
    const request = fc.oneof({ arbitrary: fc.constantFrom(...writes), weight: 4 }, { arbitrary: route(), weight: 1 }).chain((r) =>
      fc.record({
        caller,
        method: r.method === 'GET' ? fc.constantFrom('POST', 'PUT', 'GET') : fc.constant(r.method),
        url: fc.constant(plainPath(r)),
        headers: fc.constantFrom({ 'content-type': 'application/json' }, { 'content-type': 'application/json; charset=utf-8' }),
        payload: bodyFor(r.method === 'GET' ? { method: 'POST', path: r.path } : r),
      }),
    );
    const deep = 1500; // past SQLite's JSON depth limit of 1000, yet under 4 KiB serialized
    const known: [HostileRequest][] = [
      [{ caller: 'readerA', method: 'POST', url: '/api/me/activity', headers: { 'content-type': 'application/json' }, payload: `{"actionType":"SUBMIT","metadata":{"a":${'['.repeat(deep)}${']'.repeat(deep)}}}` }],
    ];
    await fc.assert(fc.asyncProperty(request, async (r) => void (await sendAndCheck(world, r))), { numRuns: 200, examples: known });
  });

  it('metadata nested 5,000 levels deep (30 KB) is 400 on the single and the batch activity route, and nothing is stored', async () => {
    const levels = 5000;
    const deepArrays = `{"a":${'['.repeat(levels)}${']'.repeat(levels)}}`;
    const deepObjects = `${'{"a":'.repeat(levels)}1${'}'.repeat(levels)}`;
    const before = await world.t.db.count('SELECT count(*) AS n FROM activity_logs');
    for (const metadata of [deepArrays, deepObjects]) {
      for (const [url, payload] of [
        ['/api/me/activity', `{"actionType":"SUBMIT","metadata":${metadata}}`],
        ['/api/me/activity/batch', `{"events":[{"actionType":"PAGE_VIEW"},{"actionType":"SUBMIT","metadata":${metadata}}]}`],
      ] as const) {
        const response = await sendAndCheck(world, { caller: 'readerA', method: 'POST', url, headers: { 'content-type': 'application/json' }, payload });
        expect(response.statusCode, response.body).toBe(400);
        expect(response.json()).toMatchObject({ status: 400, code: 'invalid_request' });
        expect((response.json() as { detail: string }).detail).toMatch(/levels deep/);
      }
    }
    expect(await world.t.db.count('SELECT count(*) AS n FROM activity_logs')).toBe(before);
  });

  it('hostile path parameters (encoded slashes, dots, %00, huge and foreign ids) never get a 5xx and are refused as problems', async () => {
    const request = fc.record({
      caller,
      route: route(),
      segment: fc.oneof(
        hostileSegment,
        fc.constant(String(world.users.readerB.user.id)),
        fc.constant(String(world.users.consultant.user.id)),
      ),
      extraMethod: fc.option(fc.constantFrom('GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'), { nil: undefined }),
      body: fc.option(fc.constantFrom('{"status":"started"}', '{"actionType":"SUBMIT"}', '{"title":"T"}', '{}'), { nil: undefined }),
    }).map(({ caller: c, route: r, segment, extraMethod, body }): HostileRequest => {
      const url = r.path === '/{*}' ? `/${segment}` : fillPath(world, r.path, () => segment);
      const method = extraMethod ?? r.method;
      const withBody = body !== undefined && method !== 'GET' && method !== 'HEAD';
      return { caller: c, method, url, headers: withBody ? { 'content-type': 'application/json' } : {}, ...(withBody ? { payload: body } : {}) };
    });
    // Shapes random runs have found before, pinned so every run tries them.
    const known: [HostileRequest][] = [
      [{ caller: 'anonymous', method: 'GET', url: '/api/readers/%C0%AE/activity', headers: {} }],
      [{ caller: 'anonymous', method: 'GET', url: '/%25zz', headers: {} }],
      [{ caller: 'readerA', method: 'PUT', url: `/api/me/milestones/${'x'.repeat(120)}`, headers: { 'content-type': 'application/json' }, payload: '{"status":"started"}' }],
    ];
    await fc.assert(fc.asyncProperty(request, async (r) => void (await sendAndCheck(world, r))), { numRuns: RUNS, examples: known });
  });

  it('hostile query strings (limit, cursor and search garbage, repeated and unknown parameters) never get a 5xx and are refused as problems', async () => {
    const request = fc.record({ caller, route: route(), query: hostileQuery }).map(
      ({ caller: c, route: r, query }): HostileRequest => ({ caller: c, method: 'GET', url: `${plainPath({ ...r })}?${query}`, headers: {} }),
    );
    await fc.assert(fc.asyncProperty(request, async (r) => void (await sendAndCheck(world, r))), { numRuns: RUNS });
  });

  it('hostile headers (content types, garbage Authorization, cookies, origins) never get a 5xx and are refused as problems', async () => {
    const authorization = fc.oneof(
      fc.constantFrom('Bearer', 'Bearer ', 'Basic YTpi', 'bearer x y', 'Bearer \u0000', 'Token abc', ''),
      fc.stringMatching(/^[A-Za-z0-9_-]{43}$/).map((s) => `Bearer ${s}`),
      fc.string({ unit: 'binary-ascii', maxLength: 80 }).map((s) => `Bearer ${s.replace(/[\r\n\u0000-\u001f\u007f]/g, '')}`),
      fc.constant(`Bearer ${hashSessionToken('x')}`),
    );
    const cookie = fc.oneof(
      fc.stringMatching(/^[A-Za-z0-9_-]{0,60}$/).map((s) => `readpulse_session=${s}`),
      fc.constantFrom('readpulse_session=', 'readpulse_session', 'readpulse_session=a; readpulse_session=b', '=;;=', 'readpulse_session=%00', 'readpulse_session="quoted"'),
      hostileString.map((s) => `readpulse_session=${encodeURIComponent(s.replace(/[\ud800-\udfff]/g, ''))}`),
    );
    const request = fc
      .record({
        caller,
        route: route(),
        contentType: fc.option(contentTypes, { nil: undefined }),
        authorization: fc.option(authorization, { nil: undefined }),
        cookie: fc.option(cookie, { nil: undefined }),
        origin: fc.option(fc.constantFrom('https://evil.example', 'null', 'http://', '::::', 'http://localhost:80'), { nil: undefined }),
        fetchSite: fc.option(fc.constantFrom('cross-site', 'same-site', 'none', 'garbage'), { nil: undefined }),
      })
      .map(({ caller: c, route: r, contentType, authorization: a, cookie: k, origin, fetchSite }): HostileRequest => {
        const headers: Record<string, string> = {};
        if (contentType !== undefined) headers['content-type'] = contentType;
        if (a !== undefined) headers.authorization = a;
        if (k !== undefined) headers.cookie = k;
        if (origin !== undefined) headers.origin = origin;
        if (fetchSite !== undefined) headers['sec-fetch-site'] = fetchSite;
        const body = JSON.stringify(validBody(r.method, r.path));
        const writes = r.method !== 'GET' && r.method !== 'HEAD';
        return { caller: c, method: r.method, url: plainPath(r), headers, ...(writes ? { payload: body } : {}) };
      });
    await fc.assert(fc.asyncProperty(request, async (r) => void (await sendAndCheck(world, r))), { numRuns: RUNS });
  });

  it("reader A's responses never contain reader B's email, activity marker or chapters, whatever A asks for", async () => {
    const b = () => String(world.users.readerB.user.id);
    const request = fc
      .record({
        route: route(),
        query: fc.oneof(
          hostileQuery,
          fc.constantFrom(`userId=${b()}`, `id=${b()}`, `search=${encodeURIComponent(B_EMAIL)}`, 'search=bee', `readerId=${b()}`, 'limit=200'),
        ),
        segment: fc.oneof(fc.constant(b()), hostileSegment),
      })
      .map(({ route: r, query, segment }): HostileRequest => {
        const url = r.path === '/{*}' ? `/${segment}` : fillPath(world, r.path, () => segment);
        const writes = r.method !== 'GET' && r.method !== 'HEAD';
        const body = validBody(r.method, r.path);
        return {
          caller: 'readerA',
          method: r.method,
          url: `${url}?${query}`,
          headers: writes ? { 'content-type': 'application/json' } : {},
          ...(writes ? { payload: JSON.stringify(body) } : {}),
        };
      });
    await fc.assert(fc.asyncProperty(request, async (r) => void (await sendAndCheck(world, r))), { numRuns: RUNS });
    // A's own list pages still hold only A's data.
    const mine = await sendAndCheck(world, { caller: 'readerA', method: 'GET', url: '/api/me/activity?limit=200', headers: {} });
    expect(mine.statusCode).toBe(200);
  });
});

describe('accepted strings are plain data', () => {
  let world: World;
  let serial = 0;
  beforeAll(async () => {
    world = await buildWorld();
  });
  afterAll(async () => world.t.close());

  /** Strings a client may legitimately send: any well-formed Unicode, SQL-shaped text included. */
  const plainText = fc.oneof(
    fc.constantFrom(...SQL_INJECTION, ...ODD_STRINGS),
    fc.string({ unit: 'binary', maxLength: 60 }),
    fc.string({ unit: 'grapheme', maxLength: 60 }),
    fc.tuple(fc.constantFrom(...SQL_INJECTION), fc.string({ unit: 'grapheme', maxLength: 20 })).map(([a, b]) => `${b}${a}${b}`),
  );

  async function expectTablesIntact(): Promise<void> {
    const names = await world.t.db.tables();
    for (const table of WRITABLE_TABLES) expect(names).toContain(table);
    const counts = await rowCounts(world.t);
    expect(counts.users).toBeGreaterThanOrEqual(3);
    expect(counts.sessions).toBeGreaterThanOrEqual(3);
    expect(counts.chapters).toBeGreaterThanOrEqual(1);
  }

  it('activity metadata strings (SQL injection, unicode, NUL) are stored and returned exactly, and the tables survive', async () => {
    const metadata = fc
      .dictionary(
        fc.oneof(plainText, fc.constantFrom('constructor', 'toString', 'role')).filter((k) => k !== '__proto__'),
        fc.oneof(plainText, fc.array(plainText, { maxLength: 3 }), fc.dictionary(fc.constantFrom('a', 'b', "'"), plainText, { maxKeys: 2 })),
        { maxKeys: 4 },
      )
      .filter((m) => Buffer.byteLength(JSON.stringify(m), 'utf8') <= 4096);
    await fc.assert(
      fc.asyncProperty(metadata, async (sent) => {
        const response = await sendAndCheck(world, {
          caller: 'readerA',
          method: 'POST',
          url: '/api/me/activity',
          headers: { 'content-type': 'application/json' },
          payload: JSON.stringify({ actionType: 'SUBMIT', metadata: sent }),
        });
        expect(response.statusCode, response.body).toBe(201);
        const event = (response.json() as { event: { id: number; metadata: unknown } }).event;
        // Compared as JSON text: key order and every code unit must survive (and an own
        // "constructor" key confuses object equality).
        expect(JSON.stringify(event.metadata)).toBe(JSON.stringify(sent));
        const row = (await world.t.db.get<{ metadata: string }>('SELECT metadata FROM activity_logs WHERE id = ?', event.id))!;
        expect(JSON.stringify(JSON.parse(row.metadata))).toBe(JSON.stringify(sent));
        const page = await sendAndCheck(world, { caller: 'readerA', method: 'GET', url: '/api/me/activity?limit=1', headers: {} });
        const newest = (page.json() as { events: { id: number; metadata: unknown }[] }).events[0];
        expect(newest?.id).toBe(event.id);
        expect(JSON.stringify(newest?.metadata)).toBe(JSON.stringify(sent));
        await expectTablesIntact();
      }),
      {
        numRuns: RUNS,
        examples: [[{ "line\nbreak": "'; DROP TABLE users; --" }], [{ nul: 'a\u0000b', lone: '\ud800x', tail: 'y\udfff', 'k\u0000': ['\udbff'] }]],
      },
    );
  });

  it('reader names are stored verbatim (but for surrounding spaces), found by search, and search never matches more than it says', async () => {
    // A NUL is refused on every engine (the next test); everything else is kept as sent.
    const name = plainText.map((s) => s.slice(0, 100)).filter((s) => !s.includes('\u0000'));
    await fc.assert(
      fc.asyncProperty(name, plainText, async (sentName, extraSearch) => {
        serial += 1;
        const email = `named-${serial}@example.test`;
        const register = await sendAndCheck(world, {
          caller: 'anonymous',
          method: 'POST',
          url: '/api/auth/register',
          headers: { 'content-type': 'application/json' },
          payload: JSON.stringify({ email, password: 'a long enough password', name: sentName }),
        });
        expect(register.statusCode, register.body).toBe(201);
        const user = (register.json() as { user: { id: number; name: string } }).user;
        expect(user.name).toBe(sentName.trim());
        const row = (await world.t.db.get<{ name: string }>('SELECT name FROM users WHERE id = ?', user.id))!;
        expect(row.name).toBe(sentName.trim());

        for (const search of [sentName.trim(), extraSearch.trim()].filter((s) => s !== '' && s.length <= 100)) {
          const found = await sendAndCheck(world, {
            caller: 'consultant',
            method: 'GET',
            url: `/api/readers?limit=200&search=${encodeURIComponent(search)}`,
            headers: {},
          });
          expect(found.statusCode, found.body).toBe(200);
          const readers = (found.json() as { readers: { id: number; email: string; name: string }[] }).readers;
          for (const reader of readers) {
            expect(`${reader.email} ${reader.name}`.toLowerCase(), `search ${JSON.stringify(search)}`).toContain(search.toLowerCase());
          }
          if (search === sentName.trim()) expect(readers.find((r) => r.id === user.id)?.name).toBe(sentName.trim());
        }
        await expectTablesIntact();
      }),
      { numRuns: 100 },
    );
  });

  it('a name or title with a NUL character or an unpaired UTF-16 surrogate is refused with 400 on every engine, and nothing is stored', async () => {
    const withNul = fc
      .tuple(plainText, fc.constantFrom('\u0000', '\ud800', '\udfff', '\udbff!'), plainText)
      .map(([a, odd, b]) => `${a.slice(0, 40)}${odd}${b.slice(0, 40)}`)
      // Cutting the text beside a lone surrogate can pair it up again (a high surrogate left by the
      // cut, then '\udfff'): such a string is valid text, so only strings that still hold a NUL
      // or an unpaired surrogate are the case under test.
      .filter((text) => /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(text));
    await fc.assert(
      fc.asyncProperty(withNul, async (text) => {
        serial += 1;
        const id = `nul-${serial}`;
        const attempts: HostileRequest[] = [
          {
            caller: 'anonymous',
            method: 'POST',
            url: '/api/auth/register',
            headers: { 'content-type': 'application/json' },
            payload: JSON.stringify({ email: `nul-${serial}@example.test`, password: 'a long enough password', name: text }),
          },
          {
            caller: 'consultant',
            method: 'POST',
            url: '/api/chapters',
            headers: { 'content-type': 'application/json' },
            payload: JSON.stringify({ id, title: text }),
          },
          {
            caller: 'consultant',
            method: 'PUT',
            url: `/api/chapters/${SEEDED_CHAPTER}`,
            headers: { 'content-type': 'application/json' },
            payload: JSON.stringify({ title: text }),
          },
        ];
        for (const attempt of attempts) {
          const response = await sendAndCheck(world, attempt);
          expect(response.statusCode, response.body).toBe(400);
          expect((response.json() as { detail: string }).detail).toMatch(/NUL|surrogate/);
        }
        expect(await world.t.db.get('SELECT id FROM chapters WHERE id = ?', id)).toBeUndefined();
        expect(await world.t.db.get('SELECT id FROM users WHERE email = ?', `nul-${serial}@example.test`)).toBeUndefined();
        await expectTablesIntact();
      }),
      { numRuns: 30 },
    );
  });

  it('chapter titles are stored and returned verbatim (but for surrounding spaces) on create and rename', async () => {
    const title = plainText.map((s) => s.slice(0, 200)).filter((s) => /\S/.test(s) && !s.includes('\u0000'));
    await fc.assert(
      fc.asyncProperty(title, title, async (first, second) => {
        serial += 1;
        const id = `chapter-${serial}`;
        const created = await sendAndCheck(world, {
          caller: 'consultant',
          method: 'POST',
          url: '/api/chapters',
          headers: { 'content-type': 'application/json' },
          payload: JSON.stringify({ id, title: first }),
        });
        expect(created.statusCode, created.body).toBe(201);
        expect((created.json() as { chapter: { title: string } }).chapter).toMatchObject({ id, title: first.trim() });

        const renamed = await sendAndCheck(world, {
          caller: 'consultant',
          method: 'PUT',
          url: `/api/chapters/${id}`,
          headers: { 'content-type': 'application/json' },
          payload: JSON.stringify({ title: second }),
        });
        expect(renamed.statusCode, renamed.body).toBe(200);
        const row = (await world.t.db.get<{ title: string }>('SELECT title FROM chapters WHERE id = ?', id))!;
        expect(row.title).toBe(second.trim());
        const list = await sendAndCheck(world, { caller: 'readerA', method: 'GET', url: '/api/chapters', headers: {} });
        expect((list.json() as { chapters: { id: string; title: string }[] }).chapters.find((c) => c.id === id)?.title).toBe(second.trim());
        await expectTablesIntact();
      }),
      { numRuns: 100 },
    );
  });
});
