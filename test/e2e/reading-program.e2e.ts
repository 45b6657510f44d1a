import type { Browser, BrowserContext, Locator, Page, Response } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { axeSummary, seriousViolations } from './support/axe.js';
import { launchChromium } from './support/chromium.js';
import { measureWidth, newContext, PHONE, problems, screenshot, signInThroughForm, waitForHeading } from './support/pages.js';
import { startServer, type Account, type RunningServer } from './support/server.js';

/**
 * The reading program end to end: the real `readpulse serve` process, the built web app, and two
 * people in two browser profiles — a reader who registers and records progress, and a
 * consultant who watches the dashboard update without reloading.
 */

const CONSULTANT: Account = { email: 'cora.consultant@example.test', password: 'cora-watches-closely', name: 'Cora Consultant' };
const READER: Account = { email: 'rafael.reader@example.test', password: 'rafael-reads-daily', name: 'Rafael Reader' };
/** Another reader, already stuck, whose data the first reader must never see. */
const OTHER_READER: Account = { email: 'olga.other@example.test', password: 'olga-reads-as-well', name: 'Olga Other' };

const CHAPTERS = [
  { id: 'ch-01', title: 'The Lighthouse' },
  { id: 'ch-02', title: 'Tides and Currents' },
  { id: 'ch-03', title: 'Storm Season' },
] as const;
const ADDED_IN_UI = { id: 'ch-04', title: 'Harbour Lights' } as const;

/** The web app asks for activity 25 at a time. */
const ACTIVITY_PAGE_SIZE = 25;
/** Extra events posted through the API so the timeline has more than one page. */
const PAGE_TURNS = 30;
/** The dashboard polls every 3 s; allow a few rounds. */
const LIVE_TIMEOUT_MS = 15_000;

const CONSULTANT_API = /^\/api\/(readers|consultant)(\/|$|\?)/;

let server: RunningServer;
let browser: Browser;
let readerContext: BrowserContext;
let consultantContext: BrowserContext;
/** The consultant's dashboard tab, opened before the reader exists and never reloaded. */
let dashboard: Page;
let readerPage: Page;
let readerId: number;
let otherReaderId: number;

const a11yFailures: string[] = [];

/** Runs axe on the page; collects serious/critical violations so every page is checked. */
async function checkAccessibility(page: Page, name: string): Promise<void> {
  const failure = await seriousViolations(page, name);
  if (failure !== '') a11yFailures.push(failure);
}

function region(page: Page, name: string): Locator {
  return page.getByRole('region', { name, exact: true });
}

function chapterCard(page: Page, title: string): Locator {
  return page.getByRole('listitem').filter({ has: page.getByRole('heading', { level: 2, name: title, exact: true }) });
}

/** Opens a chapter's editor, chooses a status (and score) and saves; waits for the announcement. */
async function markChapter(page: Page, title: string, status: 'Started' | 'Completed' | 'Stuck', score?: number): Promise<void> {
  const card = chapterCard(page, title);
  await card.getByRole('button', { name: `Update progress in ${title}` }).click();
  await card.getByRole('group', { name: `Progress in ${title}` }).waitFor();
  await card.getByRole('radio', { name: status, exact: true }).check();
  if (score !== undefined) await card.getByLabel('Score', { exact: true }).fill(String(score));
  await card.getByRole('button', { name: 'Save', exact: true }).click();
  const scoreText = score === undefined ? '' : ` with a score of ${score}`;
  await page.getByRole('status').filter({ hasText: `${title}: marked ${status.toLowerCase()}${scoreText}.` }).waitFor();
  await expect.poll(() => card.innerText()).toContain(status);
}

function pathOf(response: Response): string {
  const url = new URL(response.url());
  return url.pathname + url.search;
}

beforeAll(async () => {
  browser = await launchChromium();
  server = await startServer();
  await server.createUser(CONSULTANT, 'consultant');
  const consultantToken = await server.login(CONSULTANT);
  for (const chapter of CHAPTERS) {
    const created = await server.api('POST', '/api/chapters', { token: consultantToken, body: chapter });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
  }
  const other = await server.api<{ user: { id: number }; token: string }>('POST', '/api/auth/register', {
    body: { email: OTHER_READER.email, password: OTHER_READER.password, name: OTHER_READER.name },
  });
  expect(other.status, JSON.stringify(other.body)).toBe(201);
  otherReaderId = other.body.user.id;
  const stuck = await server.api('PUT', '/api/me/milestones/ch-03', { token: other.body.token, body: { status: 'stuck' } });
  expect(stuck.status, JSON.stringify(stuck.body)).toBe(200);
});

afterEach(async (context) => {
  if (context.task.result?.state !== 'fail') return;
  // What each open tab looked like when the test failed.
  const pages = [readerContext, consultantContext].flatMap((c) => c?.pages() ?? []);
  for (const [index, page] of pages.entries()) {
    await screenshot(page, `failed-${context.task.name.replace(/\W+/g, '-').slice(0, 60)}-${index}`).catch(() => undefined);
  }
});

afterAll(async () => {
  console.log(`axe-core results:\n${axeSummary()}`);
  await browser?.close();
  await server?.stop();
});

describe('the reading program in the browser', () => {
  it('shows a signed-out visitor the sign-in page, and a 404 page for an unknown path', async () => {
    const context = await newContext(browser, server.baseUrl);
    try {
      const page = await context.newPage();
      await page.goto('/');
      await page.waitForURL('**/sign-in');
      await waitForHeading(page, 'Sign in to ReadPulse');
      expect(await page.title()).toBe('Sign in to ReadPulse · ReadPulse');
      await checkAccessibility(page, 'sign-in');

      await page.getByRole('button', { name: 'Create account', exact: true }).click();
      await waitForHeading(page, 'Create your account');
      await checkAccessibility(page, 'create account');

      await page.goto('/no/such/page');
      await waitForHeading(page, 'Page not found');
      expect(await page.title()).toBe('Page not found · ReadPulse');
      await page.getByRole('link', { name: 'Go to sign in' }).waitFor();
      await checkAccessibility(page, '404 (signed out)');

      const api404 = await server.api<{ code?: string }>('GET', '/api/no-such-thing');
      expect(api404.status).toBe(404);
      expect(api404.body.code).toBe('not_found');
    } finally {
      await context.close();
    }
  });

  it('lets a consultant sign in and open the dashboard before the new reader exists', async () => {
    consultantContext = await newContext(browser, server.baseUrl);
    dashboard = await consultantContext.newPage();
    await dashboard.goto('/dashboard');
    await dashboard.waitForURL('**/sign-in?next=%2Fdashboard');
    await signInThroughForm(dashboard, CONSULTANT.email, CONSULTANT.password);
    await dashboard.waitForURL('**/dashboard');
    await waitForHeading(dashboard, 'Dashboard');

    const online = region(dashboard, 'Online now');
    const stuck = region(dashboard, 'Stuck');
    await expect.poll(() => stuck.innerText(), { timeout: LIVE_TIMEOUT_MS }).toContain(OTHER_READER.name);
    expect(await stuck.innerText()).toContain('Storm Season');
    expect(await online.innerText()).not.toContain(READER.name);
    expect(await stuck.innerText()).not.toContain(READER.name);

    // Marks this document: if the page reloads, the mark is gone.
    await dashboard.evaluate('window.__e2eNotReloaded = true');
    await checkAccessibility(dashboard, 'dashboard');
  });

  it('lets a reader register, sign out, sign in and mark chapters started, completed and stuck', async () => {
    readerContext = await newContext(browser, server.baseUrl);
    readerPage = await readerContext.newPage();
    const page = readerPage;
    await page.goto('/sign-in');
    await waitForHeading(page, 'Sign in to ReadPulse');
    await page.getByRole('button', { name: 'Create account', exact: true }).click();
    await waitForHeading(page, 'Create your account');
    await page.getByLabel('Name').fill(READER.name);
    await page.getByLabel('Email', { exact: true }).fill(READER.email);
    await page.getByLabel('Password', { exact: true }).fill(READER.password);
    await page.getByRole('button', { name: 'Create account', exact: true }).click();
    await page.waitForURL('**/reading');
    await waitForHeading(page, 'My chapters');
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
    const me = await page.evaluate(async () => (await (await fetch('/api/me')).json()) as { user: { id: number; role: string; email: string } });
    expect(me.user).toMatchObject({ role: 'reader', email: READER.email });
    readerId = me.user.id;

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL('**/sign-in');
    // The session is gone on the server, not only in the tab.
    expect(await page.evaluate(async () => (await fetch('/api/me')).status)).toBe(401);
    await page.goto('/reading');
    await page.waitForURL('**/sign-in?next=%2Freading');

    await signInThroughForm(page, READER.email, READER.password);
    await page.waitForURL('**/reading');
    await waitForHeading(page, 'My chapters');
    for (const chapter of CHAPTERS) await chapterCard(page, chapter.title).waitFor();
    expect(await chapterCard(page, 'The Lighthouse').innerText()).toContain('Not started');

    await markChapter(page, 'The Lighthouse', 'Started');

    // A completed chapter needs a score from 0 to 100: the form says so before sending anything.
    const tides = chapterCard(page, 'Tides and Currents');
    await tides.getByRole('button', { name: 'Update progress in Tides and Currents' }).click();
    await tides.getByRole('radio', { name: 'Completed', exact: true }).check();
    await tides.getByLabel('Score', { exact: true }).fill('150');
    await tides.getByRole('button', { name: 'Save', exact: true }).click();
    await tides.getByText('The score must be a whole number from 0 to 100.').waitFor();
    expect(await tides.getByLabel('Score', { exact: true }).getAttribute('aria-invalid')).toBe('true');
    await checkAccessibility(page, 'reader chapters (editor with an error)');
    await tides.getByRole('button', { name: 'Cancel', exact: true }).click();

    await markChapter(page, 'Tides and Currents', 'Completed', 85);
    await markChapter(page, 'Storm Season', 'Stuck');
    expect(await chapterCard(page, 'Tides and Currents').innerText()).toContain('Score 85');
    await page.getByText('1 of 3 completed · 1 in progress · 1 stuck').waitFor();

    // Saved on the server: a reload shows the same.
    await page.reload();
    await waitForHeading(page, 'My chapters');
    await page.getByText('1 of 3 completed · 1 in progress · 1 stuck').waitFor();
    expect(await chapterCard(page, 'The Lighthouse').innerText()).toContain('Started');
    expect(await chapterCard(page, 'Tides and Currents').innerText()).toMatch(/Completed[\s\S]*Score 85/);
    expect(await chapterCard(page, 'Storm Season').innerText()).toContain('Stuck');
    await checkAccessibility(page, 'reader chapters');

    await screenshot(page, 'reader-chapters-desktop');
    const phone = await readerContext.newPage();
    try {
      await phone.setViewportSize(PHONE);
      await phone.goto('/reading');
      await waitForHeading(phone, 'My chapters');
      await phone.getByText('1 of 3 completed · 1 in progress · 1 stuck').waitFor();
      await screenshot(phone, 'reader-chapters-phone');
      const width = await measureWidth(phone);
      expect(width.scrollWidth, 'the reader page scrolls sideways at 375 px').toBeLessThanOrEqual(width.viewport);
    } finally {
      await phone.close();
    }
  });

  it("shows the reader's history in the activity timeline, newest first, with Load older", async () => {
    const page = readerPage;
    const token = await server.login(READER);
    for (let turn = 1; turn <= PAGE_TURNS; turn += 1) {
      const posted = await server.api('POST', '/api/me/activity', { token, body: { actionType: 'PAGE_TURN', metadata: { chapterId: 'ch-01', page: turn } } });
      expect(posted.status, JSON.stringify(posted.body)).toBe(201);
    }
    const submitted = await server.api('POST', '/api/me/activity', { token, body: { actionType: 'SUBMIT', metadata: { chapterId: 'ch-02', score: 85 } } });
    expect(submitted.status).toBe(201);

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'My activity' }).click();
    await page.waitForURL('**/reading/activity');
    await waitForHeading(page, 'My activity');
    // A client-side navigation moves focus to the new page's heading.
    expect(await page.evaluate('document.activeElement && document.activeElement.textContent')).toBe('My activity');

    const timeline = region(page, 'Timeline');
    const items = timeline.getByRole('listitem');
    // The newest event is the reader's last submission: opening this page is not reading activity.
    await expect.poll(async () => (await items.first().innerText()).replace(/\s+/g, ' ')).toMatch(/^Submitted Tides and Currents · score: 85/);
    const all = await server.api<{ events: { actionType: string }[]; nextCursor: string | null }>('GET', '/api/me/activity?limit=200', { token });
    const total = all.body.events.length;
    expect(total).toBeGreaterThan(ACTIVITY_PAGE_SIZE);
    expect(await items.count()).toBe(ACTIVITY_PAGE_SIZE);

    const texts = (await items.allInnerTexts()).map((text) => text.replace(/\s+/g, ' '));
    // Chapter ids are shown by title.
    expect(texts[0]).toMatch(/^Submitted Tides and Currents · score: 85/);
    expect(texts[1]).toMatch(/^Page turn The Lighthouse · page: 30/);
    expect(texts[2]).toMatch(/^Page turn The Lighthouse · page: 29/);

    await timeline.getByRole('button', { name: 'Load older' }).click();
    await expect.poll(() => items.count()).toBe(total);
    // Focus goes to the first item that was loaded, and the button goes once all is shown.
    const focused = await page.evaluate('document.activeElement && document.activeElement.textContent');
    expect(String(focused)).toContain((await items.nth(ACTIVITY_PAGE_SIZE).innerText()).split('\n')[0]);
    expect(await timeline.getByRole('button', { name: 'Load older' }).count()).toBe(0);
    const older = (await items.allInnerTexts()).map((text) => text.replace(/\s+/g, ' '));
    expect(older.some((text) => /^Page turn The Lighthouse · page: 1(\s|$)/.test(text))).toBe(true);
    // The app's own navigation (sign-in, the chapters page, this page) left no "Viewed a page" behind.
    expect(older.filter((text) => text.startsWith('Viewed a page'))).toEqual([]);
    expect(all.body.events.filter((e) => e.actionType === 'PAGE_VIEW')).toEqual([]);
    await checkAccessibility(page, 'reader activity');
  });

  it('shows the consultant the reader under "Online now" and "Stuck" without reloading, then their detail', async () => {
    const page = dashboard;
    const online = region(page, 'Online now');
    const stuck = region(page, 'Stuck');
    await expect.poll(() => online.innerText(), { timeout: LIVE_TIMEOUT_MS }).toContain(READER.name);
    await expect.poll(() => stuck.innerText(), { timeout: LIVE_TIMEOUT_MS }).toContain(READER.name);
    const readerStuck = stuck.getByRole('listitem').filter({ hasText: READER.name });
    expect(await readerStuck.innerText()).toContain('stuck on Storm Season');
    expect(await page.evaluate('window.__e2eNotReloaded === true'), 'the dashboard reloaded').toBe(true);
    await checkAccessibility(page, 'dashboard (reader online and stuck)');
    await screenshot(page, 'dashboard-desktop');

    const phone = await consultantContext.newPage();
    try {
      await phone.setViewportSize(PHONE);
      await phone.goto('/dashboard');
      await waitForHeading(phone, 'Dashboard');
      await expect.poll(() => region(phone, 'Stuck').innerText(), { timeout: LIVE_TIMEOUT_MS }).toContain(READER.name);
      await expect.poll(() => region(phone, 'Online now').innerText(), { timeout: LIVE_TIMEOUT_MS }).toContain(READER.name);
      await screenshot(phone, 'dashboard-phone');
      const width = await measureWidth(phone);
      expect(width.scrollWidth, 'the dashboard scrolls sideways at 375 px').toBeLessThanOrEqual(width.viewport);
    } finally {
      await phone.close();
    }

    await online.getByRole('link', { name: READER.name }).click();
    await page.waitForURL(`**/readers/${readerId}`);
    await waitForHeading(page, READER.name);
    const intro = page.locator('.page-intro');
    await expect.poll(() => intro.innerText()).toContain(READER.email);
    expect(await intro.innerText()).toContain('Online now');

    const progress = region(page, 'Progress');
    await progress.getByText('1 completed · 1 in progress · 1 stuck · 0 not started').waitFor();
    const row = (title: string) => progress.getByRole('listitem').filter({ hasText: title });
    expect(await row('The Lighthouse').innerText()).toContain('Started');
    expect(await row('Tides and Currents').innerText()).toMatch(/Completed[\s\S]*Score 85/);
    expect(await row('Storm Season').innerText()).toContain('Stuck');

    const activity = region(page, 'Activity');
    const events = activity.getByRole('listitem');
    await expect.poll(() => events.count()).toBe(ACTIVITY_PAGE_SIZE);
    expect(await activity.innerText()).toContain('Submitted');
    expect(await activity.innerText()).toContain('Tides and Currents · score: 85');
    await activity.getByRole('button', { name: 'Load older' }).click();
    await expect.poll(() => events.count()).toBeGreaterThan(ACTIVITY_PAGE_SIZE);
    await checkAccessibility(page, 'reader detail');
    await screenshot(page, 'reader-detail-desktop');
  });

  it('lists and searches readers, and adds a chapter on the Program page', async () => {
    const page = dashboard;
    const nav = page.getByRole('navigation', { name: 'Main' });
    await nav.getByRole('link', { name: 'Readers' }).click();
    await page.waitForURL('**/readers');
    await waitForHeading(page, 'Readers');
    const list = page.locator('main').getByRole('list').first();
    await expect.poll(() => list.innerText()).toContain(OTHER_READER.name);
    const rafael = list.getByRole('listitem').filter({ hasText: READER.name });
    expect((await rafael.innerText()).replace(/\s+/g, ' ')).toMatch(/1 completed 1 in progress 1 stuck/);
    await checkAccessibility(page, 'readers list');

    await page.getByLabel('Search readers').fill('rafael');
    await page.waitForURL('**/readers?search=rafael');
    await page.getByRole('status').filter({ hasText: '1 reader matching “rafael”' }).waitFor();
    expect(await list.innerText()).not.toContain(OTHER_READER.name);

    await nav.getByRole('link', { name: 'Program' }).click();
    await waitForHeading(page, 'Program');
    for (const chapter of CHAPTERS) await page.getByText(chapter.title, { exact: false }).first().waitFor();
    const form = page.getByRole('form', { name: 'Add a chapter' });
    await form.getByLabel('ID', { exact: true }).fill(ADDED_IN_UI.id);
    await form.getByLabel('Title', { exact: true }).fill(ADDED_IN_UI.title);
    await form.getByRole('button', { name: 'Add chapter' }).click();
    await page.getByRole('status').filter({ hasText: `Added “${ADDED_IN_UI.title}”.` }).waitFor();
    await checkAccessibility(page, 'program');

    // The reader's program has the new chapter, not started.
    await readerPage.goto('/reading');
    await waitForHeading(readerPage, 'My chapters');
    const added = chapterCard(readerPage, ADDED_IN_UI.title);
    await added.waitFor();
    expect(await added.innerText()).toContain('Not started');
    await readerPage.getByText('1 of 4 completed · 1 in progress · 1 stuck').waitFor();
  });

  it("gives a reader who types a consultant's address no consultant data", async () => {
    const page = readerPage;
    const consultantCalls: { path: string; status: number }[] = [];
    const record = (response: Response) => {
      const path = pathOf(response);
      if (CONSULTANT_API.test(path)) consultantCalls.push({ path, status: response.status() });
    };
    page.on('response', record);
    try {
      for (const path of ['/dashboard', '/readers', `/readers/${otherReaderId}`, `/readers/${readerId}`, '/readers?search=olga', '/program']) {
        await page.goto(path);
        await page.waitForURL('**/reading');
        await waitForHeading(page, 'My chapters');
        await chapterCard(page, 'Storm Season').waitFor();
        const text = await page.locator('body').innerText();
        for (const secret of [OTHER_READER.email, OTHER_READER.name, CONSULTANT.email, CONSULTANT.name]) {
          expect(text, `${path} shows ${secret}`).not.toContain(secret);
        }
        for (const heading of ['Dashboard', 'Online now', 'Readers', 'Progress', 'Program']) {
          expect(await page.getByRole('heading', { name: heading, exact: true }).count(), `${path} shows "${heading}"`).toBe(0);
        }
        expect(await page.locator('a[href^="/readers"]').count(), `${path} links to readers`).toBe(0);
      }

      // Whatever the app asks for, and whatever the reader asks for by hand with their cookie: 403.
      const asked = await page.evaluate(async (ids: { other: number; self: number }) => {
        const paths = [
          '/api/readers',
          '/api/readers?search=olga',
          `/api/readers/${ids.other}/progress`,
          `/api/readers/${ids.other}/activity`,
          `/api/readers/${ids.self}/progress`,
          '/api/consultant/dashboard/live',
          '/api/consultant/stuck',
          '/api/consultant/dashboard/stream',
        ];
        const answers: { path: string; status: number; code: unknown; body: string }[] = [];
        for (const path of paths) {
          const abort = new AbortController();
          const timer = setTimeout(() => abort.abort(), 5_000);
          try {
            const response = await fetch(path, { signal: abort.signal });
            const body = await response.text();
            let code: unknown = null;
            try {
              code = (JSON.parse(body) as { code?: unknown }).code;
            } catch {
              code = null;
            }
            answers.push({ path, status: response.status, code, body });
          } catch (error) {
            answers.push({ path, status: -1, code: String(error), body: '' });
          } finally {
            clearTimeout(timer);
          }
        }
        return answers;
      }, { other: otherReaderId, self: readerId });
      for (const answer of asked) {
        expect({ path: answer.path, status: answer.status, code: answer.code }).toEqual({ path: answer.path, status: 403, code: 'forbidden' });
        expect(answer.body).not.toContain(OTHER_READER.email);
      }
      for (const call of consultantCalls) {
        expect(call, `the app called ${call.path} for a reader`).toMatchObject({ status: 403 });
      }
    } finally {
      page.off('response', record);
    }
  });

  it('shows signed-in people the 404 page for an unknown path, and a consultant an unknown reader', async () => {
    await readerPage.goto('/reading/no-such-page');
    await waitForHeading(readerPage, 'Page not found');
    await checkAccessibility(readerPage, '404 (reader)');
    await readerPage.getByRole('link', { name: 'Go to your start page' }).click();
    await readerPage.waitForURL('**/reading');
    await waitForHeading(readerPage, 'My chapters');

    await dashboard.goto('/readers/not-a-number');
    await waitForHeading(dashboard, 'Page not found');
    await dashboard.goto('/readers/999999');
    await waitForHeading(dashboard, 'Reader not found');
    await checkAccessibility(dashboard, 'reader not found (consultant)');
  });

  it('meets WCAG: no serious or critical axe-core violations on any page', () => {
    expect(a11yFailures.join('\n\n')).toBe('');
  });

  it('had no uncaught errors and no Content-Security-Policy violations in any page', () => {
    expect(problems.pageErrors).toEqual([]);
    expect(problems.cspViolations).toEqual([]);
  });
});
