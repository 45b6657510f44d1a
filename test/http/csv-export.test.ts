import { parse } from 'csv-parse/sync';
import { get as httpGet, type IncomingMessage } from 'node:http';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ActivityExportRow, ExportsPort } from '../../src/domain/index.js';
import { buildTestApp, type SignedInUser, type TestApp } from '../support/test-app.js';

/** Values a spreadsheet or a naive quoter gets wrong. */
const TRICKY_NAMES = ['Comma, Ann', 'Quote "Q" Bob', 'Line\nBreak', 'Crlf\r\nCat', 'Élodie 日本 🙂', '=SUM(A1:A9)', '+1 Plus', '-2 Minus', '@cmd Att', '  spaced  '];
const FORMULA = /^[=+\-@\t\r]/;
/** What a cell holds once exported: formula-looking text gets a leading apostrophe. */
const neutralized = (value: string) => (FORMULA.test(value) ? `'${value}` : value);

describe('CSV exports', () => {
  let t: TestApp;
  let consultant: SignedInUser;
  beforeEach(async () => {
    t = await buildTestApp();
    consultant = await t.signIn('consultant', 'consultant@example.test', 'Consultant');
  });
  afterEach(async () => t.close());

  const download = (url: string) => t.app.inject({ method: 'GET', url, headers: consultant.headers });

  it('progress.csv parsed back with csv-parse equals the stored milestones, tricky text included', async () => {
    const readers = [];
    for (const [i, name] of TRICKY_NAMES.entries()) {
      const reader = await t.store.users.createUser({ email: `r${i}@example.test`, name, role: 'reader', passwordHash: 'x' });
      readers.push(reader);
      await t.store.progress.upsertMilestone(reader.id, { chapterId: `ch-${i % 3}`, status: i % 2 ? 'completed' : 'stuck', score: i % 2 ? i * 10 : null });
      await t.store.progress.upsertMilestone(reader.id, { chapterId: 'ch-9', status: 'started', score: null });
    }
    const response = await download('/api/export/progress.csv');
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(response.headers['content-disposition']).toBe('attachment; filename="progress.csv"');
    expect(response.body.split('\r\n')[0]).toBe('reader_id,email,name,chapter_id,status,score,updated_at');
    expect(response.body.endsWith('\r\n')).toBe(true);

    const rows = parse(response.body, { columns: true }) as Record<string, string>[];
    const expected = [];
    for (const reader of readers) {
      for (const m of await t.store.progress.getMyMilestones(reader.id)) {
        expected.push({
          reader_id: String(reader.id),
          email: reader.email,
          name: neutralized(reader.name),
          chapter_id: m.chapterId,
          status: m.status,
          score: m.score === null ? '' : String(m.score),
          updated_at: new Date(m.updatedAt).toISOString(),
        });
      }
    }
    expect(rows).toEqual(expected);
    expect(rows.find((r) => r.name?.includes('SUM'))?.name).toBe("'=SUM(A1:A9)");
    expect(rows.find((r) => r.name?.startsWith('Line'))?.name).toBe('Line\nBreak');
  });

  it('activity.csv parsed back equals the stored events, with metadata as JSON text, in [from, to)', async () => {
    const reader = await t.store.users.createUser({ email: 'meta@example.test', name: 'Meta', role: 'reader', passwordHash: 'x' });
    const stored = [];
    for (const text of TRICKY_NAMES) {
      t.clock.advance(60_000);
      stored.push(await t.store.activity.logActivity(reader.id, { actionType: 'SUBMIT', metadata: { answer: text } }));
    }
    t.clock.advance(60_000);
    stored.push(await t.store.activity.logActivity(reader.id, { actionType: 'LOGIN', metadata: null }));
    await t.store.activity.logActivity(consultant.user.id, { actionType: 'LOGIN', metadata: null });

    const response = await download('/api/export/activity.csv');
    expect(response.statusCode).toBe(200);
    expect(response.body.split('\r\n')[0]).toBe('event_id,reader_id,email,action_type,metadata,created_at');
    const rows = parse(response.body, { columns: true }) as Record<string, string>[];
    expect(rows).toEqual(
      stored.map((e) => ({
        event_id: String(e.id),
        reader_id: String(reader.id),
        email: 'meta@example.test',
        action_type: e.actionType,
        metadata: e.metadata === null ? '' : JSON.stringify(e.metadata),
        created_at: new Date(e.createdAt).toISOString(),
      })),
    );
    expect(rows.map((r) => JSON.parse(r.metadata || 'null')?.answer ?? null)).toEqual([...TRICKY_NAMES, null]);

    const from = new Date(stored[2]!.createdAt).toISOString();
    const to = new Date(stored[5]!.createdAt).toISOString();
    const window = parse((await download(`/api/export/activity.csv?from=${from}&to=${to}`)).body, { columns: true }) as Record<string, string>[];
    expect(window.map((r) => Number(r.event_id))).toEqual(stored.slice(2, 5).map((e) => e.id));
  });

  it('an export of one cohort names the cohort in its file name and holds only its readers', async () => {
    const inIt = await t.store.users.createUser({ email: 'in@example.test', name: 'In', role: 'reader', passwordHash: 'x' });
    const notInIt = await t.store.users.createUser({ email: 'out@example.test', name: 'Out', role: 'reader', passwordHash: 'x' });
    for (const who of [inIt, notInIt]) await t.store.progress.upsertMilestone(who.id, { chapterId: 'a', status: 'started', score: null });
    const cohort = await t.store.cohorts.createCohort('Summer intensive: Été "2026" / B');
    await t.store.cohorts.addReaderToCohort(cohort.id, inIt.id);
    const progress = await download(`/api/export/progress.csv?cohort=${cohort.id}`);
    expect(progress.headers['content-disposition']).toBe('attachment; filename="progress-summer-intensive-ete-2026-b.csv"');
    expect((parse(progress.body, { columns: true }) as Record<string, string>[]).map((r) => r.email)).toEqual(['in@example.test']);
    const activity = await download(`/api/export/activity.csv?cohort=${cohort.id}`);
    expect(activity.headers['content-disposition']).toBe('attachment; filename="activity-summer-intensive-ete-2026-b.csv"');
    const unnamed = await t.store.cohorts.createCohort('日本');
    expect((await download(`/api/export/progress.csv?cohort=${unnamed.id}`)).headers['content-disposition']).toBe(
      'attachment; filename="progress-cohort.csv"',
    );
    expect((await download('/api/export/activity.csv')).headers['content-disposition']).toBe('attachment; filename="activity.csv"');
  });

  it('an export notes every reader it includes in their access log, and nobody else', async () => {
    const inIt = await t.store.users.createUser({ email: 'in@example.test', name: 'In', role: 'reader', passwordHash: 'x' });
    const notInIt = await t.store.users.createUser({ email: 'out@example.test', name: 'Out', role: 'reader', passwordHash: 'x' });
    await t.store.progress.upsertMilestone(inIt.id, { chapterId: 'a', status: 'started', score: null });
    expect((await download('/api/export/progress.csv')).statusCode).toBe(200);
    await t.accessRecorder.flush();
    expect((await t.store.accessLog.listAccessLog(inIt.id, { limit: 10 })).items).toEqual([
      { consultant: { id: consultant.user.id, name: 'Consultant' }, what: 'export', at: t.clock.now() },
    ]);
    expect((await t.store.accessLog.listAccessLog(notInIt.id, { limit: 10 })).items).toEqual([]);
  });

  it('a big export streams: the first bytes arrive before the last row is read, and the whole file follows', async () => {
    const reader = await t.store.users.createUser({ email: 'big@example.test', name: 'Big', role: 'reader', passwordHash: 'x' });
    const padding = 'p'.repeat(3_000);
    const total = 12_000; // about 37 MB of CSV: more than the socket buffers hold
    for (let i = 0; i < total; i += 100) {
      await t.store.activity.logActivities(reader.id, Array.from({ length: 100 }, (_, j) => ({ actionType: 'PAGE_VIEW', metadata: { n: i + j, padding } })));
    }
    let batchesRead = 0;
    let lastRowRead = false;
    const exports: ExportsPort = t.store.exports;
    const original = exports.streamActivityExport.bind(exports);
    vi.spyOn(exports, 'streamActivityExport').mockImplementation((query, batchRows) => ({
      async *[Symbol.asyncIterator]() {
        for await (const batch of original(query, batchRows)) {
          batchesRead += 1;
          yield batch;
        }
        lastRowRead = true;
      },
    }) as AsyncIterable<readonly ActivityExportRow[]>);

    const address = await t.app.listen({ port: 0, host: '127.0.0.1' });
    const response = await new Promise<IncomingMessage>((resolve, reject) => {
      httpGet(`${address}/api/export/activity.csv`, { headers: consultant.headers }, resolve).on('error', reject);
    });
    expect(response.statusCode).toBe(200);
    const chunks: Buffer[] = [];
    await new Promise<void>((resolve) => {
      response.on('data', (chunk: Buffer) => {
        chunks.push(chunk);
        if (chunks.length === 1) {
          response.pause();
          resolve();
        }
      });
    });
    await new Promise((resolve) => setTimeout(resolve, 300)); // let the server run ahead as far as it can
    expect(lastRowRead).toBe(false);
    const readWhilePaused = batchesRead;
    expect(readWhilePaused).toBeLessThan(total / 1_000);

    response.resume();
    await new Promise((resolve) => response.on('end', resolve));
    expect(lastRowRead).toBe(true);
    const rows = parse(Buffer.concat(chunks).toString('utf8'), { columns: true }) as { event_id: string; metadata: string }[];
    expect(rows).toHaveLength(total);
    expect(rows.map((r) => JSON.parse(r.metadata).n)).toEqual(Array.from({ length: total }, (_, i) => i));
  }, 60_000);
});
