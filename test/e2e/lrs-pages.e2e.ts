import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { axeLog, axeSummary, describeViolations, runAxe } from './support/axe.js';
import { launchChromium } from './support/chromium.js';
import { measureWidth, newContext, PHONE, problems, screenshot, signInThroughForm, waitForHeading } from './support/pages.js';
import { startServer, type Account, type RunningServer } from './support/server.js';

/**
 * The LRS's web pages on the real server: a consultant makes an LRS credential in the page, its
 * secret works on /xapi (HTTP Basic) and stops working once the page deletes it; a chapter's
 * activity IRI set on the Program page is what the API returns; a statement sent with the
 * credential shows on the reader's page with the values GET /api/readers/:id/statements returns.
 * axe-core finds nothing on the new pages at 1366 and 375 px, and none scrolls sideways on a phone.
 */

const CONSULTANT: Account = { email: 'lena.consultant@example.test', password: 'lena-reads-records', name: 'Lena Consultant' };
const READER: Account = { email: 'Omar.Reader@example.test', password: 'omar-reads-h5p', name: 'Omar Reader' };
const DESKTOP_WIDE = { width: 1366, height: 900 } as const;
const XAPI_VERSION = '1.0.3';
const CHAPTER = { id: 'ch-harbour', title: 'The harbour at night' };
const OTHER_CHAPTER = { id: 'ch-storm', title: 'Storm season', activityId: 'https://books.example/storm-season' };
const CHAPTER_IRI = 'https://books.example/harbour-at-night';
const ADL = 'http://adlnet.gov/expapi/verbs/';

interface Credential {
  readonly name: string;
  readonly key: string;
  readonly secret: string;
}

let server: RunningServer;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let token: string;
let readerId: number;
/** The reader's email as the server keeps it. */
let readerEmail: string;
let credential: Credential;
const axeFailures: string[] = [];
const sidewaysScroll: Record<string, number> = {};

function basic(key: string, secret: string): string {
  return `Basic ${Buffer.from(`${key}:${secret}`).toString('base64')}`;
}

async function xapi(method: string, path: string, auth: string, body?: unknown): Promise<{ status: number; body: unknown }> {
  const response = await fetch(new URL(`/xapi${path}`, server.baseUrl), {
    method,
    headers: {
      authorization: auth,
      'x-experience-api-version': XAPI_VERSION,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = text === '' ? null : JSON.parse(text);
  } catch {
    parsed = text;
  }
  return { status: response.status, body: parsed };
}

/** axe-core at 1366 and 375 px (any violation fails), the page's sideways scroll on the phone, and a screenshot of each. */
async function checkPage(target: Page, name: string): Promise<void> {
  for (const [label, viewport] of [
    ['desktop', DESKTOP_WIDE],
    ['phone', PHONE],
  ] as const) {
    await target.setViewportSize(viewport);
    await target.waitForTimeout(200);
    const violations = await runAxe(target);
    axeLog.push({ page: `${name} (${label})`, violations });
    if (violations.length > 0) axeFailures.push(describeViolations(`${name} (${label})`, violations));
    if (label === 'phone') {
      const { scrollWidth, viewport: width } = await measureWidth(target);
      sidewaysScroll[name] = scrollWidth - width;
    }
    await screenshot(target, `lrs-${name}-${label}`);
  }
  await target.setViewportSize(DESKTOP_WIDE);
}

async function openFromNav(name: string, heading: string): Promise<void> {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name, exact: true }).click();
  await waitForHeading(page, heading);
}

beforeAll(async () => {
  browser = await launchChromium();
  server = await startServer({ READPULSE_RATE_LIMITS: 'off' });
  await server.createUser(CONSULTANT, 'consultant');
  await server.createUser(READER, 'reader');
  token = await server.login(CONSULTANT);
  for (const chapter of [CHAPTER, OTHER_CHAPTER]) {
    const made = await server.api('POST', '/api/chapters', { token, body: chapter });
    expect(made.status, JSON.stringify(made.body)).toBe(201);
  }
  const readers = await server.api<{ readers: { id: number; email: string }[] }>('GET', '/api/readers?search=omar', { token });
  const reader = readers.body.readers.find((r) => r.email.toLowerCase() === READER.email.toLowerCase())!;
  readerId = reader.id;
  readerEmail = reader.email;
  context = await newContext(browser, server.baseUrl);
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.baseUrl });
  page = await context.newPage();
  await page.setViewportSize(DESKTOP_WIDE);
  await page.goto('/sign-in');
  await signInThroughForm(page, CONSULTANT.email, CONSULTANT.password);
  await waitForHeading(page, 'Dashboard');
}, 120_000);

afterEach(async (test) => {
  if (test.task.result?.state !== 'fail') return;
  await screenshot(page, `lrs-failed-${test.task.name.replace(/\W+/g, '-').slice(0, 50)}`).catch(() => undefined);
});

afterAll(async () => {
  console.log(`axe-core results:\n${axeSummary()}`);
  await context?.close().catch(() => undefined);
  await browser?.close();
  await server?.stop();
});

describe('the LRS credentials page', () => {
  it('creates a credential whose secret, shown once, works on /xapi with HTTP Basic', async () => {
    await openFromNav('LRS credentials', 'LRS credentials');
    expect(new URL(page.url()).pathname).toBe('/lrs-credentials');
    await page.getByText('No credentials yet.', { exact: false }).waitFor();
    expect(await page.getByTestId('lrs-endpoint').inputValue()).toBe(`${server.baseUrl}/xapi`);
    await checkPage(page, 'credentials-empty');

    // The form checks the name before anything is sent.
    await page.getByRole('button', { name: 'Create credential' }).click();
    await page.getByText('Enter a name, such as where the credential will be used.').waitFor();
    expect((await server.api<{ credentials: unknown[] }>('GET', '/api/lrs-credentials', { token })).body.credentials).toEqual([]);

    await page.getByLabel('Name', { exact: true }).fill('H5P on the course site');
    await page.getByRole('button', { name: 'Create credential' }).click();
    const box = page.getByTestId('created-credential');
    await box.waitFor();
    expect(await box.innerText()).toContain('it will not be shown again');
    credential = {
      name: 'H5P on the course site',
      key: await box.getByTestId('created-key').inputValue(),
      secret: await box.getByTestId('created-secret').inputValue(),
    };
    expect(await box.getByTestId('created-endpoint').inputValue()).toBe(`${server.baseUrl}/xapi`);
    expect(credential.secret.length).toBeGreaterThanOrEqual(16);

    // What the API lists is what the page shows; the secret is not in the list.
    const listed = await server.api<{ credentials: { id: number; name: string; key: string; createdAt: string }[] }>('GET', '/api/lrs-credentials', { token });
    expect(listed.body.credentials).toEqual([expect.objectContaining({ name: credential.name, key: credential.key })]);
    expect(JSON.stringify(listed.body)).not.toContain(credential.secret);
    const row = page.getByTestId('credential-list').getByRole('listitem');
    await expect.poll(() => row.count()).toBe(1);
    expect(await row.innerText()).toContain(credential.key);
    expect(await row.locator('time').getAttribute('datetime')).toBe(listed.body.credentials[0]!.createdAt);
    expect(await row.locator('time').innerText()).toContain(String(new Date(listed.body.credentials[0]!.createdAt).getUTCFullYear()));

    // The copy button puts the secret on the clipboard.
    await box.getByRole('button', { name: 'Copy secret' }).click();
    await box.getByText('Copied.').first().waitFor();
    expect(await page.evaluate('navigator.clipboard.readText()')).toBe(credential.secret);
    await checkPage(page, 'credentials-created');

    const works = await xapi('GET', '/statements', basic(credential.key, credential.secret));
    expect(works.status, JSON.stringify(works.body)).toBe(200);
    expect(works.body).toEqual(expect.objectContaining({ statements: [] }));
    expect((await xapi('GET', '/statements', basic(credential.key, `${credential.secret}x`))).status).toBe(401);

    await box.getByRole('button', { name: 'I have copied the secret' }).click();
    await box.waitFor({ state: 'detached' });
    expect(await page.getByText(credential.secret).count()).toBe(0);
    await page.reload();
    await waitForHeading(page, 'LRS credentials');
    await page.getByTestId('credential-list').waitFor();
    expect(await page.content()).not.toContain(credential.secret);
  });
});

describe('the program page: a chapter\'s activity IRI', () => {
  it('sets a chapter\'s IRI, which the API returns, and says beside the field when another chapter has it', async () => {
    await openFromNav('Program', 'Program');
    const row = page.locator(`li[data-chapter-id="${CHAPTER.id}"]`);
    expect(await row.getByTestId('chapter-iri').innerText()).toBe('Activity IRI: none');
    expect(await page.locator(`li[data-chapter-id="${OTHER_CHAPTER.id}"]`).getByTestId('chapter-iri').innerText()).toBe(
      `Activity IRI: ${OTHER_CHAPTER.activityId}`,
    );

    await row.getByRole('button', { name: `Edit ${CHAPTER.title}` }).click();
    const form = page.getByRole('form', { name: `Edit ${CHAPTER.id}` });
    const iri = form.getByLabel(/Activity IRI/);
    await iri.fill('books.example/harbour');
    await form.getByRole('button', { name: 'Save chapter' }).click();
    await form.getByText('Enter an absolute IRI with a scheme', { exact: false }).waitFor();

    // Another chapter's IRI: the server refuses it (409) and the page says so beside the field.
    await iri.fill(OTHER_CHAPTER.activityId);
    await form.getByRole('button', { name: 'Save chapter' }).click();
    await form.getByText('This IRI is already used by another chapter.').waitFor();
    expect(await iri.getAttribute('aria-invalid')).toBe('true');
    await checkPage(page, 'program-iri-taken');
    await iri.fill(CHAPTER_IRI);
    expect(await form.getByText('This IRI is already used by another chapter.').count()).toBe(0);
    await form.getByRole('button', { name: 'Save chapter' }).click();
    await page.getByRole('status').filter({ hasText: `Saved “${CHAPTER.title}”.` }).waitFor();
    await expect.poll(() => row.getByTestId('chapter-iri').innerText()).toBe(`Activity IRI: ${CHAPTER_IRI}`);

    const chapters = (await server.api<{ chapters: { id: string; activityId: string | null }[] }>('GET', '/api/chapters', { token })).body.chapters;
    expect(chapters.find((c) => c.id === CHAPTER.id)?.activityId).toBe(CHAPTER_IRI);
    expect(chapters.find((c) => c.id === OTHER_CHAPTER.id)?.activityId).toBe(OTHER_CHAPTER.activityId);
    await checkPage(page, 'program');
  });
});

describe('the reader\'s page: learning records', () => {
  it('shows a statement sent with the page\'s credential, with the values the API returns', async () => {
    await page.goto(`/readers/${readerId}`);
    await waitForHeading(page, READER.name);
    const records = page.getByTestId('learning-records');
    const empty = records.getByTestId('statements-empty');
    await empty.waitFor();
    expect(await empty.innerText()).toContain(`mailto:${readerEmail}`);
    expect(await empty.getByRole('link', { name: 'LRS credential' }).getAttribute('href')).toBe('/lrs-credentials');
    await checkPage(page, 'reader-empty');

    const auth = basic(credential.key, credential.secret);
    // The mbox matches the reader's email whatever its case.
    const actor = { objectType: 'Agent', mbox: `mailto:${readerEmail.toUpperCase()}`, name: READER.name };
    const sent = await xapi('POST', '/statements', auth, [
      {
        actor,
        verb: { id: `${ADL}experienced` },
        object: { objectType: 'Activity', id: `${CHAPTER_IRI}/page-3` },
        context: { contextActivities: { parent: [{ id: CHAPTER_IRI }] } },
        timestamp: '2025-12-31T22:15:00.000Z',
      },
      {
        actor,
        verb: { id: `${ADL}completed`, display: { 'de-DE': 'abgeschlossen', 'en-US': 'completed' } },
        object: { objectType: 'Activity', id: CHAPTER_IRI, definition: { name: { 'en-US': CHAPTER.title } } },
        result: { score: { raw: 17, min: 0, max: 20 }, success: true, completion: true },
        timestamp: '2026-01-02T09:30:00.000Z',
      },
    ]);
    expect(sent.status, JSON.stringify(sent.body)).toBe(200);
    const [experiencedId, completedId] = sent.body as string[];

    const answer = await server.api<{ statements: { id: string; timestamp: string; verb: { id: string; display?: Record<string, string> }; object: { id: string; definition?: { name?: Record<string, string> } }; result?: { score?: { raw?: number; min?: number; max?: number; scaled?: number }; success?: boolean; completion?: boolean } }[]; nextCursor: string | null }>(
      'GET',
      `/api/readers/${readerId}/statements`,
      { token },
    );
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    expect(answer.body.statements.map((s) => s.id).sort()).toEqual([experiencedId, completedId].sort());

    await page.reload();
    await waitForHeading(page, READER.name);
    const rows = records.locator('li[data-statement-id]');
    await expect.poll(() => rows.count()).toBe(2);
    expect(await rows.evaluateAll((items) => items.map((item) => item.getAttribute('data-statement-id')))).toEqual(answer.body.statements.map((s) => s.id));

    for (const statement of answer.body.statements) {
      const row = records.locator(`li[data-statement-id="${statement.id}"]`);
      const verb = statement.verb.display?.['en-US'] ?? statement.verb.id.split('/').pop();
      const object = statement.object.definition?.name?.['en-US'] ?? statement.object.id;
      expect(await row.locator('[data-field="verb"]').innerText()).toBe(verb);
      expect(await row.locator('[data-field="object"]').innerText()).toBe(object);
      expect(await row.locator('time').getAttribute('datetime')).toBe(statement.timestamp);
      expect(await row.locator('time').innerText()).toContain(String(new Date(statement.timestamp).getUTCFullYear()));
      const score = statement.result?.score;
      if (score === undefined) {
        expect(await row.locator('[data-field="result"]').count()).toBe(0);
      } else {
        const percent = score.scaled !== undefined ? Math.round(score.scaled * 100) : Math.round((100 * (score.raw! - score.min!)) / (score.max! - score.min!));
        const parts = [`Score ${percent}%`, statement.result?.success ? 'Successful' : 'Not successful', statement.result?.completion ? 'Complete' : 'Incomplete'];
        expect(await row.locator('[data-field="result"]').innerText()).toBe(parts.join(' · '));
      }
    }
    const completedRow = records.locator(`li[data-statement-id="${completedId}"]`);
    expect(await completedRow.innerText()).toContain('Score 85%');

    // The completion on the chapter's IRI moved the chapter: completed with 85 (17 of 0..20), on
    // the API and in the page's progress list, beside the chapter's own title.
    const progress = await server.api<{ milestones: { chapterId: string; status: string; score: number | null }[] }>('GET', `/api/readers/${readerId}/progress`, { token });
    expect(progress.body.milestones.find((m) => m.chapterId === CHAPTER.id)).toEqual(expect.objectContaining({ status: 'completed', score: 85 }));
    const chapterRow = page.locator('li.progress-row').filter({ has: page.locator('.progress-title', { hasText: CHAPTER.title }) });
    await expect.poll(() => chapterRow.locator('.progress-state').innerText()).toContain('Score 85');
    expect(await chapterRow.locator('.badge').innerText()).toBe('Completed');
    expect(await records.locator(`li[data-statement-id="${experiencedId}"] [data-field="verb"]`).innerText()).toBe('experienced');
    await checkPage(page, 'reader-records');
  });
});

describe('deleting a credential in the page', () => {
  it('asks first, then the secret stops working at once', async () => {
    await openFromNav('LRS credentials', 'LRS credentials');
    const row = page.getByTestId('credential-list').getByRole('listitem').filter({ hasText: credential.key });
    await row.getByRole('button', { name: `Delete ${credential.name}` }).click();
    await row.getByText('stops reporting at once', { exact: false }).waitFor();
    await checkPage(page, 'credentials-confirm-delete');
    await row.getByRole('button', { name: 'Cancel' }).click();
    expect((await xapi('GET', '/statements', basic(credential.key, credential.secret))).status).toBe(200);

    await row.getByRole('button', { name: `Delete ${credential.name}` }).click();
    await row.getByRole('button', { name: 'Delete credential' }).click();
    await page.getByRole('status').filter({ hasText: `Deleted “${credential.name}”: its key no longer works.` }).waitFor();
    await page.getByText('No credentials yet.', { exact: false }).waitFor();
    expect((await xapi('GET', '/statements', basic(credential.key, credential.secret))).status).toBe(401);
    expect((await server.api<{ credentials: unknown[] }>('GET', '/api/lrs-credentials', { token })).body.credentials).toEqual([]);
  });

  it('axe-core finds nothing on the new pages at 1366 and 375 px; none scrolls sideways on a phone; no page error or CSP violation', () => {
    expect(axeFailures).toEqual([]);
    expect(Object.keys(sidewaysScroll).length).toBeGreaterThanOrEqual(6);
    expect(sidewaysScroll).toEqual(Object.fromEntries(Object.keys(sidewaysScroll).map((name) => [name, 0])));
    expect(problems.pageErrors).toEqual([]);
    expect(problems.cspViolations).toEqual([]);
  });
});
