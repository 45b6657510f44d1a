import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { REPO_ROOT } from '../../support/build-server.js';

/** Screenshots and other artifacts of the run (gitignored). */
export const ARTIFACTS_DIR = join(REPO_ROOT, 'test-results', 'e2e');

export const DESKTOP = { width: 1280, height: 800 } as const;
export const PHONE = { width: 375, height: 812 } as const;

/** What went wrong in the browser that no assertion looks at directly. */
export interface BrowserProblems {
  readonly pageErrors: string[];
  readonly cspViolations: string[];
}

export const problems: BrowserProblems = { pageErrors: [], cspViolations: [] };

/** A fresh browser profile (its own cookies) pointed at the server. */
export async function newContext(browser: Browser, baseURL: string): Promise<BrowserContext> {
  const context = await browser.newContext({ baseURL, viewport: DESKTOP, locale: 'en-GB', timezoneId: 'UTC' });
  context.setDefaultTimeout(15_000);
  context.setDefaultNavigationTimeout(20_000);
  context.on('page', watchPage);
  return context;
}

function watchPage(page: Page): void {
  page.on('pageerror', (error) => problems.pageErrors.push(`${page.url()}: ${error.message}`));
  page.on('console', (message) => {
    const text = message.text();
    if (/Content Security Policy|Refused to (load|execute|apply|connect)/i.test(text)) problems.cspViolations.push(`${page.url()}: ${text}`);
  });
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(ARTIFACTS_DIR, { recursive: true });
  const path = join(ARTIFACTS_DIR, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/** The page's one h1, once it says `name`. */
export async function waitForHeading(page: Page, name: string): Promise<void> {
  await page.getByRole('heading', { level: 1, name, exact: true }).waitFor({ state: 'visible' });
}

/** Fills the sign-in form by its labels and presses "Sign in". */
export async function signInThroughForm(page: Page, email: string, password: string): Promise<void> {
  await waitForHeading(page, 'Sign in to ReadPulse');
  await page.getByLabel('Email', { exact: true }).fill(email);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
}

/** The document's scroll width beside the viewport's: wider means content that only scrolls sideways. */
export async function measureWidth(page: Page): Promise<{ scrollWidth: number; viewport: number }> {
  return page.evaluate(() => {
    const { document, innerWidth } = globalThis as unknown as { document: { documentElement: { scrollWidth: number } }; innerWidth: number };
    return { scrollWidth: document.documentElement.scrollWidth, viewport: innerWidth };
  });
}
