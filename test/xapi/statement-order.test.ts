import { beforeEach, describe, expect, it } from 'vitest';
import { statementOf, useLrs } from './xapi-client.js';

const ADA = { objectType: 'Agent', mbox: 'mailto:ada@example.test' };
const BEN = { objectType: 'Agent', mbox: 'mailto:ben@example.test' };
const CHAPTER = 'https://books.example.test/chapter-3';
const BOOK = 'https://books.example.test/';
const T0 = Date.parse('2026-11-24T12:00:00.000Z');

/**
 * The order of query results: a query with since or until is ordered by `stored` (storage order
 * among equal times), one without by storage order, and `more` pages on in the order its query
 * began. The clock is set back between posts, so storage order and stored time disagree.
 */
describe('the order of statement queries', () => {
  const lrs = useLrs();

  /** Posts `statement` with the clock at T0 + `at` seconds; returns its id. */
  const postAt = async (at: number, statement: Record<string, unknown>) => {
    lrs.t.clock.set(T0 + at * 1000);
    const response = await lrs.client.post(statement);
    expect(response.statusCode).toBe(200);
    return String(statement.id);
  };
  const iso = (at: number) => new Date(T0 + at * 1000).toISOString();

  /** Every statement of a query, paging by `more` with `limit`, and the number of pages. */
  const pageThrough = async (params: Record<string, string>, limit: number) => {
    const ids: unknown[] = [];
    let page = await lrs.client.query({ ...params, limit: String(limit) });
    let pages = 1;
    ids.push(...page.statements.map((s) => s.id));
    while (page.more) {
      const next = await lrs.client.request({ method: 'GET', url: page.more });
      expect(next.statusCode).toBe(200);
      page = next.json();
      pages += 1;
      ids.push(...page.statements.map((s) => s.id));
    }
    return { ids, pages };
  };

  describe('when stored time and storage order disagree', () => {
    // Storage order x, y, z, w; stored times 30, 10, 20, 40 seconds after T0 (x at 30 s is the newest
    // but w). All about CHAPTER by ADA but y, which BEN sends about BOOK.
    let ids: Record<'x' | 'y' | 'z' | 'w', string>;
    beforeEach(async () => {
      ids = {
        x: await postAt(30, statementOf({ actor: ADA, object: { id: CHAPTER } })),
        y: await postAt(10, statementOf({ actor: BEN, object: { id: BOOK } })),
        z: await postAt(20, statementOf({ actor: ADA, object: { id: CHAPTER }, context: { contextActivities: { parent: { id: BOOK } } } })),
        w: await postAt(40, statementOf({ actor: ADA, object: { id: CHAPTER } })),
      };
    });
    const idsOf = async (params: Record<string, string>) => (await lrs.client.query(params)).statements.map((s) => s.id);
    const named = (...keys: (keyof typeof ids)[]) => keys.map((key) => ids[key]);

    it('the stored rows carry each statement\'s time beside its agents and activities', async () => {
      const rows = await lrs.t.db.all<{ statement_id: string; agent_times: string; activity_times: string }>(
        `SELECT s.statement_id,
                (SELECT min(ag.stored_at) || '-' || max(ag.stored_at) FROM xapi_statement_agents ag WHERE ag.seq = s.seq) AS agent_times,
                (SELECT min(ac.stored_at) || '-' || max(ac.stored_at) FROM xapi_statement_activities ac WHERE ac.seq = s.seq) AS activity_times
         FROM xapi_statements s ORDER BY s.seq`,
      );
      const times = (at: number) => `${T0 + at * 1000}-${T0 + at * 1000}`;
      expect(rows).toEqual([
        { statement_id: ids.x, agent_times: times(30), activity_times: times(30) },
        { statement_id: ids.y, agent_times: times(10), activity_times: times(10) },
        { statement_id: ids.z, agent_times: times(20), activity_times: times(20) },
        { statement_id: ids.w, agent_times: times(40), activity_times: times(40) },
      ]);
    });

    it.each([
      ['since, ascending: oldest stored first', { since: iso(0), ascending: 'true' }, ['y', 'z', 'x', 'w']],
      ['since: newest stored first', { since: iso(0) }, ['w', 'x', 'z', 'y']],
      ['since is exclusive: from after y', { since: iso(10), ascending: 'true' }, ['z', 'x', 'w']],
      ['until, inclusive', { until: iso(30) }, ['x', 'z', 'y']],
      ['since and until', { since: iso(10), until: iso(30), ascending: 'true' }, ['z', 'x']],
      ['agent and since, ascending', { agent: JSON.stringify(ADA), since: iso(0), ascending: 'true' }, ['z', 'x', 'w']],
      ['agent and until', { agent: JSON.stringify(ADA), until: iso(30) }, ['x', 'z']],
      ['activity and since, ascending', { activity: CHAPTER, since: iso(0), ascending: 'true' }, ['z', 'x', 'w']],
      ['activity with related and until', { activity: BOOK, related_activities: 'true', until: iso(40) }, ['z', 'y']],
      ['verb and since, ascending', { verb: 'http://adlnet.gov/expapi/verbs/experienced', since: iso(15), ascending: 'true' }, ['z', 'x', 'w']],
      ['no time window: storage order, newest first', {}, ['w', 'z', 'y', 'x']],
      ['no time window, ascending: storage order', { ascending: 'true' }, ['x', 'y', 'z', 'w']],
      ['agent without a window: storage order', { agent: JSON.stringify(ADA) }, ['w', 'z', 'x']],
    ] as const)('%s', async (_title, params, expected) => {
      expect(await idsOf(params)).toEqual(named(...expected));
    });

    it.each([
      ['since, ascending', { since: iso(0), ascending: 'true' }, ['y', 'z', 'x', 'w']],
      ['since', { since: iso(0) }, ['w', 'x', 'z', 'y']],
      ['activity and since, ascending', { activity: CHAPTER, since: iso(0), ascending: 'true' }, ['z', 'x', 'w']],
      ['agent and until', { agent: JSON.stringify(ADA), until: iso(40) }, ['w', 'x', 'z']],
      ['no window', {}, ['w', 'z', 'y', 'x']],
    ] as const)('more pages one statement at a time in the same order, %s', async (_title, params, expected) => {
      const { ids: seen, pages } = await pageThrough(params, 1);
      expect(seen).toEqual(named(...expected));
      expect(pages).toBe(expected.length);
    });

    it('a StatementRef in a window sits at its own stored time, and matches through its target', async () => {
      const ref = await postAt(25, statementOf({ actor: BEN, object: { objectType: 'StatementRef', id: ids.y } }));
      expect(await idsOf({ agent: JSON.stringify(BEN), since: iso(0), ascending: 'true' })).toEqual([ids.y, ref]);
      expect(await idsOf({ activity: BOOK, since: iso(0), ascending: 'true' })).toEqual([ids.y, ref]);
      expect((await pageThrough({ activity: BOOK, related_activities: 'true', since: iso(0) }, 1)).ids).toEqual([ref, ids.z, ids.y]);
    });
  });

  describe('a cursor across statements stored at the same time', () => {
    // A batch is stored at one time: 7 statements at 20 s between one at 10 s and one at 30 s.
    let order: string[];
    beforeEach(async () => {
      const before = await postAt(10, statementOf());
      const batch = Array.from({ length: 7 }, () => statementOf());
      lrs.t.clock.set(T0 + 20_000);
      expect((await lrs.client.post(batch)).statusCode).toBe(200);
      const after = await postAt(30, statementOf());
      order = [before, ...batch.map((s) => String(s.id)), after];
    });

    it.each([1, 2, 3, 4])('since, ascending, %i a page: each statement once, in storage order within the time', async (limit) => {
      const { ids, pages } = await pageThrough({ since: iso(0), ascending: 'true' }, limit);
      expect(ids).toEqual(order);
      expect(pages).toBe(Math.ceil(order.length / limit));
    });

    it.each([1, 3])('until, newest first, %i a page: each statement once', async (limit) => {
      expect((await pageThrough({ until: iso(30) }, limit)).ids).toEqual([...order].reverse());
    });

    it.each([2, 5])('activity and since, %i a page: each statement once', async (limit) => {
      expect((await pageThrough({ activity: 'https://books.example.test/chapter-1', since: iso(15), ascending: 'true' }, limit)).ids).toEqual(order.slice(1));
    });

    it('the more token names the query\'s order and the stored time and seq it continues after', async () => {
      const first = await lrs.client.query({ since: iso(0), ascending: 'true', limit: '3' });
      const token = JSON.parse(Buffer.from(new URLSearchParams(first.more.split('?')[1]).get('more')!, 'base64url').toString('utf8'));
      const [last] = await lrs.t.db.all<{ seq: number }>('SELECT seq FROM xapi_statements WHERE statement_id = ?', order[2]);
      expect(token).toMatchObject({ order: 'stored', after: Number(last!.seq), afterStored: T0 + 20_000, ascending: true, since: T0, limit: 3 });
    });
  });

  describe('more tokens', () => {
    const tokenOf = (query: Record<string, unknown>) => Buffer.from(JSON.stringify(query)).toString('base64url');
    const OLD_QUERY = {
      agentKey: null, relatedAgents: false, verbId: null, activityId: null, relatedActivities: false, registration: null,
      since: null, until: null, ascending: true, limit: 1,
    };

    it('a token made before queries had an order pages on in storage order, as it began', async () => {
      const x = await postAt(30, statementOf());
      const y = await postAt(10, statementOf());
      const z = await postAt(20, statementOf());
      const [first] = await lrs.t.db.all<{ seq: number }>('SELECT seq FROM xapi_statements WHERE statement_id = ?', x);
      const response = await lrs.client.request({ method: 'GET', url: `/xapi/statements?more=${tokenOf({ ...OLD_QUERY, since: T0, after: Number(first!.seq) })}` });
      expect(response.statusCode).toBe(200);
      const body = response.json();
      expect(body.statements.map((s: { id: string }) => s.id)).toEqual([y]);
      const next = await lrs.client.request({ method: 'GET', url: body.more });
      expect(next.json().statements.map((s: { id: string }) => s.id)).toEqual([z]);
    });

    it.each([
      ['stored order without the stored time', { ...OLD_QUERY, since: T0, order: 'stored', after: 1 }],
      ['stored order with a stored time that is not a number', { ...OLD_QUERY, since: T0, order: 'stored', after: 1, afterStored: 'noon' }],
      ['an unknown order', { ...OLD_QUERY, order: 'random', after: 1, afterStored: null }],
      ['no limit', { ...OLD_QUERY, limit: undefined, after: 1 }],
      ['JSON that is not an object', [1, 2]],
    ])('a token with %s is a 400 naming more', async (_title, query) => {
      await postAt(10, statementOf());
      const response = await lrs.client.request({ method: 'GET', url: `/xapi/statements?more=${tokenOf(query as Record<string, unknown>)}` });
      expect(response.statusCode).toBe(400);
      expect(response.body).toContain('more');
    });
  });
});
