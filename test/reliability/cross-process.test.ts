import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/domain/index.js';
import { openSqliteStore } from '../../src/sqlite/sqlite-store.js';
import { REPO_ROOT } from '../support/build-server.js';
import { runReadpulse, type CommandResult } from '../support/run-readpulse.js';
import { cleanUp, LOCK_ERRORS, makeTempDir, NO_RATE_LIMITS, sleep, startServer } from '../support/server-process.js';
import { seedReaders } from './support/seed-readers.js';
import { milestoneProblems, missingEvents, readStoredState } from './support/stored-state.js';
import { WriteLoad } from './support/write-load.js';

const FIXTURE = join(REPO_ROOT, 'test', 'reliability', 'fixtures', 'create-chapters.ts');
const CHAPTERS_PER_PROCESS = 200;

const children = new Set<ChildProcessWithoutNullStreams>();

afterEach(async () => {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
  children.clear();
  await cleanUp();
});

describe('concurrency across processes', () => {
  it('CLI user create, backup and migrate beside a loaded server all succeed, with no failed request and no lock error', async () => {
    const dir = makeTempDir();
    const dbFile = join(dir, 'readpulse.db');
    const readers = await seedReaders(dbFile, 30);
    const server = await startServer({ dbFile, env: NO_RATE_LIMITS });
    const load = new WriteLoad({ baseUrl: server.baseUrl, readers, writers: 50, listReaders: 4, stopOnConnectionError: false }).start();
    await sleep(500);

    const cliEnv = { ...server.env, READPULSE_LOG_LEVEL: 'silent' };
    const runs: { label: string; result: CommandResult }[] = [];
    const password = 'cli-made-password-1';
    for (let round = 1; round <= 3; round++) {
      // The three commands of a round run at once, beside the server's writes.
      const backupFile = join(dir, `backup-${round}.db`);
      const results = await Promise.all([
        runReadpulse(['user', 'create', '--email', `cli-${round}@reliability.readpulse.test`, '--role', round === 2 ? 'consultant' : 'reader'], {
          ...cliEnv,
          READPULSE_PASSWORD: password,
        }, { timeoutMs: 30_000 }),
        runReadpulse(['backup', backupFile], cliEnv, { timeoutMs: 30_000 }),
        runReadpulse(['migrate'], cliEnv, { timeoutMs: 30_000 }),
      ]);
      runs.push(
        { label: `round ${round}: user create`, result: results[0] },
        { label: `round ${round}: backup`, result: results[1] },
        { label: `round ${round}: migrate`, result: results[2] },
      );
      expect(existsSync(backupFile)).toBe(true);
    }
    await sleep(300);
    const figures = await load.stop();
    console.info(`load beside the CLI: ${JSON.stringify(figures)}`);

    for (const { label, result } of runs) {
      expect(result, `${label} exits 0 (stderr: ${result.stderr})`).toMatchObject({ code: 0, signal: null });
      expect(result.stderr, `${label} stderr`).not.toMatch(LOCK_ERRORS);
    }
    expect(figures.failures, 'requests answered with an unexpected status or error').toEqual([]);
    expect(figures.connectionErrors).toEqual({});
    expect(Object.keys(figures.statuses).sort(), 'every request answered 200/201 (no 503 either)').toEqual(['200', '201']);

    for (let round = 1; round <= 3; round++) {
      const login = await fetch(`${server.baseUrl}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: `cli-${round}@reliability.readpulse.test`, password }),
      });
      expect(login.status, `the user made by round ${round} signs in`).toBe(200);
    }
    expect(server.stdout() + server.stderr(), 'the server log').not.toMatch(LOCK_ERRORS);

    expect((await server.stop('SIGTERM')).code).toBe(0);
    const state = readStoredState(dbFile);
    expect(state.integrity).toEqual(['ok']);
    expect(missingEvents(state, load.events)).toEqual([]);
    expect(milestoneProblems(state, load.milestones.values())).toEqual([]);
  });

  it(`two processes each creating ${CHAPTERS_PER_PROCESS} chapters at once (position = max + 1) leave positions exactly 1..${2 * CHAPTERS_PER_PROCESS}`, async () => {
    const dir = makeTempDir();
    const dbFile = join(dir, 'readpulse.db');
    await openSqliteStore({ path: dbFile, clock: systemClock }).operations.close();

    const writers = ['alpha', 'beta'].map((prefix) => startChapterWriter(dbFile, prefix));
    await Promise.all(writers.map((writer) => writer.ready));
    for (const writer of writers) writer.child.stdin.end('go\n');
    const results = await Promise.all(writers.map((writer) => writer.done));

    for (const result of results) {
      expect(result.stderr).not.toMatch(LOCK_ERRORS);
      expect(result.report?.errors ?? result.stdout, `a writer failed: ${result.stderr}`).toEqual([]);
      expect(result.code).toBe(0);
      expect(result.report?.created).toHaveLength(CHAPTERS_PER_PROCESS);
    }
    const state = readStoredState(dbFile);
    expect(state.integrity).toEqual(['ok']);
    expect(state.chapters).toHaveLength(2 * CHAPTERS_PER_PROCESS);
    expect(state.chapters.map((chapter) => chapter.position)).toEqual(Array.from({ length: 2 * CHAPTERS_PER_PROCESS }, (_, i) => i + 1));
    // The two really interleaved (not one block after the other), or this proves nothing.
    const owners = state.chapters.map((chapter) => chapter.id.split('-')[0]);
    const switches = owners.filter((owner, i) => i > 0 && owner !== owners[i - 1]).length;
    console.info(`chapter writers: the writer changed ${switches} times along positions 1..${owners.length}`);
    expect(switches).toBeGreaterThanOrEqual(10);
  });
});

interface ChapterWriter {
  readonly child: ChildProcessWithoutNullStreams;
  readonly ready: Promise<void>;
  readonly done: Promise<{ code: number | null; stdout: string; stderr: string; report: { created: number[]; errors: string[] } | undefined }>;
}

/** `npx tsx fixtures/create-chapters.ts DB PREFIX COUNT`, waiting for "go" once it says "ready". */
function startChapterWriter(dbFile: string, prefix: string): ChapterWriter {
  const child = spawn('npx', ['tsx', FIXTURE, dbFile, prefix, String(CHAPTERS_PER_PROCESS)], { cwd: REPO_ROOT, stdio: 'pipe' });
  children.add(child);
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const ready = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${prefix} writer not ready in 30 s: ${stderr}`)), 30_000);
    child.stdout.on('data', () => {
      if (stdout.includes('ready\n')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', () => {
      clearTimeout(timer);
      reject(new Error(`${prefix} writer exited before ready: ${stderr}`));
    });
  });
  const done = new Promise<Awaited<ChapterWriter['done']>>((resolve) => {
    child.once('close', (code) => {
      const last = stdout.trim().split('\n').at(-1) ?? '';
      let report: { created: number[]; errors: string[] } | undefined;
      try {
        report = JSON.parse(last) as typeof report;
      } catch {
        report = undefined;
      }
      resolve({ code, stdout, stderr, report });
    });
  });
  return { child, ready, done };
}
