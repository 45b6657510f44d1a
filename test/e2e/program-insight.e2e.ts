import { parse } from 'csv-parse/sync';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPasswordHasher } from '../../src/auth/password-hasher.js';
import { createScaleDatabase } from '../../src/sqlite/bulk-load.js';
import { cleanUp, makeTempDir, startServer, type ServerProcess } from '../support/server-process.js';
import { axeSummary, seriousViolations } from './support/axe.js';
import { launchChromium } from './support/chromium.js';
import { DESKTOP, newContext, PHONE, problems, screenshot, signInThroughForm, waitForHeading } from './support/pages.js';

/**
 * Program insight and a reader's own data in the browser, on a generated program of 10,000
 * readers (the generator behind `readpulse demo` and the scale data): the overview's charts, the
 * progress grid scrolled to its end, a CSV export downloaded and parsed, and a reader who downloads
 * their data and sees a consultant's view of it in their access log.
 */

const READERS = 10_000;
const PASSWORD = 'insight-e2e-password';
const CONSULTANT = 'consultant1@scale.test';
const READER = 'reader42@scale.test';

let server: ServerProcess;
let browser: Browser;
let consultant: BrowserContext;
let page: Page;
const a11yFailures: string[] = [];

async function checkAccessibility(target: Page, name: string): Promise<void> {
  for (const [label, viewport] of [['desktop', DESKTOP], ['phone', PHONE]] as const) {
    await target.setViewportSize(viewport);
    const failure = await seriousViolations(target, `${name} (${label})`);
    if (failure !== '') a11yFailures.push(failure);
    await screenshot(target, `insight-${name}-${label}`);
  }
  await target.setViewportSize(DESKTOP);
}

async function api<T>(method: string, path: string, token?: string, body?: unknown): Promise<{ status: number; body: T }> {
  const response = await fetch(new URL(path, server.baseUrl), {
    method,
    headers: { accept: 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: (text === '' ? {} : JSON.parse(text)) as T };
}

beforeAll(async () => {
  const dbFile = join(makeTempDir(), 'insight.db');
  const now = Date.now();
  createScaleDatabase(dbFile, {
    readers: READERS,
    consultants: 2,
    events: 60_000,
    chapters: 8,
    spanMs: 30 * 86_400_000,
    now,
    liveReaders: 0,
    passwordHash: await createPasswordHasher({ memoryKiB: 19_456, iterations: 2 }).hash(PASSWORD),
    rowsPerTransaction: 50_000,
  });
  server = await startServer({ dbFile, env: { READPULSE_RATE_LIMITS: 'off' }, listenTimeoutMs: 20_000 });
  browser = await launchChromium();
  consultant = await newContext(browser, server.baseUrl);
  page = await consultant.newPage();
  await page.goto('/sign-in');
  await signInThroughForm(page, CONSULTANT, PASSWORD);
  await waitForHeading(page, 'Dashboard');
}, 180_000);

afterAll(async () => {
  console.log(`axe-core results:\n${axeSummary()}`);
  await browser?.close();
  await server?.stop('SIGTERM', 15_000).catch(() => undefined);
  await cleanUp();
});

describe('program insight in the browser', () => {
  it('the overview draws the funnel, activity and score charts from the program\'s data, each with its table', async () => {
    await page.getByRole('link', { name: 'Overview', exact: true }).click();
    await waitForHeading(page, 'Program overview');
    const funnel = page.getByRole('img', { name: /Where readers are, chapter by chapter/ });
    const activity = page.getByRole('img', { name: /Activity per day/ });
    const scores = page.getByRole('img', { name: /Scores of completed chapters/ });
    for (const chart of [funnel, activity, scores]) await chart.waitFor();
    // 8 chapters x 4 states of bars; some activity bars; ten score bands.
    expect(await funnel.locator('rect').count()).toBe(32);
    expect(await activity.locator('rect').count()).toBeGreaterThan(25);
    expect(await scores.locator('rect').count()).toBe(10);
    const funnelFigure = page.locator('figure').filter({ has: funnel });
    await funnelFigure.getByText('Show the numbers as a table').click();
    const rows = funnelFigure.getByRole('row');
    expect(await rows.count()).toBe(9);
    const first = (await rows.nth(1).getByRole('cell').allInnerTexts()).slice(0, 4).map(Number);
    expect(first.reduce((a, b) => a + b, 0)).toBe(READERS);
    await checkAccessibility(page, 'overview');
  });

  it('the progress grid loads every reader and scrolls to the last of 10,000', async () => {
    await page.getByRole('link', { name: 'Grid', exact: true }).click();
    await waitForHeading(page, 'Progress grid');
    await page.getByRole('status').filter({ hasText: `${READERS} readers` }).waitFor({ timeout: 60_000 });
    const table = page.getByRole('table', { name: 'Readers by chapter' });
    expect(await table.getAttribute('aria-rowcount')).toBe(String(READERS + 1));
    // Only the rows in view are in the page.
    expect(await table.getByRole('row').count()).toBeLessThan(100);
    await page.getByTestId('grid-scroller').evaluate((el) => el.scrollTo({ top: el.scrollHeight }));
    await expect.poll(() => table.locator(`tr[aria-rowindex="${READERS + 1}"]`).count()).toBe(1);
    await page.getByLabel('Sort by', { exact: true }).selectOption('stuck');
    await expect.poll(() => page.getByRole('columnheader').first().getAttribute('aria-sort')).toBe(null);
    expect(new URL(page.url()).searchParams.get('sort')).toBe('stuck');
    await checkAccessibility(page, 'grid');
  });

  it('the progress export downloads a CSV that parses to every milestone', async () => {
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Export progress (CSV)' }).click()]);
    const file = await download.path();
    const rows = parse(readFileSync(file, 'utf8'), { columns: true }) as Record<string, string>[];
    expect(Object.keys(rows[0]!)).toEqual(['reader_id', 'email', 'name', 'chapter_id', 'status', 'score', 'updated_at']);
    const token = (await api<{ token: string }>('POST', '/api/auth/login', undefined, { email: CONSULTANT, password: PASSWORD })).body.token;
    const funnel = (await api<{ chapters: { started: number; completed: number; stuck: number }[] }>('GET', '/api/analytics/chapters', token)).body;
    expect(rows).toHaveLength(funnel.chapters.reduce((n, c) => n + c.started + c.completed + c.stuck, 0));
  });

  it('a reader downloads their data and sees the consultant\'s view of it in their access log', async () => {
    const token = (await api<{ token: string }>('POST', '/api/auth/login', undefined, { email: CONSULTANT, password: PASSWORD })).body.token;
    const readerToken = (await api<{ token: string; user: { id: number } }>('POST', '/api/auth/login', undefined, { email: READER, password: PASSWORD })).body;
    const readerId = (await api<{ user: { id: number } }>('GET', '/api/me', readerToken.token)).body.user.id;
    // The consultant opens the reader's page in the browser.
    await page.goto(`/readers/${readerId}`);
    await page.getByRole('heading', { level: 1 }).waitFor();
    expect((await api('GET', `/api/readers/${readerId}/access-log`, token)).status).toBe(200);

    const readerContext = await newContext(browser, server.baseUrl);
    try {
      const mine = await readerContext.newPage();
      await mine.goto('/sign-in');
      await signInThroughForm(mine, READER, PASSWORD);
      await waitForHeading(mine, 'My chapters');
      await mine.getByRole('link', { name: 'My data', exact: true }).click();
      await waitForHeading(mine, 'My data');
      const log = mine.getByRole('table', { name: /Consultants who viewed your data/ });
      await log.waitFor();
      await expect.poll(() => log.innerText()).toContain('Consultant');
      expect(await log.innerText()).toMatch(/your chapter progress/);
      const [download] = await Promise.all([mine.waitForEvent('download'), mine.getByRole('link', { name: 'Download my data' }).click()]);
      const data = JSON.parse(readFileSync(await download.path(), 'utf8'));
      expect(data.user).toMatchObject({ id: readerId, email: READER });
      expect(data.accessLog.some((e: { what: string }) => e.what === 'progress')).toBe(true);
      await checkAccessibility(mine, 'my-data');
    } finally {
      await readerContext.close();
    }
  });

  it('no serious accessibility violation, page error or CSP violation on these pages', () => {
    expect(a11yFailures).toEqual([]);
    expect(problems.pageErrors).toEqual([]);
    expect(problems.cspViolations).toEqual([]);
  });
});
