import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '../../support/build-server.js';
import { READPULSE_BIN, readpulseEnv } from '../../support/run-readpulse.js';


export interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** One `readpulse serve` process. */
export interface ServerProcess {
  readonly child: ChildProcessWithoutNullStreams;
  readonly dbFile: string;
  readonly baseUrl: string;
  /** The environment it was started with (minus the runner's own), for CLI runs beside it. */
  readonly env: Record<string, string>;
  readonly exited: Promise<Exit>;
  /** Its JSON log so far. */
  stdout(): string;
  stderr(): string;
}

const running = new Set<ServerProcess>();
const folders: string[] = [];

/** A fresh temporary folder, removed by `cleanUp()`. */
export function makeTempDir(prefix = 'readpulse-reliability-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  folders.push(dir);
  return dir;
}

/** The settings every reliability server runs with: no rate limits, quiet but with request logs. */
export function serverEnv(dbFile: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    PORT: '0',
    HOST: '127.0.0.1',
    READPULSE_DB: dbFile,
    READPULSE_RATE_LIMITS: 'off',
    READPULSE_LOG_LEVEL: 'info',
    ...extra,
  };
}

/**
 * Starts `node bin/readpulse.js serve` on `dbFile` and resolves once its log says "ReadPulse is
 * listening", with the address from that line. Rejects if it exits first or stays silent 15 s.
 */
export async function startServer(dbFile: string, extraEnv: Record<string, string> = {}): Promise<ServerProcess> {
  const env = serverEnv(dbFile, extraEnv);
  const child = spawn(process.execPath, [READPULSE_BIN, 'serve'], { cwd: REPO_ROOT, env: readpulseEnv(env), stdio: 'pipe' });
  child.stdin.end();
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
  const exited = new Promise<Exit>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const partial = { child, dbFile, env, exited, stdout: () => out, stderr: () => err };
  running.add(partial as ServerProcess);

  const baseUrl = await new Promise<string>((resolve, reject) => {
    const fail = (why: string) => {
      clearTimeout(timer);
      child.stdout.off('data', onData);
      reject(new Error(`${why}\nstdout:\n${out}\nstderr:\n${err}`));
    };
    const timer = setTimeout(() => fail('The server did not log "ReadPulse is listening" within 15 s.'), 15_000);
    const onData = () => {
      const line = logLines(out).find((entry) => entry.msg === 'ReadPulse is listening');
      if (!line) return;
      clearTimeout(timer);
      child.stdout.off('data', onData);
      resolve(String(line.address));
    };
    child.stdout.on('data', onData);
    void exited.then((exit) => fail(`The server exited (${exit.code ?? exit.signal}) before listening.`));
  });
  const server: ServerProcess = { ...partial, baseUrl };
  running.delete(partial as ServerProcess);
  running.add(server);
  return server;
}

/** Sends `signal` and resolves with the exit, or rejects when it is still running after `ms`. */
export async function stopServer(server: ServerProcess, signal: NodeJS.Signals, ms = 10_000): Promise<Exit> {
  if (server.child.exitCode === null && server.child.signalCode === null) server.child.kill(signal);
  return waitForExit(server, ms, signal);
}

/** Resolves with the exit, or rejects when the process is still running after `ms`. */
export async function waitForExit(server: ServerProcess, ms: number, signal = 'a signal'): Promise<Exit> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const tail = server.stdout().split('\n').slice(-8).join('\n');
      reject(new Error(`The server was still running ${ms} ms after ${signal}. Last log lines:\n${tail}\n${server.stderr()}`));
    }, ms);
  });
  try {
    return await Promise.race([server.exited, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Kills every server this file started that still runs (SIGKILL) and removes the temp folders. */
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

/** The complete JSON lines of a server's stdout (a partial last line is left out). */
export function logLines(stdout: string): Record<string, unknown>[] {
  return stdout
    .split('\n')
    .slice(0, -1)
    .filter((line) => line.trim() !== '')
    .map((line) => {
      try {
        return JSON.parse(line) as Record<string, unknown>;
      } catch {
        return { msg: line, notJson: true };
      }
    });
}

/** Resolves after `ms`. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Text that means the process contended for the SQLite lock and lost. */
export const LOCK_ERRORS = /SQLITE_BUSY|database is locked|SQLITE_LOCKED/i;
