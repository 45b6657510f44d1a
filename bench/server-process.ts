import { spawn, type ChildProcess } from 'node:child_process';
import { SERVER_CPU, pinnedCommand } from './cpu-pinning.js';

/** What the server wrote to stdout/stderr, tallied as it came. */
export interface ServerLogStats {
  lines: number;
  /** Lines mentioning SQLITE_BUSY (the write lock was not obtained in time). */
  sqliteBusy: number;
  /** pino JSON lines at level warn (40). */
  warnings: number;
  /** pino JSON lines at level error (50) or fatal (60). */
  errors: number;
  /** Lines that are not JSON (stack traces, stray console output), stderr included. */
  other: number;
  /** The first few distinct warning/error/other lines, shortened, for the report. */
  readonly samples: string[];
}

export interface ServerProcess {
  readonly name: string;
  readonly pid: number;
  readonly log: ServerLogStats;
  /** Exit code or signal once the process has ended, undefined while it runs. */
  exitStatus(): string | undefined;
  /** Sends SIGTERM, waits up to 10 s (then SIGKILL), and resolves with how it ended. */
  stop(): Promise<string>;
}

const MAX_SAMPLES = 8;

/**
 * Starts `command` pinned to the server core with stdout/stderr tallied, and resolves once
 * `ready(status)` is true for a GET of `readyUrl` (polled every 100 ms). Rejects if something
 * already answers there, or, after stopping the process, if it exits or is not ready in time.
 */
export async function startServerProcess(options: {
  readonly name: string;
  readonly command: string;
  readonly args: readonly string[];
  readonly env: NodeJS.ProcessEnv;
  readonly readyUrl: string;
  readonly ready: (status: number) => boolean;
  readonly timeoutMs?: number;
}): Promise<ServerProcess> {
  // Something else answering on the port would be measured instead of this process.
  const occupied = await fetch(options.readyUrl, { signal: AbortSignal.timeout(1000) }).then(
    () => true,
    () => false,
  );
  if (occupied) throw new Error(`something already answers at ${options.readyUrl}; choose another --port`);
  const { command, args } = pinnedCommand(SERVER_CPU, options.command, options.args);
  const child = spawn(command, args, { env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
  const log: ServerLogStats = { lines: 0, sqliteBusy: 0, warnings: 0, errors: 0, other: 0, samples: [] };
  tallyLines(child, log);
  let exit: string | undefined;
  const ended = new Promise<void>((resolve) => {
    child.on('exit', (code, signal) => {
      exit = code === null ? String(signal) : `exit ${code}`;
      resolve();
    });
    child.on('error', (error) => {
      exit = `failed to start: ${error.message}`;
      resolve();
    });
  });
  const server: ServerProcess = {
    name: options.name,
    pid: child.pid ?? -1,
    log,
    exitStatus: () => exit,
    async stop() {
      if (exit === undefined) {
        child.kill('SIGTERM');
        const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await ended;
        clearTimeout(killer);
      }
      return exit ?? 'unknown';
    },
  };
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  for (;;) {
    if (exit !== undefined) {
      throw new Error(`${options.name} ended before it was ready (${exit}): ${log.samples.join(' | ')}`);
    }
    if (Date.now() > deadline) {
      await server.stop();
      throw new Error(`${options.name} was not ready at ${options.readyUrl} in time`);
    }
    const status = await fetch(options.readyUrl, { signal: AbortSignal.timeout(1000) }).then(
      (response) => response.status,
      () => 0,
    );
    if (status !== 0 && options.ready(status)) return server;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function tallyLines(child: ChildProcess, log: ServerLogStats): void {
  const addSample = (text: string): void => {
    const short = text.length > 300 ? `${text.slice(0, 300)}...` : text;
    if (log.samples.length < MAX_SAMPLES && !log.samples.includes(short)) log.samples.push(short);
  };
  const onLine = (line: string): void => {
    if (line.trim() === '') return;
    log.lines++;
    if (line.includes('SQLITE_BUSY')) log.sqliteBusy++;
    let level: number | undefined;
    try {
      const parsed = JSON.parse(line) as { level?: unknown };
      if (typeof parsed.level === 'number') level = parsed.level;
    } catch {
      // Not a pino line; counted below as other output.
    }
    if (level === undefined) {
      log.other++;
      addSample(line);
    } else if (level >= 50) {
      log.errors++;
      addSample(line);
    } else if (level >= 40) {
      log.warnings++;
      addSample(line);
    }
  };
  for (const stream of [child.stdout, child.stderr]) {
    let pending = '';
    stream?.setEncoding('utf8').on('data', (chunk: string) => {
      const lines = (pending + chunk).split('\n');
      pending = lines.pop() ?? '';
      lines.forEach(onLine);
    });
    stream?.on('end', () => onLine(pending));
  }
}

/**
 * Extra node flags for the server under test, from BENCH_SERVER_NODE_ARGS (space-separated), e.g.
 * `--cpu-prof --cpu-prof-dir=prof` to profile it (such flags are refused in NODE_OPTIONS).
 */
export function serverNodeArgs(): string[] {
  return (process.env.BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean);
}
