import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';

const AXE_SCRIPT = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
let axeSource: string | undefined;

interface AxeNode {
  readonly target: readonly unknown[];
  readonly html: string;
  readonly failureSummary?: string;
}

export interface AxeViolation {
  readonly id: string;
  readonly impact: 'minor' | 'moderate' | 'serious' | 'critical' | null;
  readonly help: string;
  readonly helpUrl: string;
  readonly nodes: readonly AxeNode[];
}

/**
 * Puts axe-core into the page. `addScriptTag` adds an inline <script>, which the app's CSP
 * (`script-src 'self'`) rightly blocks; evaluating the source through the DevTools protocol is
 * not subject to the page's CSP, so the app is checked under its real policy.
 */
async function injectAxe(page: Page): Promise<void> {
  if (await page.evaluate('typeof axe === "object"')) return;
  axeSource ??= readFileSync(AXE_SCRIPT, 'utf8');
  await page.evaluate(axeSource);
  if (!(await page.evaluate('typeof axe === "object"'))) throw new Error(`Could not load ${AXE_SCRIPT} into ${page.url()}.`);
}

/** Runs axe-core on the page as it is now; every violation, of any impact. */
export async function runAxe(page: Page): Promise<AxeViolation[]> {
  await injectAxe(page);
  return page.evaluate(async () => {
    const { axe, document } = globalThis as unknown as {
      axe: { run(context: unknown, options: unknown): Promise<{ violations: AxeViolation[] }> };
      document: unknown;
    };
    const results = await axe.run(document, { resultTypes: ['violations'] });
    return results.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      helpUrl: v.helpUrl,
      nodes: v.nodes.map((n) => ({ target: n.target, html: n.html, failureSummary: n.failureSummary })),
    }));
  });
}

export function describeViolations(pageName: string, violations: readonly AxeViolation[]): string {
  return violations
    .map(
      (v) =>
        `[${pageName}] ${v.impact ?? 'unknown'} ${v.id}: ${v.help} (${v.helpUrl})\n` +
        v.nodes.map((n) => `    ${JSON.stringify(n.target)} ${n.html}\n      ${(n.failureSummary ?? '').replace(/\n/g, '\n      ')}`).join('\n'),
    )
    .join('\n');
}

/** Every page checked in this run, for the summary printed at the end of the file. */
export const axeLog: { page: string; violations: AxeViolation[] }[] = [];

/**
 * Runs axe and returns a failure message naming every serious or critical violation ('' when
 * there is none); minor and moderate ones are logged, not failed.
 */
export async function seriousViolations(page: Page, pageName: string): Promise<string> {
  const violations = await runAxe(page);
  axeLog.push({ page: pageName, violations });
  const serious = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  if (serious.length > 0) {
    const message = describeViolations(pageName, serious);
    console.error(`axe-core found serious/critical violations:\n${message}`);
    return message;
  }
  return '';
}

export function axeSummary(): string {
  return axeLog
    .map(({ page, violations }) =>
      violations.length === 0
        ? `  ${page}: no violations`
        : `  ${page}: ${violations.map((v) => `${v.impact ?? '?'} ${v.id} (${v.nodes.length})`).join(', ')}`,
    )
    .join('\n');
}
