import { afterEach, describe, expect, it } from 'vitest';
import { postBulkyActivity } from '../support/bulky-activity.js';
import { buildTestApp, problemOf, type TestApp } from '../support/test-app.js';

/**
 * The database failing under the app: a full disk on either engine. Requests fail cleanly with
 * 503 and the app recovers alone. (PostgreSQL going away for a few seconds is
 * test/postgres/database-unreachable.postgres-test.ts.)
 */

let t: TestApp | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

/** Makes the next writes fail as on a full disk: SQLite's page limit, PostgreSQL's disk_full error. */
async function fillStorage(app: TestApp): Promise<void> {
  if (app.engine === 'sqlite') {
    const [row] = await app.db.all<{ page_count: number }>('PRAGMA page_count');
    await app.db.all(`PRAGMA max_page_count = ${row!.page_count}`);
    return;
  }
  await app.db.all(`CREATE FUNCTION pretend_disk_full() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN RAISE EXCEPTION 'could not extend file: No space left on device' USING ERRCODE = 'disk_full'; END $$`);
  await app.db.all('CREATE TRIGGER pretend_disk_full BEFORE INSERT ON activity_logs FOR EACH ROW EXECUTE FUNCTION pretend_disk_full()');
}

async function freeStorage(app: TestApp): Promise<void> {
  if (app.engine === 'sqlite') await app.db.all('PRAGMA max_page_count = 1073741823');
  else await app.db.all('DROP TRIGGER pretend_disk_full ON activity_logs');
}

describe('a full disk', () => {
  it('answers writes 503 saying storage is full, stores nothing, keeps reads working, and writes work once space is freed', async () => {
    t = await buildTestApp({ env: { READPULSE_RATE_LIMITS: 'off' } });
    const reader = await t.signIn('reader', 'full@example.test');
    await fillStorage(t);
    let refused;
    for (let i = 0; i < 500 && !refused; i += 1) {
      const response = await postBulkyActivity(t, reader, i);
      if (response.statusCode !== 201) refused = response;
    }
    expect(refused?.statusCode, refused?.body).toBe(503);
    expect(refused!.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(problemOf(refused!)).toMatchObject({ code: 'unavailable', detail: expect.stringMatching(/storage is full/) });
    expect(Number(refused!.headers['retry-after'])).toBeGreaterThan(0);

    const stored = await t.db.count('SELECT count(*) AS n FROM activity_logs');
    expect((await postBulkyActivity(t, reader, -1)).statusCode).toBe(503);
    expect(await t.db.count('SELECT count(*) AS n FROM activity_logs')).toBe(stored);
    expect((await t.app.inject({ method: 'GET', url: '/api/me/activity?limit=1', headers: reader.headers })).statusCode).toBe(200);

    await freeStorage(t);
    expect((await postBulkyActivity(t, reader, -2)).statusCode).toBe(201);
    expect(await t.db.count('SELECT count(*) AS n FROM activity_logs')).toBe(stored + 1);
  });
});
