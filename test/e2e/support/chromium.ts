import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

/** Debian's Chromium unless READPULSE_CHROMIUM names another binary. */
export const CHROMIUM_PATH = process.env.READPULSE_CHROMIUM ?? '/usr/bin/chromium';

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/**
 * Throws (never skips) when there is no browser: in CI that is a broken pipeline, and locally
 * the suite cannot say anything without one.
 */
export function assertChromiumInstalled(): void {
  if (existsSync(CHROMIUM_PATH)) return;
  const where = process.env.READPULSE_CHROMIUM === undefined ? '' : ' (from READPULSE_CHROMIUM)';
  if (process.env.CI) {
    throw new Error(
      `The browser end-to-end tests need Chromium, but there is none at ${CHROMIUM_PATH}${where}. ` +
        'The CI image must install it before `npm run test:e2e`: ' +
        '`command -v chromium || (apt-get update && apt-get install -y chromium)`.',
    );
  }
  throw new Error(
    `No Chromium at ${CHROMIUM_PATH}${where}. Install it with \`apt-get install -y chromium\` ` +
      '(Debian/Ubuntu), or point READPULSE_CHROMIUM at a Chromium or Chrome binary, then run `npm run test:e2e` again.',
  );
}

export async function launchChromium(): Promise<Browser> {
  assertChromiumInstalled();
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
}
