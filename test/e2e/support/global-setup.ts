import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { REPO_ROOT } from '../../support/build-server.js';
import { assertChromiumInstalled } from './chromium.js';
import { ARTIFACTS_DIR } from './pages.js';

/**
 * Vitest globalSetup of the e2e suite: fails at once without a browser, then builds the server
 * and the web app (`npm run build`) once, so every file drives the code under test; clears the
 * artifacts of the previous run (test-results/e2e/).
 */
export function setup(): void {
  assertChromiumInstalled();
  // Screenshots of an earlier run must not pass for this one's.
  rmSync(ARTIFACTS_DIR, { recursive: true, force: true });
  try {
    execFileSync(process.platform === 'win32' ? 'npm.cmd' : 'npm', ['run', 'build'], {
      cwd: REPO_ROOT,
      stdio: 'pipe',
      timeout: 180_000,
    });
  } catch (error) {
    const failed = error as { stdout?: Buffer; stderr?: Buffer; message: string };
    throw new Error(`npm run build failed:\n${failed.stdout?.toString() ?? ''}${failed.stderr?.toString() ?? failed.message}`);
  }
}
