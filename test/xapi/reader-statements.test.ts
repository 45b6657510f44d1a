import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildTestApp, problemOf, type SignedInUser, type TestApp } from '../support/test-app.js';
import { statementOf, xapiClient, type XapiClient } from './xapi-client.js';

const VOIDED = 'http://adlnet.gov/expapi/verbs/voided';

/** GET /api/readers/:id/statements: the statements a reader made, for the consultants. */
describe("a reader's statements over /api", () => {
  let t: TestApp;
  let lrs: XapiClient;
  let ada: SignedInUser;
  let bob: SignedInUser;
  let consultant: SignedInUser;

  beforeEach(async () => {
    t = await buildTestApp();
    lrs = await xapiClient(t);
    ada = await t.signIn('reader', 'ada@example.test', 'Ada');
    bob = await t.signIn('reader', 'bob@example.test', 'Bob');
    consultant = await t.signIn('consultant', 'coach@example.test', 'Coach');
  });
  afterEach(async () => t.close());

  const statementsOf = (readerId: number, query = '', who: SignedInUser = consultant) =>
    t.app.inject({ method: 'GET', url: `/api/readers/${readerId}/statements${query}`, headers: who.headers });
  /** The statement as GET /xapi/statements?statementId answers it. */
  const exactForm = async (id: unknown) => {
    const response = await lrs.request({ method: 'GET', url: `/xapi/statements?statementId=${String(id)}` });
    expect(response.statusCode).toBe(200);
    return response.json();
  };
  const post = async (statements: unknown) => {
    const response = await lrs.post(statements);
    expect(response.statusCode, response.body).toBe(200);
  };

  it("answers the non-voided statements whose actor is the reader, in any case of the email, newest stored first, exactly as the LRS stores them", async () => {
    const first = statementOf({ result: { score: { scaled: 0.5, raw: 5, min: 0, max: 10 }, extensions: { 'https://books.example.test/x': { nested: [1, 2.5] } } } });
    const shouted = statementOf({ actor: { objectType: 'Agent', mbox: 'mailto:ADA@Example.TEST' } });
    const bobs = statementOf({ actor: { mbox: 'mailto:bob@example.test' } });
    const aboutAda = statementOf({ actor: { mbox: 'mailto:bob@example.test' }, object: { objectType: 'Agent', mbox: 'mailto:ada@example.test' } });
    const stranger = statementOf({ actor: { mbox: 'mailto:stranger@example.test' } });
    await post([first, bobs, aboutAda]);
    t.clock.advance(1_000);
    await post([shouted, stranger]);
    t.clock.advance(1_000);
    const later = statementOf();
    await post(later);

    const response = await statementsOf(ada.user.id);
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    const body = response.json();
    expect(body.nextCursor).toBeNull();
    expect(body.statements.map((s: { id: string }) => s.id)).toEqual([later.id, shouted.id, first.id]);
    expect(body.statements).toEqual([await exactForm(later.id), await exactForm(shouted.id), await exactForm(first.id)]);
    expect(body.statements[2]).toMatchObject({ result: first.result, stored: expect.any(String), authority: expect.any(Object), version: expect.any(String) });

    expect((await statementsOf(bob.user.id)).json().statements.map((s: { id: string }) => s.id)).toEqual([aboutAda.id, bobs.id]);
  });

  it('a voided statement drops out; the voiding statement, made by the reader, is one of theirs', async () => {
    const kept = statementOf();
    const voidedOne = statementOf();
    await post([kept, voidedOne]);
    const voiding = statementOf({ verb: { id: VOIDED }, object: { objectType: 'StatementRef', id: voidedOne.id } });
    await post(voiding);
    // Voided by someone else's statement: gone from Ada's list too.
    const alsoVoided = statementOf();
    await post(alsoVoided);
    await post(statementOf({ actor: { mbox: 'mailto:coach@example.test' }, verb: { id: VOIDED }, object: { objectType: 'StatementRef', id: alsoVoided.id } }));

    const ids = (await statementsOf(ada.user.id)).json().statements.map((s: { id: string }) => s.id);
    expect(ids).toEqual([voiding.id, kept.id]);
    expect(await t.db.count('SELECT count(*) AS n FROM xapi_statements WHERE voided = 1')).toBe(2);
  });

  it('pages by limit and cursor like the other lists: 50 by default, every statement once, in order', async () => {
    const made = Array.from({ length: 53 }, () => statementOf());
    await post(made.slice(0, 30));
    await post(made.slice(30));
    // Newest stored first: the later batch, then the earlier one, each in reverse of the order sent.
    const newestFirst = [...made].reverse().map((s) => String(s.id));

    const firstPage = (await statementsOf(ada.user.id)).json();
    expect(firstPage.statements).toHaveLength(50);
    expect(typeof firstPage.nextCursor).toBe('string');

    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const response = await statementsOf(ada.user.id, `?limit=7${cursor ? `&cursor=${cursor}` : ''}`);
      expect(response.statusCode).toBe(200);
      const page = response.json() as { statements: { id: string }[]; nextCursor: string | null };
      expect(page.statements.length).toBeLessThanOrEqual(7);
      seen.push(...page.statements.map((s) => s.id));
      cursor = page.nextCursor;
    } while (cursor !== null);
    expect(seen).toEqual(newestFirst);
    expect((await statementsOf(ada.user.id, '?limit=200')).json().statements).toHaveLength(53);
  });

  it('a reader with no statements gets an empty page', async () => {
    const response = await statementsOf(bob.user.id);
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ statements: [], nextCursor: null });
  });

  it("the consultant's view is noted in the reader's access log as a view of their activity", async () => {
    await post(statementOf());
    expect((await statementsOf(ada.user.id)).statusCode).toBe(200);
    await t.accessRecorder.flush();
    const log = await t.app.inject({ method: 'GET', url: '/api/me/access-log', headers: ada.headers });
    expect(log.json().entries).toEqual([{ consultant: { id: consultant.user.id, name: 'Coach' }, what: 'activity', at: new Date(t.clock.now()).toISOString() }]);
    expect(await t.db.count("SELECT count(*) AS n FROM access_log WHERE reader_id = ? AND kind = 'activity'", ada.user.id)).toBe(1);
    expect((await t.app.inject({ method: 'GET', url: '/api/me/access-log', headers: bob.headers })).json().entries).toEqual([]);
  });

  it('404 for no such reader or a consultant, 403 for a reader (even about themselves), and no view is noted', async () => {
    await post(statementOf());
    for (const id of [999_999, consultant.user.id]) {
      const response = await statementsOf(id);
      expect(response.statusCode).toBe(404);
      expect(problemOf(response)).toMatchObject({ status: 404, code: 'not_found' });
    }
    for (const [who, id] of [[ada, ada.user.id], [bob, ada.user.id]] as const) {
      const response = await statementsOf(id, '', who);
      expect(response.statusCode).toBe(403);
      expect(problemOf(response)).toMatchObject({ status: 403, code: 'forbidden' });
    }
    expect(t.accessRecorder.pendingCount).toBe(0);
  });
});
