import { describe, expect, it } from 'vitest';
import { statementOf, useLrs } from './xapi-client.js';

const AGENT = JSON.stringify({ objectType: 'Agent', mbox: 'mailto:ada@example.test' });
const ACTIVITY = 'https://books.example.test/chapter-1';
const REGISTRATION = crypto.randomUUID();

/** The three document resources, each with the parameters that place a document. */
const RESOURCES = [
  { name: 'State', path: '/xapi/activities/state', idParameter: 'stateId', scope: { activityId: ACTIVITY, agent: AGENT, registration: REGISTRATION } },
  { name: 'Activity Profile', path: '/xapi/activities/profile', idParameter: 'profileId', scope: { activityId: ACTIVITY } },
  { name: 'Agent Profile', path: '/xapi/agents/profile', idParameter: 'profileId', scope: { agent: AGENT } },
] as const;

describe.each(RESOURCES)('the $name resource', (resource) => {
  const lrs = useLrs();
  const url = (extra: Record<string, string> = {}) => `${resource.path}?${new URLSearchParams({ ...resource.scope, ...extra })}`;
  const doc = (id: string) => url({ [resource.idParameter]: id });
  const stored = () => lrs.t.db.all<{ document_id: string; content_type: string }>('SELECT document_id, content_type FROM xapi_documents ORDER BY document_id');

  it('PUT stores a document of any type; GET answers it with its type, a quoted ETag and Last-Modified', async () => {
    const put = await lrs.client.request({ method: 'PUT', url: doc('notes'), body: 'plain words', headers: { 'content-type': 'text/plain', 'if-none-match': '*' } });
    expect(put.statusCode).toBe(204);
    const got = await lrs.client.request({ method: 'GET', url: doc('notes') });
    expect(got.statusCode).toBe(200);
    expect(got.body).toBe('plain words');
    expect(got.headers['content-type']).toMatch(/^text\/plain/);
    expect(got.headers.etag).toMatch(/^"[0-9a-f]{40}"$/);
    expect(got.headers['last-modified']).toBe(new Date(lrs.t.clock.now()).toUTCString());
    expect(await stored()).toEqual([{ document_id: 'notes', content_type: 'text/plain' }]);
  });

  it('POST merges JSON objects, the new properties winning', async () => {
    expect((await lrs.client.request({ method: 'POST', url: doc('resume'), body: { page: 3, bookmark: 'a' } })).statusCode).toBe(204);
    expect((await lrs.client.request({ method: 'POST', url: doc('resume'), body: { page: 4, zoom: 2 } })).statusCode).toBe(204);
    const got = await lrs.client.request({ method: 'GET', url: doc('resume') });
    expect(got.json()).toEqual({ page: 4, bookmark: 'a', zoom: 2 });
  });

  it('POST onto a document that is not JSON, or of a JSON array, is a 400 and changes nothing', async () => {
    await lrs.client.request({ method: 'PUT', url: doc('notes'), body: 'words', headers: { 'content-type': 'text/plain', 'if-none-match': '*' } });
    expect((await lrs.client.request({ method: 'POST', url: doc('notes'), body: { a: 1 } })).statusCode).toBe(400);
    expect((await lrs.client.request({ method: 'POST', url: doc('fresh'), body: [1, 2] })).statusCode).toBe(400);
    expect((await lrs.client.request({ method: 'GET', url: doc('notes') })).body).toBe('words');
    expect((await stored()).map((row) => row.document_id)).toEqual(['notes']);
  });

  it('If-Match with a stale ETag is a 412; with the current one the write goes through', async () => {
    await lrs.client.request({ method: 'PUT', url: doc('resume'), body: { v: 1 }, headers: { 'if-none-match': '*' } });
    const etag = String((await lrs.client.request({ method: 'GET', url: doc('resume') })).headers.etag);
    await lrs.client.request({ method: 'PUT', url: doc('resume'), body: { v: 2 }, headers: { 'if-match': etag } });
    for (const method of ['PUT', 'POST', 'DELETE'] as const) {
      const stale = await lrs.client.request({ method, url: doc('resume'), body: method === 'DELETE' ? undefined : { v: 9 }, headers: { 'if-match': etag } });
      expect(stale.statusCode, method).toBe(412);
    }
    expect((await lrs.client.request({ method: 'GET', url: doc('resume') })).json()).toEqual({ v: 2 });
    const current = String((await lrs.client.request({ method: 'GET', url: doc('resume') })).headers.etag);
    expect((await lrs.client.request({ method: 'DELETE', url: doc('resume'), headers: { 'if-match': current } })).statusCode).toBe(204);
    expect(await stored()).toEqual([]);
  });

  it('If-None-Match: * refuses to overwrite (412); a PUT over a document with neither header is a 409', async () => {
    await lrs.client.request({ method: 'PUT', url: doc('resume'), body: { v: 1 }, headers: { 'if-none-match': '*' } });
    expect((await lrs.client.request({ method: 'PUT', url: doc('resume'), body: { v: 2 }, headers: { 'if-none-match': '*' } })).statusCode).toBe(412);
    const bare = await lrs.client.request({ method: 'PUT', url: doc('resume'), body: { v: 3 } });
    expect(bare.statusCode).toBe(409);
    expect(bare.json().error).toMatch(/If-Match/);
    expect((await lrs.client.request({ method: 'GET', url: doc('resume') })).json()).toEqual({ v: 1 });
  });

  it('GET without a document id lists the ids, since a time when asked', async () => {
    await lrs.client.request({ method: 'POST', url: doc('b'), body: { n: 1 } });
    const between = new Date(lrs.t.clock.now()).toISOString();
    lrs.t.clock.advance(1000);
    await lrs.client.request({ method: 'POST', url: doc('a'), body: { n: 2 } });
    expect((await lrs.client.request({ method: 'GET', url: url() })).json()).toEqual(['a', 'b']);
    expect((await lrs.client.request({ method: 'GET', url: url({ since: between }) })).json()).toEqual(['a']);
  });

  it('an unknown document is a 404; missing or malformed parameters are 400s', async () => {
    expect((await lrs.client.request({ method: 'GET', url: doc('nothing') })).statusCode).toBe(404);
    expect((await lrs.client.request({ method: 'PUT', url: url(), body: { a: 1 } })).statusCode).toBe(400);
    expect((await lrs.client.request({ method: 'GET', url: url({ since: 'soon' }) })).statusCode).toBe(400);
    expect((await lrs.client.request({ method: 'GET', url: `${url()}&color=red` })).statusCode).toBe(400);
    if ('agent' in resource.scope) {
      const badAgent = `${resource.path}?${new URLSearchParams({ ...resource.scope, agent: '{"name":"no identifier"}' })}`;
      expect((await lrs.client.request({ method: 'GET', url: badAgent })).statusCode).toBe(400);
    }
    if ('activityId' in resource.scope) {
      const badActivity = `${resource.path}?${new URLSearchParams({ ...resource.scope, activityId: 'chapter one' })}`;
      expect((await lrs.client.request({ method: 'GET', url: badActivity })).statusCode).toBe(400);
    }
    expect(await stored()).toEqual([]);
  });
});

describe('documents live apart', () => {
  const lrs = useLrs();

  it('a state document belongs to one agent, activity and registration; DELETE without stateId clears only that set', async () => {
    const state = (agent: string, registration?: string) =>
      `/xapi/activities/state?${new URLSearchParams({ activityId: ACTIVITY, agent, ...(registration ? { registration } : {}) })}`;
    const other = JSON.stringify({ mbox: 'mailto:ben@example.test' });
    await lrs.client.request({ method: 'POST', url: `${state(AGENT)}&stateId=s`, body: { who: 'ada' } });
    await lrs.client.request({ method: 'POST', url: `${state(AGENT, REGISTRATION)}&stateId=s`, body: { who: 'ada, registered' } });
    await lrs.client.request({ method: 'POST', url: `${state(other)}&stateId=s`, body: { who: 'ben' } });
    expect((await lrs.client.request({ method: 'GET', url: `${state(AGENT)}&stateId=s` })).json()).toEqual({ who: 'ada' });
    expect((await lrs.client.request({ method: 'DELETE', url: state(AGENT) })).statusCode).toBe(204);
    expect((await lrs.client.request({ method: 'GET', url: `${state(AGENT)}&stateId=s` })).statusCode).toBe(404);
    expect((await lrs.client.request({ method: 'GET', url: `${state(AGENT, REGISTRATION)}&stateId=s` })).json()).toEqual({ who: 'ada, registered' });
    expect((await lrs.client.request({ method: 'GET', url: `${state(other)}&stateId=s` })).json()).toEqual({ who: 'ben' });
  });

  it('the Activities resource answers the definitions statements gave, language maps merged', async () => {
    const activity = (name: Record<string, string>) => ({ objectType: 'Activity', id: ACTIVITY, definition: { name, type: 'http://adlnet.gov/expapi/activities/lesson' } });
    await lrs.client.post(statementOf({ object: activity({ 'en-US': 'Chapter one' }) }));
    await lrs.client.post(statementOf({ object: activity({ 'fr-FR': 'Chapitre un' }) }));
    const got = await lrs.client.request({ method: 'GET', url: `/xapi/activities?activityId=${encodeURIComponent(ACTIVITY)}` });
    expect(got.statusCode).toBe(200);
    expect(got.json()).toEqual({
      objectType: 'Activity',
      id: ACTIVITY,
      definition: { name: { 'en-US': 'Chapter one', 'fr-FR': 'Chapitre un' }, type: 'http://adlnet.gov/expapi/activities/lesson' },
    });
  });

  it('the Agents resource answers a Person', async () => {
    const got = await lrs.client.request({ method: 'GET', url: `/xapi/agents?agent=${encodeURIComponent(JSON.stringify({ name: 'Ada', mbox: 'mailto:ada@example.test' }))}` });
    expect(got.json()).toEqual({ objectType: 'Person', name: ['Ada'], mbox: ['mailto:ada@example.test'] });
  });
});
