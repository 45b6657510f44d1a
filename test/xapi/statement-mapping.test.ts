import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AppError } from '../../src/domain/index.js';
import { scoreOf } from '../../src/xapi/statement-mapping.js';
import { SseClient } from '../support/sse-client.js';
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

const ADL = 'http://adlnet.gov/expapi/verbs/';
const W3ID = 'https://w3id.org/xapi/adl/verbs/';
const CH1 = 'https://books.example.test/novel/chapter-1';
const CH2 = 'https://books.example.test/novel/chapter-2';
const CH3 = 'urn:articulate:storyline:5Ujw93Dh98n';

type Expected = { status: string; score: number | null } | 'unchanged';
const started = { status: 'started', score: null } as const;
const stuck = { status: 'stuck', score: null } as const;
const completed42 = { status: 'completed', score: 42 } as const;

/**
 * Each verb on four chapters the reader stands differently on (none, started, stuck, completed
 * with 90), with the chapter as the statement's object and a result scored 0.42 -> the milestone
 * each chapter then has.
 */
const START = { none: started, started: 'unchanged', stuck: started, completed: 'unchanged' } as const;
const COMPLETE = { none: completed42, started: completed42, stuck: completed42, completed: completed42 } as const;
const FAIL = { none: stuck, started: stuck, stuck: 'unchanged', completed: 'unchanged' } as const;
const NOTHING = { none: 'unchanged', started: 'unchanged', stuck: 'unchanged', completed: 'unchanged' } as const;
type Row = readonly [string, Readonly<Record<'none' | 'started' | 'stuck' | 'completed', Expected>>];
const VERB_TABLE: readonly Row[] = [
  ...['launched', 'initialized', 'attempted', 'experienced', 'progressed', 'answered', 'interacted'].flatMap((name): Row[] => [
    [`${ADL}${name}`, START],
    [`${W3ID}${name}`, START],
  ]),
  ...['completed', 'passed'].flatMap((name): Row[] => [[`${ADL}${name}`, COMPLETE], [`${W3ID}${name}`, COMPLETE]]),
  [`${ADL}failed`, FAIL],
  [`${W3ID}failed`, FAIL],
  [`${ADL}terminated`, NOTHING],
  [`${ADL}suspended`, NOTHING],
  ['https://books.example.test/verbs/read', NOTHING],
];

describe('statements move milestones', () => {
  let t: TestApp;
  let lrs: XapiClient;
  let ada: SignedInUser;
  let consultant: SignedInUser;

  beforeEach(async () => {
    t = await buildTestApp();
    lrs = await xapiClient(t);
    ada = await t.signIn('reader', 'ada@example.test', 'Ada');
    consultant = await t.signIn('consultant', 'coach@example.test', 'Coach');
  });
  afterEach(async () => t.close());

  const post = async (statements: unknown) => {
    const response = await lrs.post(statements);
    expect(response.statusCode, response.body).toBe(200);
    return response;
  };
  const milestonesOf = async (userId: number) =>
    Object.fromEntries((await t.store.progress.getMyMilestones(userId)).map((m) => [m.chapterId, { status: m.status, score: m.score, updatedAt: m.updatedAt }]));
  const statusesOf = async (userId: number) =>
    Object.fromEntries(Object.entries(await milestonesOf(userId)).map(([chapterId, m]) => [chapterId, { status: m.status, score: m.score }]));
  const addChapters = async (...chapters: [string, string | null][]) => {
    for (const [id, activityId] of chapters) await t.store.chapters.createChapter({ id, title: id, activityId });
  };
  const about = (verb: string, activity: string, extra: Record<string, unknown> = {}) =>
    statementOf({ verb: { id: verb }, object: { objectType: 'Activity', id: activity }, ...extra });

  it.each(VERB_TABLE)('%s on the chapter itself', async (verb, expected) => {
    const iri = (n: number) => `https://books.example.test/novel/chapter-${n}`;
    await addChapters(['none', iri(1)], ['started', iri(2)], ['stuck', iri(3)], ['completed', iri(4)]);
    await t.store.progress.upsertMilestone(ada.user.id, { chapterId: 'started', status: 'started', score: null });
    await t.store.progress.upsertMilestone(ada.user.id, { chapterId: 'stuck', status: 'stuck', score: null });
    await t.store.progress.upsertMilestone(ada.user.id, { chapterId: 'completed', status: 'completed', score: 90 });
    const before = await milestonesOf(ada.user.id);
    t.clock.advance(5_000);

    const statements = [1, 2, 3, 4].map((n) => about(verb, iri(n), { result: { score: { scaled: 0.42 }, success: true } }));
    await post(statements);

    const after = await milestonesOf(ada.user.id);
    for (const state of ['none', 'started', 'stuck', 'completed'] as const) {
      const want = expected[state];
      if (want === 'unchanged') expect({ state, milestone: after[state] }).toEqual({ state, milestone: before[state] });
      else expect({ state, milestone: after[state] }).toEqual({ state, milestone: { ...want, updatedAt: t.clock.now() } });
    }
    // Whatever the milestones did, every statement is stored and is one XAPI event.
    expect(await t.db.count('SELECT count(*) AS n FROM xapi_statements')).toBe(4);
    expect((await activityOfAda()).map((e) => e.actionType)).toEqual(['XAPI', 'XAPI', 'XAPI', 'XAPI']);
  });

  const activityOfAda = async () => (await t.store.activity.listActivity(ada.user.id, { limit: 50 })).items;

  it('the score is round(100 x scaled), else raw placed between min and max, clamped to 0..100, else none', async () => {
    await addChapters(['a', `${CH1}/a`], ['b', `${CH1}/b`], ['c', `${CH1}/c`], ['d', `${CH1}/d`], ['e', `${CH1}/e`], ['f', `${CH1}/f`]);
    await post([
      about(`${ADL}completed`, `${CH1}/a`, { result: { score: { scaled: 0.875, raw: 1, min: 0, max: 10 } } }),
      about(`${ADL}completed`, `${CH1}/b`, { result: { score: { raw: 7, min: 0, max: 10 } } }),
      about(`${ADL}passed`, `${CH1}/c`, { result: { score: { raw: 150, min: 100, max: 300 } } }),
      about(`${ADL}completed`, `${CH1}/d`, { result: { score: { scaled: -0.5 } } }),
      about(`${ADL}completed`, `${CH1}/e`, { result: { score: { raw: 7 }, completion: true } }),
      about(`${ADL}completed`, `${CH1}/f`),
    ]);
    expect(await statusesOf(ada.user.id)).toEqual({
      a: { status: 'completed', score: 88 },
      b: { status: 'completed', score: 70 },
      c: { status: 'completed', score: 25 },
      d: { status: 'completed', score: 0 },
      e: { status: 'completed', score: null },
      f: { status: 'completed', score: null },
    });
  });

  it('a statement is about a chapter through its parent or grouping activities too: there it can start the chapter, not complete or fail it', async () => {
    await addChapters(['ch01', CH1], ['ch02', CH2], ['ch03', CH3]);
    await post([
      about(`${ADL}answered`, `${CH1}/question-1`, { context: { contextActivities: { parent: [{ id: CH1 }] } } }),
      about(`${W3ID}experienced`, `${CH3}/6BnvowJ6X3F`, { context: { contextActivities: { grouping: [{ id: CH2 }, { id: CH3 }] } } }),
    ]);
    expect(await statusesOf(ada.user.id)).toEqual({ ch01: started, ch02: started, ch03: started });

    await post([
      about(`${ADL}completed`, `${CH1}/question-1`, { context: { contextActivities: { parent: [{ id: CH1 }] } }, result: { score: { scaled: 1 } } }),
      about(`${ADL}failed`, `${CH3}/quiz`, { context: { contextActivities: { grouping: [{ id: CH3 }] } } }),
      // Other context activities (category, other) do not make a statement about a chapter.
      about(`${ADL}attempted`, 'https://books.example.test/elsewhere', { context: { contextActivities: { category: [{ id: CH1 }], other: [{ id: CH2 }] } } }),
    ]);
    expect(await statusesOf(ada.user.id)).toEqual({ ch01: started, ch02: started, ch03: started });

    // The chapter as object and as parent at once: the object decides.
    await post(about(`${ADL}passed`, CH2, { context: { contextActivities: { parent: [{ id: CH2 }] } }, result: { score: { scaled: 0.6 } } }));
    expect((await statusesOf(ada.user.id)).ch02).toEqual({ status: 'completed', score: 60 });
  });

  it('within a batch the statements apply in order', async () => {
    await addChapters(['ch01', CH1], ['ch02', CH2], ['ch03', CH3]);
    await post([
      about(`${ADL}completed`, CH1, { result: { score: { scaled: 0.8 } } }),
      about(`${ADL}attempted`, CH1),
      about(`${ADL}attempted`, CH2),
      about(`${ADL}failed`, CH2),
      about(`${ADL}failed`, CH3),
      about(`${ADL}passed`, CH3, { result: { score: { scaled: 0.95 } } }),
      about(`${ADL}failed`, CH3),
    ]);
    expect(await statusesOf(ada.user.id)).toEqual({
      ch01: { status: 'completed', score: 80 },
      ch02: stuck,
      ch03: { status: 'completed', score: 95 },
    });
  });

  it('statements about anyone but a reader, or about no chapter, change no milestone', async () => {
    await addChapters(['ch01', CH1], ['ch02', null]);
    await post([
      about(`${ADL}completed`, CH1, { actor: { mbox: 'mailto:stranger@example.test' } }),
      about(`${ADL}completed`, CH1, { actor: { mbox: 'mailto:coach@example.test' } }),
      about(`${ADL}completed`, CH1, { actor: { objectType: 'Group', mbox: 'mailto:ada@example.test' } }),
      about(`${ADL}completed`, CH1, { actor: { account: { homePage: 'https://lms.example.test', name: 'ada' } } }),
      about(`${ADL}completed`, 'https://books.example.test/not-a-chapter'),
      // A StatementRef object names no activity.
      statementOf({ verb: { id: `${ADL}completed` }, object: { objectType: 'StatementRef', id: crypto.randomUUID() } }),
    ]);
    expect(await t.db.count('SELECT count(*) AS n FROM xapi_statements')).toBe(6);
    expect(await t.db.count('SELECT count(*) AS n FROM milestones')).toBe(0);
    expect((await activityOfAda()).map((e) => e.actionType)).toEqual(['XAPI', 'XAPI']);
  });

  it('the actor is matched by mbox in any case', async () => {
    await addChapters(['ch01', CH1]);
    await post(about(`${ADL}launched`, CH1, { actor: { objectType: 'Agent', mbox: 'mailto:ADA@Example.TEST' } }));
    expect(await statusesOf(ada.user.id)).toEqual({ ch01: started });
  });

  it('voiding keeps the milestones; a statement voided before or as it arrives moves none', async () => {
    await addChapters(['ch01', CH1], ['ch02', CH2], ['ch03', CH3]);
    const done = about(`${ADL}completed`, CH1, { result: { score: { scaled: 0.7 } } });
    await post(done);
    const voiding = statementOf({ verb: { id: `${ADL}voided` }, object: { objectType: 'StatementRef', id: done.id } });
    await post(voiding);
    expect(await statusesOf(ada.user.id)).toEqual({ ch01: { status: 'completed', score: 70 } });
    expect((await lrs.request({ method: 'GET', url: `/xapi/statements?statementId=${String(done.id)}` })).statusCode).toBe(404);

    // Its voiding statement came first: the target is stored voided and moves nothing.
    const late = about(`${ADL}failed`, CH2);
    await post(statementOf({ verb: { id: `${ADL}voided` }, object: { objectType: 'StatementRef', id: late.id } }));
    await post(late);
    // A statement and its voiding statement in one batch.
    const same = about(`${ADL}attempted`, CH3);
    await post([same, statementOf({ verb: { id: `${ADL}voided` }, object: { objectType: 'StatementRef', id: same.id } })]);

    expect(await statusesOf(ada.user.id)).toEqual({ ch01: { status: 'completed', score: 70 } });
    expect(await t.db.count('SELECT count(*) AS n FROM xapi_statements WHERE voided = 1')).toBe(3);
    // Every one is still an XAPI event in Ada's activity.
    expect(await activityOfAda()).toHaveLength(6);
  });

  it('a milestone write the use case refuses leaves the statement stored and an XAPI event, and the batch goes on', async () => {
    await addChapters(['ch01', CH1], ['ch02', CH2]);
    const upsert = vi.spyOn(t.store.progress, 'upsertReviewedMilestone').mockRejectedValueOnce(new AppError('not_found', 'No user has that id.'));
    const refused = about(`${ADL}completed`, CH1, { result: { score: { scaled: 0.9 } } });
    const applied = about(`${ADL}attempted`, CH2);
    const response = await post([refused, applied]);
    expect(response.json()).toEqual([refused.id, applied.id]);
    expect(upsert).toHaveBeenCalledTimes(2);
    expect(await statusesOf(ada.user.id)).toEqual({ ch02: started });
    expect((await lrs.request({ method: 'GET', url: `/xapi/statements?statementId=${String(refused.id)}` })).statusCode).toBe(200);
    expect((await activityOfAda()).map((e) => (e.metadata as { statementId: string }).statementId).sort()).toEqual([refused.id, applied.id].sort());
  });

  it('the consultant sees the milestone on the live stream, and a failure left stuck opens an attention item at the sweep', async () => {
    await addChapters(['ch01', CH1], ['ch02', CH2]);
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    const base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
    const stream = await SseClient.open(`${base}/api/consultant/dashboard/stream`, consultant.headers);
    try {
      const nextOf = async (type: string) => {
        for (;;) {
          const event = await stream.nextEvent();
          if (event === null) throw new Error('the stream ended');
          if (event.event === type) return event;
        }
      };
      await nextOf('snapshot');
      await t.app.inject({ method: 'PUT', url: '/api/attention/rules', headers: consultant.headers, payload: { stuckMinutes: 1 } });

      await post(about(`${ADL}failed`, CH1));
      const milestone = await nextOf('milestone');
      expect(milestone.json).toMatchObject({ readerId: ada.user.id, milestone: { chapterId: 'ch01', status: 'stuck', score: null } });
      t.clock.advance(60_000);
      expect(await t.sweeper.runOnce()).toBe(1);
      expect((await nextOf('attention')).json.item).toMatchObject({ reader: { id: ada.user.id }, reason: 'stuck', chapterId: 'ch01', state: 'open' });

      // A low score opens its item at once, as PUT /api/me/milestones does.
      await post(about(`${ADL}passed`, CH2, { result: { score: { scaled: 0.2 } } }));
      expect((await nextOf('milestone')).json).toMatchObject({ readerId: ada.user.id, milestone: { chapterId: 'ch02', status: 'completed', score: 20 } });
      expect((await nextOf('attention')).json.item).toMatchObject({ reason: 'low_score', chapterId: 'ch02', state: 'open' });
      const open = await t.app.inject({ method: 'GET', url: '/api/attention', headers: consultant.headers });
      expect(open.json().items.map((i: { reason: string; chapterId: string }) => [i.reason, i.chapterId])).toEqual([
        ['stuck', 'ch01'],
        ['low_score', 'ch02'],
      ]);
    } finally {
      stream.close();
      t.app.server.closeAllConnections();
    }
  });

  it('the chapter analytics count what statements did', async () => {
    await addChapters(['ch01', CH1], ['ch02', CH2], ['ch03', CH3]);
    const bob = await t.signIn('reader', 'bob@example.test', 'Bob');
    const as = (email: string) => ({ actor: { objectType: 'Agent', mbox: `mailto:${email}` } });
    await post([
      about(`${ADL}passed`, CH1, { ...as('ada@example.test'), result: { score: { scaled: 0.6 } } }),
      about(`${ADL}completed`, CH1, { ...as('bob@example.test'), result: { score: { raw: 8, min: 0, max: 10 } } }),
      about(`${ADL}attempted`, CH2, as('ada@example.test')),
      about(`${ADL}failed`, CH2, as('bob@example.test')),
    ]);
    const funnel = await t.app.inject({ method: 'GET', url: '/api/analytics/chapters', headers: consultant.headers });
    expect(funnel.statusCode).toBe(200);
    expect(funnel.json().chapters.map((c: Record<string, unknown>) => [c.chapterId, c.notStarted, c.started, c.completed, c.stuck, c.medianScore])).toEqual([
      ['ch01', 0, 0, 2, 0, 70],
      ['ch02', 0, 1, 0, 1, null],
      ['ch03', 2, 0, 0, 0, null],
    ]);
    expect(await statusesOf(bob.user.id)).toEqual({ ch01: { status: 'completed', score: 80 }, ch02: stuck });
  });
});

describe('scoreOf', () => {
  it.each([
    ['scaled', { score: { scaled: 0.426 } }, 43],
    ['scaled 1', { score: { scaled: 1 } }, 100],
    ['scaled 0', { score: { scaled: 0 } }, 0],
    ['negative scaled, clamped', { score: { scaled: -1 } }, 0],
    ['scaled before raw', { score: { scaled: 0.5, raw: 9, min: 0, max: 10 } }, 50],
    ['raw between min and max', { score: { raw: 3, min: 1, max: 5 } }, 50],
    ['raw below min, clamped', { score: { raw: -5, min: 0, max: 10 } }, 0],
    ['raw without max', { score: { raw: 3, min: 0 } }, null],
    ['raw without min', { score: { raw: 3, max: 10 } }, null],
    ['min equal to max', { score: { raw: 3, min: 3, max: 3 } }, null],
    ['no score', { success: true }, null],
    ['no result', undefined, null],
  ])('%s', (_name, result, expected) => {
    expect(scoreOf(result as never)).toBe(expected);
  });
});
