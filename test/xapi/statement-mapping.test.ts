import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildTestApp, type SignedInUser, type TestApp } from '../support/test-app.js';
import { statementOf, xapiClient, type XapiClient } from './xapi-client.js';

describe('statements move ReadPulse', () => {
  let t: TestApp;
  let lrs: XapiClient;
  let reader: SignedInUser;
  let consultant: SignedInUser;

  beforeEach(async () => {
    t = await buildTestApp();
    lrs = await xapiClient(t);
    reader = await t.signIn('reader', 'ada@example.test', 'Ada');
    consultant = await t.signIn('consultant', 'coach@example.test', 'Coach');
  });
  afterEach(async () => t.close());

  const activityOf = async (userId: number) => (await t.store.activity.listActivity(userId, { limit: 50 })).items;

  it('a statement whose actor mbox is a reader\'s email (any case) is an XAPI event in their activity', async () => {
    const statement = statementOf({
      actor: { objectType: 'Agent', mbox: 'mailto:Ada@Example.TEST' },
      verb: { id: 'http://adlnet.gov/expapi/verbs/answered' },
      result: { score: { scaled: 0.8 }, success: true, response: 'a long free-text answer that is not copied' },
    });
    expect((await lrs.post(statement)).statusCode).toBe(200);
    const events = await activityOf(reader.user.id);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      actionType: 'XAPI',
      metadata: {
        statementId: statement.id,
        verb: 'http://adlnet.gov/expapi/verbs/answered',
        object: { objectType: 'Activity', id: 'https://books.example.test/chapter-1' },
        result: { score: { scaled: 0.8 }, success: true },
      },
    });
    const seen = await t.app.inject({ method: 'GET', url: `/api/readers/${reader.user.id}/activity`, headers: consultant.headers });
    expect(seen.statusCode).toBe(200);
    expect(seen.json().events.map((e: { actionType: string }) => e.actionType)).toEqual(['XAPI']);
  });

  it('statements about anyone else, a group or a consultant are stored and change no activity', async () => {
    const statements = [
      statementOf({ actor: { mbox: 'mailto:stranger@example.test' } }),
      statementOf({ actor: { objectType: 'Group', mbox: 'mailto:ada@example.test' } }),
      statementOf({ actor: { mbox: 'mailto:coach@example.test' } }),
      statementOf({ actor: { account: { homePage: 'https://lms.example.test', name: 'ada' } } }),
    ];
    expect((await lrs.post(statements)).statusCode).toBe(200);
    expect(await t.db.count('SELECT count(*) AS n FROM xapi_statements')).toBe(4);
    expect(await t.db.count('SELECT count(*) AS n FROM activity_logs')).toBe(0);
  });

  it('a statement sent twice is one event; a batch about one reader is one event each, in order', async () => {
    const first = statementOf({ actor: { mbox: 'mailto:ada@example.test' } });
    const second = statementOf({ actor: { mbox: 'mailto:ada@example.test' }, verb: { id: 'http://adlnet.gov/expapi/verbs/completed' } });
    await lrs.post([first, second]);
    await lrs.post(first);
    const events = await activityOf(reader.user.id);
    expect(events.map((e) => (e.metadata as { statementId: string }).statementId).sort()).toEqual([first.id, second.id].sort());
  });
});
