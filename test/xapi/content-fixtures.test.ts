import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildTestApp, type SignedInUser, type TestApp } from '../support/test-app.js';
import { xapiClient, type XapiClient } from './xapi-client.js';

/** Statements in the shapes H5P, Articulate Storyline and a cmi5 player send (written from their documentation). */
const FIXTURES = ['h5p', 'articulate', 'cmi5'].map((name) => ({
  name,
  statements: JSON.parse(readFileSync(new URL(`./fixtures/${name}-statements.json`, import.meta.url), 'utf8')) as Record<string, unknown>[],
}));
const ADA = JSON.stringify({ mbox: 'mailto:ada@example.test' });

describe.each(FIXTURES)('statements as $name sends them', ({ statements }) => {
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
});
