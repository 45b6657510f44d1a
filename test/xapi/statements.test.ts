import { beforeEach, describe, expect, it } from 'vitest';
import { statementOf, useLrs } from './xapi-client.js';

const VOIDED = 'http://adlnet.gov/expapi/verbs/voided';
const COMPLETED = 'http://adlnet.gov/expapi/verbs/completed';
const ADA = { mbox: 'mailto:ada@example.test' };
const BEN = { objectType: 'Agent', mbox: 'mailto:ben@example.test' };

describe('the Statement resource', () => {
  const lrs = useLrs();

  const storedIds = async () =>
    (await lrs.t.db.all<{ statement_id: string }>('SELECT statement_id FROM xapi_statements ORDER BY seq')).map((row) => row.statement_id);

  it('POST stores a batch and answers its ids in order; the LRS adds stored, timestamp, authority and version', async () => {
    const first = statementOf();
    const { id: _none, ...second } = statementOf();
    const response = await lrs.client.post([first, second]);
    expect(response.statusCode).toBe(200);
    const ids = response.json() as string[];
    expect(ids[0]).toBe(first.id);
    expect(ids[1]).toMatch(/^[0-9a-f-]{36}$/);
    expect(await storedIds()).toEqual(ids);
    const got = await lrs.client.request({ method: 'GET', url: `/xapi/statements?statementId=${ids[1]}` });
    expect(got.statusCode).toBe(200);
    const statement = got.json();
    expect(statement).toMatchObject({ ...second, id: ids[1], version: '2.0.0' });
    expect(statement.stored).toBe(new Date(lrs.t.clock.now()).toISOString());
    expect(statement.timestamp).toBe(statement.stored);
    expect(statement.authority).toEqual({ objectType: 'Agent', name: 'Test player', account: { homePage: 'urn:readpulse:lrs-credential', name: lrs.client.key } });
    expect(got.headers['x-experience-api-consistent-through']).toBeDefined();
    expect(got.headers['last-modified']).toBe(new Date(lrs.t.clock.now()).toUTCString());
  });

  it('PUT stores under statementId; the same statement again is accepted, a different one is a 409 and changes nothing', async () => {
    const id = crypto.randomUUID();
    const statement = statementOf({ id: undefined });
    const put = (body: unknown) => lrs.client.request({ method: 'PUT', url: `/xapi/statements?statementId=${id}`, body });
    expect((await put(statement)).statusCode).toBe(204);
    expect((await put(statement)).statusCode).toBe(204);
    const conflict = await put({ ...statement, verb: { id: COMPLETED } });
    expect(conflict.statusCode).toBe(409);
    expect(conflict.json().error).toMatch(/different statement/);
    expect(await storedIds()).toEqual([id]);
    const stored = await lrs.t.db.get<{ verb_id: string }>('SELECT verb_id FROM xapi_statements WHERE statement_id = ?', id);
    expect(stored?.verb_id).toBe('http://adlnet.gov/expapi/verbs/experienced');
  });

  it.each([
    ['PUT without statementId', 'PUT', '/xapi/statements', statementOf()],
    ['PUT with a statementId that is not a UUID', 'PUT', '/xapi/statements?statementId=12', statementOf()],
    ['PUT whose statement names another id', 'PUT', `/xapi/statements?statementId=${crypto.randomUUID()}`, statementOf()],
    ['PUT of an array', 'PUT', `/xapi/statements?statementId=${crypto.randomUUID()}`, [statementOf({ id: undefined })]],
    ['POST with an unknown parameter', 'POST', '/xapi/statements?verb=x', statementOf()],
    ['POST of a batch naming one id twice', 'POST', '/xapi/statements', (() => { const s = statementOf(); return [s, s]; })()],
    ['POST of a batch with one invalid statement', 'POST', '/xapi/statements', [statementOf(), statementOf({ verb: { id: 'not an iri' } })]],
    ['POST of text that is not JSON', 'POST', '/xapi/statements', '{"actor":'],
  ] as const)('%s is a 400 and stores nothing', async (_title, method, url, body) => {
    const response = await lrs.client.request({ method, url, body });
    expect(response.statusCode).toBe(400);
    expect(typeof response.json().error).toBe('string');
    expect(await storedIds()).toEqual([]);
  });

  it('a statement sent as another content type is a 400', async () => {
    const response = await lrs.client.request({ method: 'POST', url: '/xapi/statements', body: JSON.stringify(statementOf()), headers: { 'content-type': 'text/plain' } });
    expect(response.statusCode).toBe(400);
    expect(await storedIds()).toEqual([]);
  });

  it('a request without X-Experience-API-Version is a 400 that still names a version; each answer names the version asked for', async () => {
    const missing = await lrs.client.request({ method: 'GET', url: '/xapi/statements', version: null });
    expect(missing.statusCode).toBe(400);
    expect(missing.headers['x-experience-api-version']).toBe('2.0.0');
    const old = await lrs.client.request({ method: 'GET', url: '/xapi/statements', version: '1.0.3' });
    expect(old.statusCode).toBe(200);
    expect(old.headers['x-experience-api-version']).toBe('1.0.3');
    // A credential that last spoke 1.0.x hears 1.0.3 when it names no version.
    const again = await lrs.client.request({ method: 'POST', url: '/xapi/statements', body: statementOf(), version: null });
    expect(again.statusCode).toBe(400);
    expect(again.headers['x-experience-api-version']).toBe('1.0.3');
    expect((await lrs.client.request({ method: 'GET', url: '/xapi/statements', version: '3.0.0' })).statusCode).toBe(400);
    expect(await storedIds()).toEqual([]);
  });

  it('voiding: the target leaves queries and statementId, stays under voidedStatementId; a voiding statement cannot be voided', async () => {
    const target = statementOf();
    const voiding = statementOf({ actor: ADA, verb: { id: VOIDED }, object: { objectType: 'StatementRef', id: target.id } });
    expect((await lrs.client.post([target, voiding])).statusCode).toBe(200);
    expect((await lrs.client.request({ method: 'GET', url: `/xapi/statements?statementId=${target.id}` })).statusCode).toBe(404);
    const voided = await lrs.client.request({ method: 'GET', url: `/xapi/statements?voidedStatementId=${target.id}` });
    expect(voided.statusCode).toBe(200);
    expect(voided.json().id).toBe(target.id);
    expect((await lrs.client.request({ method: 'GET', url: `/xapi/statements?voidedStatementId=${voiding.id}` })).statusCode).toBe(404);
    expect((await lrs.client.query({})).statements.map((s) => s.id)).toEqual([voiding.id]);
    const again = await lrs.client.post(statementOf({ verb: { id: VOIDED }, object: { objectType: 'StatementRef', id: voiding.id } }));
    expect(again.statusCode).toBe(400);
    expect(await lrs.t.db.count('SELECT count(*) AS n FROM xapi_statements WHERE voided = 1')).toBe(1);
  });

  it('a target stored after its voiding statement is stored voided', async () => {
    const target = statementOf();
    expect((await lrs.client.post(statementOf({ verb: { id: VOIDED }, object: { objectType: 'StatementRef', id: target.id } }))).statusCode).toBe(200);
    expect((await lrs.client.post(target)).statusCode).toBe(200);
    expect((await lrs.client.request({ method: 'GET', url: `/xapi/statements?voidedStatementId=${target.id}` })).statusCode).toBe(200);
  });

  it('statementId cannot be combined with query parameters', async () => {
    const response = await lrs.client.request({ method: 'GET', url: `/xapi/statements?statementId=${crypto.randomUUID()}&verb=${COMPLETED}` });
    expect(response.statusCode).toBe(400);
    expect(response.headers['x-experience-api-consistent-through']).toBeDefined();
  });

  describe('queries', () => {
    const registration = crypto.randomUUID();
    const chapter = 'https://books.example.test/chapter-2';
    const book = 'https://books.example.test/';
    let ids: Record<string, string>;

    beforeEach(async () => {
      const a = statementOf({ actor: ADA, verb: { id: COMPLETED }, object: { id: chapter }, context: { registration, contextActivities: { parent: { id: book } } } });
      lrs.t.clock.advance(1000);
      await lrs.client.post(a);
      const b = statementOf({ actor: BEN, context: { instructor: ADA } });
      lrs.t.clock.advance(1000);
      await lrs.client.post(b);
      const c = statementOf({ actor: BEN, object: { objectType: 'Agent', ...ADA } });
      lrs.t.clock.advance(1000);
      await lrs.client.post(c);
      const ref = statementOf({ actor: BEN, object: { objectType: 'StatementRef', id: a.id } });
      lrs.t.clock.advance(1000);
      await lrs.client.post(ref);
      ids = { a: String(a.id), b: String(b.id), c: String(c.id), ref: String(ref.id) };
    });

    const idsOf = async (params: Record<string, string>) => (await lrs.client.query(params)).statements.map((s) => s.id);

    it.each([
      ['no filter: newest first', {}, ['ref', 'c', 'b', 'a']],
      ['ascending', { ascending: 'true' }, ['a', 'b', 'c', 'ref']],
      ['agent: actor or object, and statements targeting a match', { agent: JSON.stringify(ADA) }, ['ref', 'c', 'a']],
      ['agent with related_agents: instructors too', { agent: JSON.stringify(ADA), related_agents: 'true' }, ['ref', 'c', 'b', 'a']],
      ['verb', { verb: COMPLETED }, ['ref', 'a']],
      ['activity: the object only', { activity: book }, []],
      ['activity with related_activities: context activities too', { activity: book, related_activities: 'true' }, ['ref', 'a']],
      ['registration', { registration }, ['ref', 'a']],
      ['limit', { limit: '2' }, ['ref', 'c']],
    ] as const)('%s', async (_title, params, expected) => {
      expect(await idsOf(params)).toEqual(expected.map((key) => ids[key]));
    });

    it('since is exclusive and until inclusive, on stored', async () => {
      const stored = (await lrs.client.query({ ascending: 'true' })).statements.map((s) => String(s.stored));
      expect(await idsOf({ since: stored[0]!, until: stored[2]! })).toEqual([ids.c, ids.b]);
    });

    it('more pages through the whole result, each statement once', async () => {
      const first = await lrs.client.query({ limit: '3' });
      expect(first.statements.map((s) => s.id)).toEqual([ids.ref, ids.c, ids.b]);
      expect(first.more).toMatch(/^\/xapi\/statements\?more=/);
      const next = await lrs.client.request({ method: 'GET', url: first.more });
      expect(next.statusCode).toBe(200);
      expect(next.json()).toEqual({ statements: [expect.objectContaining({ id: ids.a })], more: '' });
    });

    it.each([
      ['newest first', {}, ['ref', 'c', 'a']],
      ['ascending', { ascending: 'true' }, ['a', 'c', 'ref']],
    ] as const)('more pages through a filtered result one statement at a time, %s: a StatementRef and the statements it shares the filter with, each once', async (_title, order, expected) => {
      const seen: unknown[] = [];
      let page = await lrs.client.query({ agent: JSON.stringify(ADA), limit: '1', ...order });
      seen.push(...page.statements.map((s) => s.id));
      while (page.more) {
        const next = await lrs.client.request({ method: 'GET', url: page.more });
        expect(next.statusCode).toBe(200);
        page = next.json();
        seen.push(...page.statements.map((s) => s.id));
      }
      expect(seen).toEqual(expected.map((key) => ids[key]));
    });

    it.each([
      ['agent that is not JSON', { agent: '{mbox' }],
      ['agent with two identifiers', { agent: JSON.stringify({ mbox: 'mailto:a@b.c', openid: 'http://a.example' }) }],
      ['verb that is not an IRI', { verb: 'completed' }],
      ['registration that is not a UUID', { registration: 'r1' }],
      ['since that is not a timestamp', { since: 'yesterday' }],
      ['negative limit', { limit: '-1' }],
      ['ascending that is not a boolean', { ascending: 'yes' }],
      ['unknown format', { format: 'short' }],
      ['unknown parameter', { reader: '1' }],
      ['more that this LRS did not give', { more: 'abc' }],
    ] as const)('%s is a 400', async (_title, params) => {
      const response = await lrs.client.request({ method: 'GET', url: `/xapi/statements?${new URLSearchParams(params)}` });
      expect(response.statusCode).toBe(400);
    });

    it('format=ids keeps identifiers only; canonical keeps one language', async () => {
      const multilingual = statementOf({ verb: { id: COMPLETED, display: { 'en-US': 'completed', 'fr-FR': 'terminé' } } });
      await lrs.client.post(multilingual);
      const ids = await lrs.client.request({ method: 'GET', url: `/xapi/statements?statementId=${multilingual.id}&format=ids` });
      expect(ids.json()).toMatchObject({ actor: { objectType: 'Agent', mbox: 'mailto:ada@example.test' }, verb: { id: COMPLETED } });
      expect(ids.json().actor.name).toBeUndefined();
      expect(ids.json().verb.display).toBeUndefined();
      const canonical = await lrs.client.request({
        method: 'GET',
        url: `/xapi/statements?statementId=${multilingual.id}&format=canonical`,
        headers: { 'accept-language': 'fr' },
      });
      expect(canonical.json().verb.display).toEqual({ 'fr-FR': 'terminé' });
    });
  });

  it('HEAD answers the headers of GET without a body', async () => {
    await lrs.client.post(statementOf());
    const response = await lrs.client.request({ method: 'HEAD', url: '/xapi/statements' });
    expect(response.statusCode).toBe(200);
    expect(response.body).toBe('');
    expect(response.headers['x-experience-api-consistent-through']).toBeDefined();
  });

  it('the alternate request syntax works on 1.0.3 and is refused on 2.0.0', async () => {
    const statement = statementOf({ id: undefined });
    const id = crypto.randomUUID();
    const form = (version: string) =>
      new URLSearchParams({ statementId: id, content: JSON.stringify(statement), 'X-Experience-API-Version': version, Authorization: lrs.client.authorization }).toString();
    const send = (version: string) =>
      lrs.t.app.inject({ method: 'POST', url: '/xapi/statements?method=PUT', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: form(version) });
    expect((await send('2.0.0')).statusCode).toBe(400);
    expect(await storedIds()).toEqual([]);
    expect((await send('1.0.3')).statusCode).toBe(204);
    expect(await storedIds()).toEqual([id]);
  });
});
