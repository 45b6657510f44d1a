import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { axeSummary, seriousViolations } from './support/axe.js';
import { launchChromium } from './support/chromium.js';
import { newContext, PHONE, DESKTOP, problems, screenshot, signInThroughForm, waitForHeading } from './support/pages.js';
import { startServer, type Account, type RunningServer } from './support/server.js';

/**
 * The consultants' toolkit end to end, on the real server with self-registration closed: two
 * consultants in two browser profiles claim the same attention item at the same moment, and a
 * reader joins through an invite link while a consultant watches the cohort's live view.
 */

const ANN: Account = { email: 'ann.consultant@example.test', password: 'ann-follows-up-well', name: 'Ann Consultant' };
const BOB: Account = { email: 'bob.consultant@example.test', password: 'bob-follows-up-too', name: 'Bob Consultant' };
const STRUGGLING: Account = { email: 'sam.struggling@example.test', password: 'sam-reads-slowly', name: 'Sam Struggling' };
const NEWCOMER: Account = { email: 'nia.newcomer@example.test', password: 'nia-joins-by-link', name: 'Nia Newcomer' };
const COHORT = 'Harbour class';
const LIVE_TIMEOUT_MS = 15_000;

let server: RunningServer;
let browser: Browser;
const contexts: BrowserContext[] = [];
const a11yFailures: string[] = [];

async function consultantPage(account: Account, path: string): Promise<Page> {
  const context = await newContext(browser, server.baseUrl);
  contexts.push(context);
  const page = await context.newPage();
  await page.goto(path);
  await signInThroughForm(page, account.email, account.password);
  await page.waitForURL(`**${path}`);
  return page;
}

/** Runs axe at desktop and phone width, and keeps a screenshot of each. */
async function checkPage(page: Page, name: string): Promise<void> {
  for (const [size, viewport] of [
    ['desktop', DESKTOP],
    ['phone', PHONE],
  ] as const) {
    await page.setViewportSize(viewport);
    const failure = await seriousViolations(page, `${name} (${size})`);
    if (failure !== '') a11yFailures.push(failure);
    await screenshot(page, `${name}-${size}`);
  }
  await page.setViewportSize(DESKTOP);
}

function itemCard(page: Page, readerName: string): Locator {
  return page.getByTestId('attention-item').filter({ hasText: readerName });
}

beforeAll(async () => {
  browser = await launchChromium();
  server = await startServer({ READPULSE_REGISTRATION: 'closed' });
  await server.createUser(ANN, 'consultant');
  await server.createUser(BOB, 'consultant');
  await server.createUser(STRUGGLING, 'reader');
  const token = await server.login(STRUGGLING);
  // The chapter rules apply to the program's chapters: ch-01 is one.
  const chapter = await server.api('POST', '/api/chapters', { token: await server.login(ANN), body: { id: 'ch-01', title: 'Chapter one' } });
  expect(chapter.status, JSON.stringify(chapter.body)).toBe(201);
  // A completed chapter scored below the rule's line (50) opens an attention item at once.
  const low = await server.api('PUT', '/api/me/milestones/ch-01', { token, body: { status: 'completed', score: 20 } });
  expect(low.status, JSON.stringify(low.body)).toBe(200);
});

afterEach(async (context) => {
  if (context.task.result?.state !== 'fail') return;
  for (const [index, page] of contexts.flatMap((c) => c.pages()).entries()) {
    await screenshot(page, `toolkit-failed-${context.task.name.replace(/\W+/g, '-').slice(0, 50)}-${index}`).catch(() => undefined);
  }
});

afterAll(async () => {
  console.log(`axe-core results:\n${axeSummary()}`);
  for (const context of contexts) await context.close().catch(() => undefined);
  await browser?.close();
  await server?.stop();
});

describe("the consultants' toolkit in the browser", () => {
  it('two consultants claim the same item at once: one holds it, the other sees who without reloading', async () => {
    const [annPage, bobPage] = await Promise.all([consultantPage(ANN, '/attention?view=items'), consultantPage(BOB, '/attention?view=items')]);
    for (const page of [annPage, bobPage]) {
      await waitForHeading(page, 'Attention');
      await itemCard(page, STRUGGLING.name).getByRole('button', { name: 'Claim' }).waitFor();
      await page.evaluate('window.__e2eNotReloaded = true');
    }
    await expect.poll(() => annPage.getByTestId('attention-count').innerText(), { timeout: LIVE_TIMEOUT_MS }).toContain('1');
    await checkPage(annPage, 'attention');

    await Promise.all([annPage, bobPage].map((page) => itemCard(page, STRUGGLING.name).getByRole('button', { name: 'Claim' }).click()));

    const stateOf = (page: Page) => itemCard(page, STRUGGLING.name).getByTestId('attention-state').innerText();
    await expect.poll(async () => [await stateOf(annPage), await stateOf(bobPage)].sort().join(' | '), { timeout: LIVE_TIMEOUT_MS }).toMatch(
      /^Claimed by (Ann|Bob) Consultant\. \| Claimed by you\.$/,
    );
    const annHolds = (await stateOf(annPage)) === 'Claimed by you.';
    const [winner, loser, winnerName] = annHolds ? [annPage, bobPage, ANN.name] : [bobPage, annPage, BOB.name];
    expect(await stateOf(loser)).toBe(`Claimed by ${winnerName}.`);
    expect(await itemCard(loser, STRUGGLING.name).getByRole('button', { name: 'Claim' }).count()).toBe(0);
    await itemCard(winner, STRUGGLING.name).getByRole('button', { name: 'Release' }).waitFor();
    for (const page of [annPage, bobPage]) expect(await page.evaluate('window.__e2eNotReloaded')).toBe(true);

    await winner.getByRole('button', { name: 'Mine' }).click();
    await itemCard(winner, STRUGGLING.name).waitFor();
    await checkPage(winner, 'attention-mine');
  });

  it('a reader opens an invite link, registers, and appears in the cohort view of a watching consultant', async () => {
    const ann = await consultantPage(ANN, '/cohorts');
    await waitForHeading(ann, 'Cohorts');
    await ann.getByLabel('Name', { exact: true }).fill(COHORT);
    await ann.getByRole('button', { name: 'Create cohort' }).click();
    await ann.getByRole('listitem').filter({ hasText: COHORT }).waitFor();
    await ann.getByLabel('Cohort', { exact: true }).nth(1).selectOption({ label: COHORT });
    await ann.getByLabel('Uses', { exact: true }).fill('3');
    await ann.getByRole('button', { name: 'Create invite' }).click();
    const link = await ann.getByTestId('invite-link').inputValue();
    expect(link).toMatch(/\/join\/[A-Za-z0-9_-]{32}$/);
    await checkPage(ann, 'cohorts');

    // The consultant watches the cohort's live view; the choice of cohort persists across pages.
    await ann.getByRole('combobox', { name: 'Cohort', exact: true }).first().selectOption({ label: `${COHORT} (0)` });
    await ann.getByRole('link', { name: 'Dashboard' }).click();
    await waitForHeading(ann, 'Dashboard');
    await ann.evaluate('window.__e2eNotReloaded = true');
    const online = ann.getByRole('region', { name: 'Online now', exact: true });
    expect(await online.innerText()).not.toContain(NEWCOMER.name);

    const readerContext = await newContext(browser, server.baseUrl);
    contexts.push(readerContext);
    const reader = await readerContext.newPage();
    await reader.goto(link);
    await waitForHeading(reader, 'Join ReadPulse');
    await checkPage(reader, 'join');
    await reader.getByLabel('Name').fill(NEWCOMER.name);
    await reader.getByLabel('Email', { exact: true }).fill(NEWCOMER.email);
    await reader.getByLabel('Password', { exact: true }).fill(NEWCOMER.password);
    await reader.getByRole('button', { name: 'Create account' }).click();
    await reader.waitForURL('**/reading');
    await waitForHeading(reader, 'My chapters');

    await expect.poll(() => online.innerText(), { timeout: LIVE_TIMEOUT_MS }).toContain(NEWCOMER.name);
    // A reader outside the cohort, active a moment ago, is not in the cohort's view.
    await server.api('GET', '/api/me', { token: await server.login(STRUGGLING) });
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(await online.innerText()).not.toContain(STRUGGLING.name);
    expect(await ann.evaluate('window.__e2eNotReloaded')).toBe(true);
    await screenshot(ann, 'cohort-dashboard-desktop');

    const token = await server.login(ANN);
    const cohorts = await server.api<{ cohorts: { id: number; name: string; readerCount: number }[] }>('GET', '/api/cohorts', { token });
    expect(cohorts.body.cohorts).toEqual([expect.objectContaining({ name: COHORT, readerCount: 1 })]);
    const readers = await server.api<{ readers: { email: string }[] }>('GET', `/api/readers?cohort=${cohorts.body.cohorts[0]!.id}`, { token });
    expect(readers.body.readers.map((r) => r.email)).toEqual([NEWCOMER.email]);
  });

  it('meets WCAG on the new pages: no serious or critical axe-core violations at desktop and phone width', () => {
    expect(a11yFailures.join('\n\n')).toBe('');
  });

  it('had no uncaught errors and no Content-Security-Policy violations', () => {
    expect(problems.pageErrors).toEqual([]);
    expect(problems.cspViolations).toEqual([]);
  });
});
