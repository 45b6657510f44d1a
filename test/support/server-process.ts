import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { REPO_ROOT } from './build-server.js';
import { READPULSE_BIN, readpulseEnv } from './run-readpulse.js';

/** How a process ended: its exit code, or the signal that ended it. */
export interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** One real `readpulse serve` process. */
export interface ServerProcess {
  readonly child: ChildProcessWithoutNullStreams;
  /** The database file it serves. */
  readonly dbFile: string;
  /** The folder of `dbFile`. */
  readonly dir: string;
  /** `http://127.0.0.1:<port>`, as its "ReadPulse is listening" log line reports it. */
  readonly baseUrl: string;
  /** The environment it was started with (minus the runner's own), for CLI runs beside it. */
  readonly env: Record<string, string>;
  readonly exited: Promise<Exit>;
  /** Everything it wrote to stdout so far: its JSON log. */
  stdout(): string;
  stderr(): string;
  /** Sends `signal` (unless it has ended) and resolves with the exit; rejects if it still runs after `deadlineMs`. */
  stop(signal: NodeJS.Signals, deadlineMs?: number): Promise<Exit>;
  /** Resolves with the exit; rejects if it still runs after `deadlineMs`. `after` names the cause for the message. */
  waitForExit(deadlineMs: number, after?: string): Promise<Exit>;
}

export interface StartOptions {
  /** The database to serve; by default `readpulse.db` in a fresh temporary folder. */
  readonly dbFile?: string;
  /** Settings on top of PORT=0, HOST=127.0.0.1, READPULSE_DB and READPULSE_LOG_LEVEL=info. */
  readonly env?: Record<string, string>;
  /** How long to wait for the "ReadPulse is listening" line. */
  readonly listenTimeoutMs?: number;
}

/** The setting that turns the rate limits off, for suites whose load would trip them. */
export const NO_RATE_LIMITS: Readonly<Record<string, string>> = { READPULSE_RATE_LIMITS: 'off' };

/** Text that means a process contended for the SQLite lock and lost. */
export const LOCK_ERRORS = /SQLITE_BUSY|database is locked|SQLITE_LOCKED/i;

const LISTENING = 'ReadPulse is listening';

/** What this test file started: ended and removed by `cleanUp()`. */
const running = new Set<Pick<ServerProcess, 'child' | 'exited'>>();
const folders: string[] = [];

/** A fresh temporary folder, removed by `cleanUp()`. */
export function makeTempDir(prefix = 'readpulse-server-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  folders.push(dir);
  return dir;
}

/**
 * Starts `node bin/readpulse.js serve` on port 0 and resolves once its log says "ReadPulse is
 * listening", with the address from that line. If the process exits first or stays silent, it
 * is killed and the promise rejects with everything it wrote.
 */
export async function startServer(options: StartOptions = {}): Promise<ServerProcess> {
  const dbFile = options.dbFile ?? join(makeTempDir(), 'readpulse.db');
  const env = { PORT: '0', HOST: '127.0.0.1', READPULSE_DB: dbFile, READPULSE_LOG_LEVEL: 'info', ...options.env };
  const listenTimeoutMs = options.listenTimeoutMs ?? 15_000;
  const child = spawn(process.execPath, [READPULSE_BIN, 'serve'], { cwd: REPO_ROOT, env: readpulseEnv(env), stdio: 'pipe' });
  child.stdin.end();
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
  const exited = new Promise<Exit>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  running.add({ child, exited });

  const baseUrl = await new Promise<string>((resolve, reject) => {
    let settled = false;
    const settle = () => {
      settled = true;
      clearTimeout(timer);
      child.stdout.off('data', onData);
    };
    const fail = (why: string) => {
      if (settled) return;
      settle();
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      void exited.then(() => reject(new Error(`${why}\nstdout:\n${out}\nstderr:\n${err}`)));
    };
    const timer = setTimeout(() => fail(`The server did not log "${LISTENING}" within ${listenTimeoutMs / 1000} s.`), listenTimeoutMs);
    const onData = () => {
      const line = logLines(out).find((entry) => entry.msg === LISTENING && typeof entry.address === 'string');
      if (!line || settled) return;
      settle();
      resolve(String(line.address));
    };
    child.stdout.on('data', onData);
    child.once('error', (error) => fail(`The server did not start: ${error.message}`));
    void exited.then((exit) => fail(`The server exited (${exit.code ?? exit.signal}) before listening.`));
  });

  const server: ServerProcess = {
    child,
    dbFile,
    dir: dirname(dbFile),
    baseUrl,
    env,
    exited,
    stdout: () => out,
    stderr: () => err,
    stop(signal, deadlineMs = 10_000) {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return server.waitForExit(deadlineMs, signal);
    },
    async waitForExit(deadlineMs, after = 'a signal') {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          const tail = out.split('\n').slice(-8).join('\n');
          reject(new Error(`The server was still running ${deadlineMs} ms after ${after}. Last log lines:\n${tail}\n${err}`));
        }, deadlineMs);
      });
      try {
        return await Promise.race([exited, timeout]);
      } finally {
        clearTimeout(timer);
      }
    },
  };
  return server;
}

/**
 * For afterEach: kills (SIGKILL) every server this file started that still runs, waits for it to
 * end, and removes the temporary folders.
 */
export async function cleanUp(): Promise<void> {
  for (const server of [...running]) {
    running.delete(server);
    if (server.child.exitCode === null && server.child.signalCode === null) {
      server.child.kill('SIGKILL');
      await server.exited;
    }
  }
  for (const dir of folders.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/**
 * The complete JSON lines of a server's stdout (a partial last line is left out). A line that is
 * not JSON becomes `{ msg: line, notJson: true }`, or with `strict` throws.
 */
export function logLines(stdout: string, options: { strict?: boolean } = {}): Record<string, unknown>[] {
  return stdout
    .split('\n')
    .slice(0, -1)
    .filter((line) => line.trim() !== '')
    .map((line) => {
      try {
        return JSON.parse(line) as Record<string, unknown>;
      } catch {
        if (options.strict) throw new Error(`The server wrote a line that is not JSON: ${line}`);
        return { msg: line, notJson: true };
      }
    });
}

/** Resolves after `ms`. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
