import { parse } from 'csv-parse/sync';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runReadpulse } from '../support/run-readpulse.js';
import { cleanUp, makeTempDir, NO_RATE_LIMITS, startServer, type ServerProcess } from '../support/server-process.js';
import { axeSummary, describeViolations, runAxe, axeLog } from './support/axe.js';
import { launchChromium } from './support/chromium.js';
import { measureWidth, newContext, PHONE, problems, screenshot, signInThroughForm, waitForHeading } from './support/pages.js';

/**
 * The coach's views checked for the truth, not the paint, on `readpulse demo` (300 readers, three
 * cohorts) plus a cohort with a 100-character name: the header's cohort scopes every page and
 * export and the numbers equal the API's with ?cohort=; the grid's headers sit over their cells;
 * no page scrolls sideways on a phone; a chapter's page equals GET /api/analytics/chapters; a
 * reader's wrong password keeps them signed in and a password change works. axe-core finds
 * nothing on any page, at desktop (1366 px) and phone (375 px) width.
 */

const PASSWORD = 'readpulse-demo';
const CONSULTANT = 'consultant1@demo.readpulse.test';
const READER = 'reader7@demo.readpulse.test';
const DESKTOP_WIDE = { width: 1366, height: 900 } as const;
const LONG_NAME = `${'Very long cohort name without a break '.repeat(3)}`.slice(0, 99) + 'Z';

interface Cohort {
  id: number;
  name: string;
  readerCount: number;
}
interface GridPage {
  chapters: string[];
  readers: { reader: { id: number; email: string; name: string; lastActiveAt: string | null }; cells: { status: string | null; score: number | null }[] }[];
  nextCursor: string | null;
}
interface Summary {
  readers: number;
  activeToday: number;
  activeThisWeek: number;
  percentCompleted: number | null;
  medianScore: number | null;
  stuckReaders: number;
  attention: { open: number; claimed: number };
}
interface AttentionItem {
  id: number;
  reader: { id: number; name: string; email: string };
  state: string;
}
interface Funnel {
  chapterId: string;
  title: string;
  notStarted: number;
  started: number;
  completed: number;
  stuck: number;
  medianScore: number | null;
}

let server: ServerProcess;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let token: string;
let cohort: Cohort;
let longCohort: Cohort;
const axeFailures: string[] = [];

async function api<T>(method: string, path: string, body?: unknown, bearer = token): Promise<{ status: number; body: T; text: string }> {
  const response = await fetch(new URL(path, server.baseUrl), {
    method,
    headers: { accept: 'application/json', authorization: `Bearer ${bearer}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  let parsed: unknown = {};
  try {
    parsed = text === '' ? {} : JSON.parse(text);
  } catch {
    parsed = {};
  }
  return { status: response.status, body: parsed as T, text };
}

async function wholeGrid(cohortId: number): Promise<GridPage['readers']> {
  const rows: GridPage['readers'] = [];
  let cursor: string | null = null;
  do {
    const answer: { body: GridPage } = await api<GridPage>('GET', `/api/analytics/grid?cohort=${cohortId}&limit=200${cursor ? `&cursor=${cursor}` : ''}`);
    rows.push(...answer.body.readers);
    cursor = answer.body.nextCursor;
  } while (cursor !== null);
  return rows;
}

/** axe-core on the page as it is, at both widths, with a screenshot of each; every violation of any impact fails. */
async function checkPage(target: Page, name: string): Promise<void> {
  for (const [label, viewport] of [['desktop', DESKTOP_WIDE], ['phone', PHONE]] as const) {
    await target.setViewportSize(viewport);
    await target.waitForTimeout(150);
    const violations = await runAxe(target);
    axeLog.push({ page: `${name} (${label})`, violations });
    if (violations.length > 0) axeFailures.push(describeViolations(`${name} (${label})`, violations));
    await screenshot(target, `coach-${name}-${label}`);
  }
  await target.setViewportSize(DESKTOP_WIDE);
}

async function nav(name: string, heading: string): Promise<void> {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name, exact: false }).first().click();
  await waitForHeading(page, heading);
}

beforeAll(async () => {
  const dbFile = join(makeTempDir(), 'coach.db');
  const demo = await runReadpulse(['demo'], { READPULSE_DB: dbFile }, { timeoutMs: 120_000 });
  if (demo.code !== 0) throw new Error(`readpulse demo failed:\n${demo.stderr}`);
  server = await startServer({ dbFile, env: { ...NO_RATE_LIMITS }, listenTimeoutMs: 20_000 });
  token = (await api<{ token: string }>('POST', '/api/auth/login', { email: CONSULTANT, password: PASSWORD }, '')).body.token;
  const cohorts = (await api<{ cohorts: Cohort[] }>('GET', '/api/cohorts')).body.cohorts;
  cohort = cohorts.find((c) => c.name === 'Summer intensive')!;
  const made = await api<{ cohort: Cohort }>('POST', '/api/cohorts', { name: LONG_NAME });
  expect(made.status).toBe(201);
  longCohort = made.body.cohort;
  const readers = (await api<{ readers: { id: number }[] }>('GET', '/api/readers?limit=3')).body.readers;
  for (const reader of readers) await api('PUT', `/api/cohorts/${longCohort.id}/readers/${reader.id}`);
  browser = await launchChromium();
  context = await newContext(browser, server.baseUrl);
  page = await context.newPage();
  await page.setViewportSize(DESKTOP_WIDE);
  await page.goto('/sign-in');
  await signInThroughForm(page, CONSULTANT, PASSWORD);
  await waitForHeading(page, 'Dashboard');
}, 240_000);

afterAll(async () => {
  console.log(`axe-core results:\n${axeSummary()}`);
  await browser?.close();
  await server?.stop('SIGTERM', 15_000).catch(() => undefined);
  await cleanUp();
});

describe('the coach\'s views, scoped to the cohort in hand', () => {
  it('the header\'s cohort goes into the address and every page\'s numbers equal the API\'s with ?cohort=', async () => {
    const rows = await wholeGrid(cohort.id);
    expect(rows.length).toBe(cohort.readerCount);
    await page.getByLabel('Cohort', { exact: true }).selectOption(String(cohort.id));
    await expect.poll(() => new URL(page.url()).searchParams.get('cohort')).toBe(String(cohort.id));
    const scope = page.getByTestId('scope');
    await expect.poll(() => scope.innerText()).toContain(`${cohort.name}, ${cohort.readerCount} readers`);

    // The dashboard's summary, from the whole class.
    await page.getByTestId('class-summary').waitFor();
    expect(Number(await page.locator('[data-summary="readers"]').innerText())).toBe(rows.length);
    const stuck = rows.filter((r) => r.cells.some((c) => c.status === 'stuck')).length;
    expect(Number(await page.locator('[data-summary="stuckReaders"]').innerText())).toBe(stuck);
    const counts = (await api<{ open: number; claimed: number }>('GET', `/api/attention/counts?cohort=${cohort.id}`)).body;
    await expect.poll(async () => Number(await page.locator('[data-summary="attention"]').innerText())).toBe(counts.open + counts.claimed);
    // Every tile equals GET /api/analytics/summary (the browser's day starts at UTC midnight here),
    // and the summary's figures equal what the whole grid gives.
    const now = Date.now();
    const today = new Date(now - (now % 86_400_000)).toISOString();
    const summary = (await api<Summary>('GET', `/api/analytics/summary?cohort=${cohort.id}&today=${today}`)).body;
    expect(summary.readers).toBe(rows.length);
    expect(summary.stuckReaders).toBe(stuck);
    const completedCells = rows.flatMap((r) => r.cells).filter((c) => c.status === 'completed').length;
    expect(summary.percentCompleted).toBe(Math.round((completedCells / (rows.length * rows[0]!.cells.length)) * 1000) / 10);
    expect(summary.activeThisWeek).toBe(rows.filter((r) => r.reader.lastActiveAt !== null && Date.parse(r.reader.lastActiveAt) >= now - 7 * 86_400_000).length);
    for (const key of ['readers', 'activeToday', 'activeThisWeek', 'stuckReaders'] as const) {
      expect(Number(await page.locator(`[data-summary="${key}"]`).innerText()), key).toBe(summary[key]);
    }
    expect(await page.locator('[data-summary="percentCompleted"]').innerText()).toBe(summary.percentCompleted === null ? '–' : `${summary.percentCompleted}%`);
    expect(await page.locator('[data-summary="medianScore"]').innerText()).toBe(summary.medianScore === null ? '–' : String(summary.medianScore));
    await checkPage(page, 'dashboard');

    await nav('Readers', 'Readers');
    expect(new URL(page.url()).searchParams.get('cohort')).toBe(String(cohort.id));
    const readersTotal = (await api<{ total: number }>('GET', `/api/readers?cohort=${cohort.id}&limit=1`)).body.total;
    expect(readersTotal).toBe(cohort.readerCount);
    await expect.poll(() => page.locator('.search-status').innerText()).toBe(`25 of ${readersTotal} readers in ${cohort.name}`);
    // Sorted by chapters completed and narrowed to the stuck: the rows and the total are the API's.
    await page.getByLabel('Sort by').selectOption('completed');
    await page.getByLabel('Status', { exact: true }).selectOption('stuck');
    const stuckReaders = (await api<{ readers: { id: number }[]; total: number }>('GET', `/api/readers?cohort=${cohort.id}&sort=completed&status=stuck&limit=25`)).body;
    expect(stuckReaders.total).toBe(stuck);
    await expect.poll(() => page.locator('.search-status').innerText()).toBe(
      `${stuckReaders.total} ${stuckReaders.total === 1 ? 'reader' : 'readers'} in ${cohort.name} · stuck on a chapter`,
    );
    expect(await page.locator('li.reader-row').evaluateAll((rows) => rows.map((r) => Number(r.getAttribute('data-reader-id'))))).toEqual(stuckReaders.readers.map((r) => r.id));
    await page.locator('li.reader-row input[type="checkbox"]').first().check();
    await expect.poll(() => page.locator('.add-to-cohort label').innerText()).toBe('Add the 1 reader selected to');
    await checkPage(page, 'readers');
    await page.getByLabel('Status', { exact: true }).selectOption('');
    await page.getByLabel('Sort by').selectOption('id');

    await nav('Attention', 'Attention');
    expect(new URL(page.url()).searchParams.get('cohort')).toBe(String(cohort.id));
    const open = (await api<{ items: { reader: { id: number } }[] }>('GET', `/api/attention?state=open&cohort=${cohort.id}&limit=200`)).body.items;
    const claimed = (await api<{ items: { reader: { id: number } }[] }>('GET', `/api/attention?state=claimed&cohort=${cohort.id}&limit=200`)).body.items;
    const readersWithItems = new Set([...open, ...claimed].map((i) => i.reader.id)).size;
    await expect.poll(() => page.getByTestId('attention-total').innerText()).toBe(`${open.length + claimed.length} items for ${readersWithItems} readers`);
    expect(await page.getByTestId('attention-group').count()).toBe(readersWithItems);
    await page.getByLabel('Reason', { exact: true }).selectOption('stuck');
    const stuckItems = (await api<{ items: unknown[] }>('GET', `/api/attention?state=open&cohort=${cohort.id}&reason=stuck&limit=200`)).body.items;
    const stuckClaimed = (await api<{ items: unknown[] }>('GET', `/api/attention?state=claimed&cohort=${cohort.id}&reason=stuck&limit=200`)).body.items;
    await expect.poll(() => page.getByTestId('attention-total').innerText()).toMatch(new RegExp(`^${stuckItems.length + stuckClaimed.length} items? for`));
    await checkPage(page, 'attention');

    await nav('Overview', 'Program overview');
    expect(new URL(page.url()).searchParams.get('cohort')).toBe(String(cohort.id));
    const funnel = (await api<{ chapters: Funnel[] }>('GET', `/api/analytics/chapters?cohort=${cohort.id}`)).body.chapters;
    const figure = page.locator('figure').filter({ has: page.getByRole('img', { name: /Where readers are/ }) });
    await figure.getByText('Show the numbers as a table').click();
    const firstRow = (await figure.getByRole('row').nth(1).getByRole('cell').allInnerTexts()).slice(0, 4).map(Number);
    expect(firstRow.reduce((a, b) => a + b, 0)).toBe(rows.length);
    expect(firstRow).toEqual([funnel[0]!.completed, funnel[0]!.started, funnel[0]!.stuck, funnel[0]!.notStarted]);
    await page.setViewportSize(PHONE);
    await page.waitForTimeout(300);
    // The smallest chart text as drawn on screen: its font size times the SVG's scale on the page.
    const smallestText = (await page.evaluate(`Math.min(...[...document.querySelectorAll('svg.chart-svg')].flatMap((svg) => {
      const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
      return [...svg.querySelectorAll('text')].filter((t) => t.textContent.trim() !== '').map((t) => parseFloat(getComputedStyle(t).fontSize) * scale);
    }))`)) as number;
    expect(smallestText).toBeGreaterThanOrEqual(11);
    await page.setViewportSize(DESKTOP_WIDE);
    await checkPage(page, 'overview');

    // Both exports hold only the cohort's readers and name the cohort in their file name.
    const emails = new Set(rows.map((r) => r.reader.email));
    const [progress] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-progress').click()]);
    expect(progress.suggestedFilename()).toBe('progress-summer-intensive.csv');
    const progressRows = parse(readFileSync(await progress.path(), 'utf8'), { columns: true }) as Record<string, string>[];
    const apiCsv = parse((await api('GET', `/api/export/progress.csv?cohort=${cohort.id}`)).text, { columns: true }) as unknown[];
    expect(progressRows.length).toBe(apiCsv.length);
    expect(progressRows.every((r) => emails.has(r.email!))).toBe(true);
    const [activity] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-activity').click()]);
    expect(activity.suggestedFilename()).toBe('activity-summer-intensive.csv');
    const activityRows = parse(readFileSync(await activity.path(), 'utf8'), { columns: true }) as Record<string, string>[];
    expect(activityRows.length).toBeGreaterThan(0);
    expect(activityRows.every((r) => emails.has(r.email!))).toBe(true);

    await nav('Grid', 'Progress grid');
    expect(new URL(page.url()).searchParams.get('cohort')).toBe(String(cohort.id));
    await expect.poll(() => page.getByTestId('grid-count').innerText()).toBe(`${rows.length} readers`);
    await checkPage(page, 'grid');

    // Back goes to the previous page with the same scope; a reload keeps it.
    await page.goBack();
    await waitForHeading(page, 'Program overview');
    await page.reload();
    await waitForHeading(page, 'Program overview');
    await expect.poll(() => page.getByTestId('scope').innerText()).toContain(cohort.name);
  });

  it('each grid header sits over its own column, by position and by content, at both widths', async () => {
    const rows = await wholeGrid(cohort.id);
    const byId = new Map(rows.map((r) => [r.reader.id, r]));
    const chapters = (await api<GridPage>('GET', `/api/analytics/grid?cohort=${cohort.id}&limit=1`)).body.chapters;
    await nav('Grid', 'Progress grid');
    for (const viewport of [DESKTOP_WIDE, PHONE]) {
      await page.setViewportSize(viewport);
      await page.waitForTimeout(200);
      const table = page.getByRole('table', { name: 'Readers by chapter' });
      const headers = table.locator('thead th');
      expect(await headers.count()).toBe(chapters.length + 1);
      const bodyRows = table.locator('tbody tr[data-reader-id]');
      const checkedRows = Math.min(5, await bodyRows.count());
      expect(checkedRows).toBeGreaterThan(0);
      for (let r = 0; r < checkedRows; r += 1) {
        const row = bodyRows.nth(r);
        const reader = byId.get(Number(await row.getAttribute('data-reader-id')))!;
        expect(reader).toBeDefined();
        // The reader's name and email, so two readers with one name are told apart.
        expect(await row.locator('th').innerText()).toContain(reader.reader.email);
        for (let c = 0; c < chapters.length; c += 1) {
          const header = headers.nth(c + 1);
          const cell = row.locator('td').nth(c);
          expect(await header.getAttribute('data-chapter-id')).toBe(chapters[c]);
          expect(await cell.getAttribute('data-chapter-id')).toBe(chapters[c]);
          await header.scrollIntoViewIfNeeded();
          const [h, d] = [(await header.boundingBox())!, (await cell.boundingBox())!];
          expect(Math.abs(h.x - d.x)).toBeLessThanOrEqual(1);
          expect(Math.abs(h.width - d.width)).toBeLessThanOrEqual(1);
          const expected = reader.cells[c]!;
          const text = expected.status === null ? 'Not yet' : expected.status === 'completed' ? (expected.score === null ? 'Done' : `Done ${expected.score}`) : expected.status === 'stuck' ? 'Stuck' : 'Started';
          expect(await cell.innerText()).toBe(text);
        }
      }
    }
    await page.setViewportSize(DESKTOP_WIDE);
  });

  it('a chapter\'s page, reached from the grid header, equals GET /api/analytics/chapters', async () => {
    const funnel = (await api<{ chapters: Funnel[] }>('GET', `/api/analytics/chapters?cohort=${cohort.id}`)).body.chapters;
    const chapter = funnel.find((c) => c.stuck > 0) ?? funnel[0]!;
    await page.locator(`thead th[data-chapter-id="${chapter.chapterId}"] a`).click();
    await waitForHeading(page, `Chapter: ${chapter.title}`);
    expect(new URL(page.url()).searchParams.get('cohort')).toBe(String(cohort.id));
    const counts = page.getByTestId('chapter-counts');
    await counts.waitFor();
    for (const key of ['notStarted', 'started', 'stuck', 'completed'] as const) {
      expect(Number(await counts.locator(`[data-count="${key}"]`).innerText())).toBe(chapter[key]);
    }
    expect(await counts.locator('[data-count="medianScore"]').innerText()).toBe(chapter.medianScore === null ? '–' : String(chapter.medianScore));
    for (const [group, key] of [['stuck', 'stuck'], ['started', 'started'], ['completed', 'completed'], ['not-started', 'notStarted']] as const) {
      await page.getByTestId(`chapter-group-${group}`).waitFor();
      expect(Number(await page.getByTestId(`chapter-group-${group}`).getByTestId('group-count').innerText())).toBe(chapter[key]);
    }
    await checkPage(page, 'chapter');
  });

  it('a reader\'s page: their cohorts, open and claimed attention items and trend equal the API\'s', async () => {
    const open = (await api<{ items: AttentionItem[] }>('GET', `/api/attention?state=open&cohort=${cohort.id}&limit=200`)).body.items;
    const target = open[0]!.reader;
    const theirCohorts = (await api<{ cohorts: Cohort[] }>('GET', `/api/readers/${target.id}/cohorts`)).body.cohorts;
    expect(theirCohorts.map((c) => c.id)).toContain(cohort.id);
    const items = [
      ...(await api<{ items: AttentionItem[] }>('GET', `/api/attention?state=open&reader=${target.id}&limit=200`)).body.items,
      ...(await api<{ items: AttentionItem[] }>('GET', `/api/attention?state=claimed&reader=${target.id}&limit=200`)).body.items,
    ];
    expect(items.length).toBeGreaterThan(0);
    await page.goto(`/readers/${target.id}?cohort=${cohort.id}`);
    await waitForHeading(page, target.name || target.email);

    const cohortsPanel = page.getByTestId('reader-cohorts');
    await cohortsPanel.locator('li').first().waitFor();
    expect(await cohortsPanel.locator('li').count()).toBe(theirCohorts.length);
    for (const c of theirCohorts) {
      const link = cohortsPanel.locator(`li[data-cohort-id="${c.id}"]`).getByRole('link', { name: c.name, exact: true });
      expect(await link.getAttribute('href')).toBe(`/dashboard?cohort=${c.id}`);
    }

    const attention = page.getByTestId('reader-attention');
    await attention.getByTestId('reader-attention-count').waitFor();
    const openCount = items.filter((i) => i.state === 'open').length;
    expect(await attention.getByTestId('reader-attention-count').innerText()).toBe(
      `${items.length} ${items.length === 1 ? 'item' : 'items'} (${openCount} open, ${items.length - openCount} claimed)`,
    );
    expect((await attention.locator('li[data-attention-id]').evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-attention-id'))))).sort()).toEqual(
      items.map((i) => i.id).sort(),
    );

    // The trend's events equal GET /api/analytics/activity?reader= over the same 28 days.
    const trend = page.getByTestId('reader-trend');
    await trend.getByTestId('reader-trend-events').waitFor();
    const now = Date.now();
    const tomorrow = now - (now % 86_400_000) + 86_400_000;
    const buckets = (await api<{ buckets: { events: number }[] }>(
      'GET',
      `/api/analytics/activity?reader=${target.id}&bucket=day&from=${new Date(tomorrow - 28 * 86_400_000).toISOString()}&to=${new Date(tomorrow).toISOString()}`,
    )).body.buckets;
    expect(buckets).toHaveLength(28);
    expect(Number(await trend.getByTestId('reader-trend-events').getAttribute('data-events'))).toBe(buckets.reduce((n, b) => n + b.events, 0));
    expect(await trend.locator('svg.chart-svg').count()).toBe(2);
    await page.setViewportSize(PHONE);
    await page.waitForTimeout(300);
    const smallestText = (await page.evaluate(`Math.min(...[...document.querySelectorAll('svg.chart-svg')].flatMap((svg) => {
      const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
      return [...svg.querySelectorAll('text')].filter((t) => t.textContent.trim() !== '').map((t) => parseFloat(getComputedStyle(t).fontSize) * scale);
    }))`)) as number;
    expect(smallestText).toBeGreaterThanOrEqual(11);
    expect((await measureWidth(page)).scrollWidth).toBeLessThanOrEqual(PHONE.width);
    await page.setViewportSize(DESKTOP_WIDE);
    await checkPage(page, 'reader');

    // "In the queue" opens the attention queue on this reader alone.
    await attention.getByRole('link', { name: 'In the queue' }).click();
    await waitForHeading(page, 'Attention');
    expect(new URL(page.url()).searchParams.get('reader')).toBe(String(target.id));
    const inCohort = items.length; // the reader is in the cohort in hand, so every item shows
    await expect.poll(() => page.getByTestId('attention-total').innerText()).toBe(`${inCohort} ${inCohort === 1 ? 'item' : 'items'} for 1 reader`);
    await checkPage(page, 'attention-one-reader');
  });

  it('a dead invite link says so on arrival, before any form; a live one shows the form', async () => {
    const visitor = await newContext(browser, server.baseUrl);
    try {
      const join = await visitor.newPage();
      await join.setViewportSize(DESKTOP_WIDE);
      const deadCode = 'A'.repeat(32);
      expect((await api<{ valid: boolean; reason: string | null }>('GET', `/api/invites/${deadCode}/status`, undefined, '')).body).toEqual({ valid: false, reason: 'unusable' });
      await join.goto(`/join/${deadCode}`);
      await waitForHeading(join, 'Join ReadPulse');
      await join.getByTestId('invite-dead').waitFor();
      expect(await join.getByTestId('invite-dead').innerText()).toContain('This invite link cannot be used');
      expect(await join.getByRole('button', { name: 'Create account' }).count()).toBe(0);
      expect(await join.getByLabel('Email', { exact: true }).count()).toBe(0);
      await checkPage(join, 'join-dead');

      const made = await api<{ invite: { code: string } }>('POST', '/api/invites', { cohortId: cohort.id, maxUses: 1 });
      expect(made.status).toBe(201);
      const code = made.body.invite.code;
      expect((await api('GET', `/api/invites/${code}/status`, undefined, '')).body).toEqual({ valid: true, reason: null });
      await join.goto(`/join/${code}`);
      await waitForHeading(join, 'Join ReadPulse');
      await join.getByLabel('Email', { exact: true }).waitFor();
      expect(await join.getByTestId('invite-dead').count()).toBe(0);
      // Looking spent nothing: the one use is still there.
      const invites = (await api<{ invites: { code: string; usesLeft: number }[] }>('GET', '/api/invites')).body.invites;
      expect(invites.find((i) => code.startsWith(i.code))!.usesLeft).toBe(1);
      await checkPage(join, 'join-live');
    } finally {
      await visitor.close();
    }
  });

  it('no consultant page scrolls sideways on a phone with a 100-character cohort name in hand', async () => {
    expect(LONG_NAME).toHaveLength(100);
    await page.getByLabel('Cohort', { exact: true }).selectOption(String(longCohort.id));
    await page.setViewportSize(PHONE);
    const widths: Record<string, number> = {};
    for (const [path, heading] of [
      ['/dashboard', 'Dashboard'],
      ['/readers', 'Readers'],
      ['/attention', 'Attention'],
      ['/cohorts', 'Cohorts'],
      ['/program', 'Program'],
      ['/program/overview', 'Program overview'],
      ['/program/grid', 'Progress grid'],
      ['/account', 'Account'],
    ] as const) {
      await page.goto(`${path}?cohort=${longCohort.id}`);
      await waitForHeading(page, heading);
      await page.waitForTimeout(300);
      const { scrollWidth, viewport } = await measureWidth(page);
      widths[path] = scrollWidth - viewport;
      await screenshot(page, `coach-long-name${path.replaceAll('/', '-')}-phone`);
    }
    expect(widths).toEqual(Object.fromEntries(Object.keys(widths).map((k) => [k, 0])));
    await checkPage(page, 'cohorts');
    await page.setViewportSize(DESKTOP_WIDE);
  });
});

describe('a reader\'s account', () => {
  it('a wrong password on deletion says so and keeps the reader signed in; a password change works', async () => {
    const readerContext = await newContext(browser, server.baseUrl);
    try {
      const mine = await readerContext.newPage();
      await mine.setViewportSize(DESKTOP_WIDE);
      await mine.goto('/sign-in');
      await signInThroughForm(mine, READER, PASSWORD);
      await waitForHeading(mine, 'My chapters');
      await mine.getByRole('link', { name: 'My data', exact: true }).click();
      await waitForHeading(mine, 'My data');
      await mine.getByLabel('Your password').fill('not the password');
      await mine.getByLabel(/I understand/).check();
      await mine.getByRole('button', { name: 'Delete my account' }).click();
      await expect.poll(() => mine.getByTestId('delete-error').innerText()).toContain('That password is not correct.');
      await waitForHeading(mine, 'My data');
      expect(new URL(mine.url()).pathname).toBe('/reading/my-data');
      const me = await mine.evaluate(async () => (await fetch('/api/me')).status);
      expect(me).toBe(200);
      expect((await api('POST', '/api/auth/login', { email: READER, password: PASSWORD }, '')).status).toBe(200);
      await checkPage(mine, 'my-data');

      await mine.getByRole('link', { name: 'Account', exact: true }).click();
      await waitForHeading(mine, 'Account');
      const NEW_PASSWORD = 'a brand new password';
      await mine.getByLabel('Current password').fill('wrong current password');
      await mine.getByLabel('New password', { exact: true }).fill(NEW_PASSWORD);
      await mine.getByLabel('New password again').fill(NEW_PASSWORD);
      await mine.getByRole('button', { name: 'Change password' }).click();
      await expect.poll(() => mine.getByRole('alert').first().innerText()).toContain('The current password is not correct.');
      await waitForHeading(mine, 'Account');
      await mine.getByLabel('Current password').fill(PASSWORD);
      await mine.getByRole('button', { name: 'Change password' }).click();
      await mine.getByTestId('password-changed').waitFor();
      await checkPage(mine, 'account');
      expect((await api('POST', '/api/auth/login', { email: READER, password: PASSWORD }, '')).status).toBe(401);
      expect((await api('POST', '/api/auth/login', { email: READER, password: NEW_PASSWORD }, '')).status).toBe(200);
      await mine.getByRole('button', { name: 'Sign out' }).click();
      await signInThroughForm(mine, READER, NEW_PASSWORD);
      await waitForHeading(mine, 'My chapters');
    } finally {
      await readerContext.close();
    }
  });

  it('axe-core finds nothing on any page; no page error or CSP violation', () => {
    expect(axeFailures).toEqual([]);
    expect(problems.pageErrors).toEqual([]);
    expect(problems.cspViolations).toEqual([]);
  });
});
