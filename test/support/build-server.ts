import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isMainThread } from 'node:worker_threads';

/** The repository root: `bin/readpulse.js` runs `dist/` from here. */
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

const SOURCES = ['src', 'tsconfig.json', 'tsconfig.build.json', 'package.json'];
const OUTPUTS = ['dist/main.js', 'dist/sqlite/migrations'];
/** A lock older than this belongs to a build that died; it is taken over. */
const STALE_LOCK_MS = 120_000;
/** A run's build stamp is trusted this long (a guard against a later run reusing its pid). */
const STAMP_TTL_MS = 30 * 60_000;

const checkout = createHash('sha256').update(REPO_ROOT).digest('hex').slice(0, 12);
const LOCK = join(tmpdir(), `readpulse-build-server-${checkout}.lock`);
/** Holds the pid of the Vitest process whose run built `dist/` last. */
const STAMP = join(tmpdir(), `readpulse-build-server-${checkout}.built`);

/**
 * Vitest globalSetup: builds the server once per run (`npm run build:server`), before any test
 * file starts, so the process-level suites run the code under test and not an old `dist/`.
 */
export function setup(): void {
  withBuildLock(() => {
    buildServer();
    writeFileSync(STAMP, String(runPid()));
  });
}

/**
 * Builds the server unless this test run built it already or `dist/` is newer than every source
 * file. Safe to call from several test files at once: one builds, the others wait for it. Never
 * rebuilds twice in one run, so a file's tests never run against a `dist/` being rewritten.
 */
export function ensureServerBuilt(): void {
  withBuildLock(() => {
    if (builtByThisRun() || isBuildCurrent()) return;
    buildServer();
    writeFileSync(STAMP, String(runPid()));
  });
}

/** The pid of the Vitest main process: a forked worker's parent, else this process. */
function runPid(): number {
  return isMainThread && process.env.VITEST_POOL_ID !== undefined ? process.ppid : process.pid;
}

function builtByThisRun(): boolean {
  const stamp = statOrNull(STAMP);
  if (!stamp || Date.now() - stamp.mtimeMs > STAMP_TTL_MS) return false;
  return Number(readFileSync(STAMP, 'utf8')) === runPid();
}

function buildServer(): void {
  try {
    execFileSync(process.platform === 'win32' ? 'npm.cmd' : 'npm', ['run', 'build:server'], {
      cwd: REPO_ROOT,
      stdio: 'pipe',
      timeout: 120_000,
    });
  } catch (error) {
    const failed = error as { stdout?: Buffer; stderr?: Buffer; message: string };
    throw new Error(
      `npm run build:server failed:\n${failed.stdout?.toString() ?? ''}${failed.stderr?.toString() ?? failed.message}`,
    );
  }
}

function isBuildCurrent(): boolean {
  if (!OUTPUTS.every((path) => existsSync(join(REPO_ROOT, path)))) return false;
  const newestSource = Math.max(...SOURCES.map((path) => newestMtime(join(REPO_ROOT, path))));
  const oldestOutput = Math.min(...OUTPUTS.map((path) => statSync(join(REPO_ROOT, path)).mtimeMs));
  return newestSource <= oldestOutput;
}

function newestMtime(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(stat.mtimeMs, ...readdirSync(path).map((name) => newestMtime(join(path, name))));
}

/** One build at a time per checkout, across the worker processes of a test run. */
function withBuildLock(work: () => void): void {
  const lock = LOCK;
  const waitUntil = Date.now() + STALE_LOCK_MS + 30_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const age = Date.now() - (statOrNull(lock)?.mtimeMs ?? Date.now());
      if (age > STALE_LOCK_MS) rmSync(lock, { recursive: true, force: true });
      else if (Date.now() > waitUntil) throw new Error(`Gave up waiting for the build lock ${lock}.`);
      else sleepSync(100);
    }
  }
  try {
    work();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

function statOrNull(path: string) {
  try {
    return statSync(path);
  } catch {
    return null;
  }
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}
