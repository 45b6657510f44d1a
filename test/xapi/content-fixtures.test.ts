import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SseClient } from '../support/sse-client.js';
import { buildTestApp, type SignedInUser, type TestApp } from '../support/test-app.js';
import { xapiClient, type XapiClient } from './xapi-client.js';

/** Statements in the shapes H5P, Articulate Storyline and a cmi5 player send (written from their documentation). */
const FIXTURES = ['h5p', 'articulate', 'cmi5'].map((name) => ({
  name,
  statements: JSON.parse(readFileSync(new URL(`./fixtures/${name}-statements.json`, import.meta.url), 'utf8')) as Record<string, unknown>[],
}));
const ADA = JSON.stringify({ mbox: 'mailto:ada@example.test' });

type Milestone = { chapterId: string; status: string; score: number | null };

/**
 * For each fixture: a program whose chapters carry the fixture's object and parent ids as their
 * activityIds (one chapter without any), the milestone events the consultant's stream shows, in
 * order, and Ada's milestones afterwards.
 */
const PROGRAMS: Record<string, { chapters: [string, string | null][]; events: Milestone[]; milestones: Milestone[] }> = {
  // answered (parent: the chapter page), completed on an interactive book with a score, interacted.
  h5p: {
    chapters: [
      ['ch01', 'https://books.example.test/chapter-1'],
      ['ch02', 'https://books.example.test/wp-admin/admin-ajax.php?action=h5p_embed&id=13'],
      ['ch03', 'https://books.example.test/wp-admin/admin-ajax.php?action=h5p_embed&id=14'],
      ['ch04', null],
    ],
    events: [
      { chapterId: 'ch01', status: 'started', score: null },
      { chapterId: 'ch02', status: 'completed', score: 70 },
      { chapterId: 'ch03', status: 'started', score: null },
    ],
    milestones: [
      { chapterId: 'ch01', status: 'started', score: null },
      { chapterId: 'ch02', status: 'completed', score: 70 },
      { chapterId: 'ch03', status: 'started', score: null },
    ],
  },
  // attempted the course, experienced a slide (parent and grouping: the course), answered a question on it, passed the course.
  articulate: {
    chapters: [
      ['novel', 'urn:articulate:storyline:5Ujw93Dh98n'],
      ['summary', 'urn:articulate:storyline:5Ujw93Dh98n/6BnvowJ6X3F'],
      ['epilogue', null],
    ],
    events: [
      { chapterId: 'novel', status: 'started', score: null },
      { chapterId: 'summary', status: 'started', score: null },
      { chapterId: 'novel', status: 'completed', score: 85 },
    ],
    milestones: [
      { chapterId: 'novel', status: 'completed', score: 85 },
      { chapterId: 'summary', status: 'started', score: null },
    ],
  },
  // launched by the LMS (an account, not a reader), initialized, completed without a score, failed after completing, terminated.
  cmi5: {
    chapters: [
      ['ch03', 'https://books.example.test/cmi5/au/chapter-3'],
      ['course', 'https://books.example.test/cmi5/course'],
      ['ch04', null],
    ],
    events: [
      { chapterId: 'ch03', status: 'started', score: null },
      { chapterId: 'course', status: 'started', score: null },
      { chapterId: 'ch03', status: 'completed', score: null },
    ],
    milestones: [
      { chapterId: 'ch03', status: 'completed', score: null },
      { chapterId: 'course', status: 'started', score: null },
    ],
  },
};

describe.each(FIXTURES)('statements as $name sends them', ({ name, statements }) => {
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

  it('are accepted as a batch, found by agent, and each one by Ada is an XAPI event the consultant sees', async () => {
    const posted = await lrs.post(statements);
    expect(posted.statusCode, posted.body).toBe(200);
    expect(posted.json()).toHaveLength(statements.length);
    expect(await t.db.count('SELECT count(*) AS n FROM xapi_statements')).toBe(statements.length);

    const byAda = statements.filter((s) => (s.actor as { mbox?: string }).mbox === 'mailto:ada@example.test');
    const found = await lrs.query({ agent: ADA, ascending: 'true' });
    expect(found.statements.map((s) => (s.verb as { id: string }).id)).toEqual(byAda.map((s) => (s.verb as { id: string }).id));

    const seen = await t.app.inject({ method: 'GET', url: `/api/readers/${reader.user.id}/activity?limit=50`, headers: consultant.headers });
    expect(seen.statusCode).toBe(200);
    const events = seen.json().events as { actionType: string; metadata: { verb: string } }[];
    expect(events.map((e) => e.actionType)).toEqual(byAda.map(() => 'XAPI'));
    expect(events.map((e) => e.metadata.verb).sort()).toEqual(byAda.map((s) => (s.verb as { id: string }).id).sort());
  });

  it('keep their registration, context activities and interaction definitions for queries', async () => {
    await lrs.post(statements);
    for (const statement of statements) {
      const context = statement.context as { registration?: string; contextActivities?: Record<string, { id: string }[]> } | undefined;
      if (context?.registration) {
        const sameRegistration = statements.filter((s) => (s.context as { registration?: string } | undefined)?.registration === context.registration);
        expect((await lrs.query({ registration: context.registration })).statements).toHaveLength(sameRegistration.length);
      }
      for (const list of Object.values(context?.contextActivities ?? {})) {
        for (const activity of list) {
          const related = await lrs.query({ activity: activity.id, related_activities: 'true' });
          expect(related.statements.length).toBeGreaterThan(0);
        }
      }
    }
    const object = statements[0]!.object as { id: string; definition?: unknown };
    if (object.definition) {
      const activity = await lrs.request({ method: 'GET', url: `/xapi/activities?activityId=${encodeURIComponent(object.id)}` });
      expect(activity.json()).toEqual({ objectType: 'Activity', id: object.id, definition: object.definition });
    }
  });

  it('drive the chapters whose activityIds they name: the reader\'s progress, the consultant\'s stream and the analytics follow', async () => {
    const program = PROGRAMS[name]!;
    for (const [id, activityId] of program.chapters) await t.store.chapters.createChapter({ id, title: `Chapter ${id}`, activityId });
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    const base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
    const stream = await SseClient.open(`${base}/api/consultant/dashboard/stream`, consultant.headers);
    try {
      const seen: Milestone[] = [];
      let snapshot = false;
      const posted = await lrs.post(statements);
      expect(posted.statusCode, posted.body).toBe(200);
      while (seen.length < program.events.length) {
        const event = await stream.nextEvent();
        if (event === null) throw new Error('the stream ended');
        if (event.event === 'snapshot') snapshot = true;
        if (event.event !== 'milestone') continue;
        expect(event.json.readerId).toBe(reader.user.id);
        const { chapterId, status, score } = event.json.milestone as Milestone;
        seen.push({ chapterId, status, score });
      }
      expect(snapshot).toBe(true);
      expect(seen).toEqual(program.events);
    } finally {
      stream.close();
      t.app.server.closeAllConnections();
    }

    const progress = await t.app.inject({ method: 'GET', url: `/api/readers/${reader.user.id}/progress`, headers: consultant.headers });
    expect(progress.statusCode).toBe(200);
    expect(progress.json().milestones.map(({ chapterId, status, score }: Milestone) => ({ chapterId, status, score }))).toEqual(program.milestones);

    const funnel = await t.app.inject({ method: 'GET', url: '/api/analytics/chapters', headers: consultant.headers });
    expect(funnel.statusCode).toBe(200);
    const byChapter = new Map(program.milestones.map((m) => [m.chapterId, m]));
    expect(funnel.json().chapters.map((c: Record<string, unknown>) => [c.chapterId, c.notStarted, c.started, c.completed, c.stuck, c.medianScore])).toEqual(
      program.chapters.map(([id]) => {
        const status = byChapter.get(id)?.status;
        return [id, status ? 0 : 1, status === 'started' ? 1 : 0, status === 'completed' ? 1 : 0, status === 'stuck' ? 1 : 0, byChapter.get(id)?.score ?? null];
      }),
    );
  });
});
