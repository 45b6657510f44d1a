import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../support/test-app.js';
import { statementOf, xapiClient, type XapiClient } from './xapi-client.js';

type Method = 'GET' | 'PUT' | 'POST' | 'DELETE';
const AGENT = encodeURIComponent(JSON.stringify({ mbox: 'mailto:ada@example.test' }));
const ACTIVITY = encodeURIComponent('https://books.example.test/chapter-1');

/** Every LRS route and method, with a request that succeeds for a valid credential. */
const ROUTES: readonly { method: Method; route: string; url: string; body?: unknown; ok: number }[] = [
  { method: 'PUT', route: '/xapi/statements', url: `/xapi/statements?statementId=${crypto.randomUUID()}`, body: statementOf({ id: undefined }), ok: 204 },
  { method: 'POST', route: '/xapi/statements', url: '/xapi/statements', body: statementOf(), ok: 200 },
  { method: 'GET', route: '/xapi/statements', url: '/xapi/statements', ok: 200 },
  { method: 'DELETE', route: '/xapi/statements', url: '/xapi/statements', ok: 405 },
  ...(['state', 'profile'] as const).flatMap((kind) => {
    const id = kind === 'state' ? 'stateId' : 'profileId';
    const params = kind === 'state' ? `activityId=${ACTIVITY}&agent=${AGENT}` : `activityId=${ACTIVITY}`;
    const route = `/xapi/activities/${kind}`;
    return [
      { method: 'PUT' as const, route, url: `${route}?${params}&${id}=doc`, body: { a: 1 }, ok: 204 },
      { method: 'POST' as const, route, url: `${route}?${params}&${id}=doc`, body: { a: 1 }, ok: 204 },
      { method: 'GET' as const, route, url: `${route}?${params}`, ok: 200 },
      { method: 'DELETE' as const, route, url: `${route}?${params}&${id}=doc`, ok: 204 },
    ];
  }),
  { method: 'PUT', route: '/xapi/agents/profile', url: `/xapi/agents/profile?agent=${AGENT}&profileId=doc`, body: { a: 1 }, ok: 204 },
  { method: 'POST', route: '/xapi/agents/profile', url: `/xapi/agents/profile?agent=${AGENT}&profileId=doc`, body: { a: 1 }, ok: 204 },
  { method: 'GET', route: '/xapi/agents/profile', url: `/xapi/agents/profile?agent=${AGENT}`, ok: 200 },
  { method: 'DELETE', route: '/xapi/agents/profile', url: `/xapi/agents/profile?agent=${AGENT}&profileId=doc`, ok: 204 },
  { method: 'GET', route: '/xapi/activities', url: `/xapi/activities?activityId=${ACTIVITY}`, ok: 200 },
  { method: 'GET', route: '/xapi/agents', url: `/xapi/agents?agent=${AGENT}`, ok: 200 },
];

type Caller = 'nobody' | 'wrong secret' | 'unknown key' | 'session of a consultant' | 'deleted credential' | 'credential';
const CALLERS: readonly Caller[] = ['nobody', 'wrong secret', 'unknown key', 'session of a consultant', 'deleted credential', 'credential'];

describe('who may call the LRS', () => {
  let t: TestApp;
  let client: XapiClient;
  let headers: Record<Caller, Record<string, string>>;

  beforeEach(async () => {
    t = await buildTestApp();
    client = await xapiClient(t);
    const removed = await xapiClient(t, 'Removed player');
    await t.store.lrsCredentials.deleteLrsCredential(removed.credentialId);
    const consultant = await t.signIn('consultant', 'coach@example.test');
    const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
    headers = {
      nobody: {},
      'wrong secret': { authorization: basic(client.key, `${client.secret}x`) },
      'unknown key': { authorization: basic('no-such-key', client.secret) },
      'session of a consultant': consultant.headers,
      'deleted credential': { authorization: removed.authorization },
      credential: { authorization: client.authorization },
    };
  });
  afterEach(async () => t.close());

  const cases = ROUTES.flatMap((row) => CALLERS.map((caller) => ({ ...row, caller })));
  it.each(cases.map((c) => [`${c.method} ${c.url.split('?')[0]} with ${c.caller}`, c] as const))('%s', async (_title, row) => {
    const before = await t.db.count('SELECT count(*) AS n FROM xapi_statements');
    const documentsBefore = await t.db.count('SELECT count(*) AS n FROM xapi_documents');
    const response = await t.app.inject({
      method: row.method,
      url: row.url,
      headers: {
        'x-experience-api-version': '2.0.0',
        ...headers[row.caller],
        ...(row.body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(row.body === undefined ? {} : { payload: JSON.stringify(row.body) }),
    });
    expect(response.headers['x-experience-api-version']).toBe('2.0.0');
    if (row.caller === 'credential') {
      expect(response.statusCode).toBe(row.ok);
      return;
    }
    expect(response.statusCode).toBe(401);
    expect(response.headers['www-authenticate']).toMatch(/^Basic/);
    expect(response.json()).toEqual({ error: expect.stringMatching(/credential/) });
    expect(await t.db.count('SELECT count(*) AS n FROM xapi_statements')).toBe(before);
    expect(await t.db.count('SELECT count(*) AS n FROM xapi_documents')).toBe(documentsBefore);
  });

  it('the about resource answers anyone, without a version header', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/xapi/about' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ version: ['1.0.3', '2.0.0'], extensions: {} });
  });

  it('a credential deleted through the API stops working at once', async () => {
    const consultant = await t.signIn('consultant', 'lead@example.test');
    expect((await client.post(statementOf())).statusCode).toBe(200);
    const deleted = await t.app.inject({ method: 'DELETE', url: `/api/lrs-credentials/${client.credentialId}`, headers: consultant.headers });
    expect(deleted.statusCode).toBe(204);
    const after = await client.post(statementOf());
    expect(after.statusCode).toBe(401);
    expect(await t.db.count('SELECT count(*) AS n FROM xapi_statements')).toBe(1);
  });

  it('every route of the table is one the LRS registered', () => {
    for (const row of ROUTES) expect(t.app.hasRoute({ method: row.method, url: row.route }), `${row.method} ${row.route}`).toBe(true);
  });
});
