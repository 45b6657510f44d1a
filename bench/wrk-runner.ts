import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { LOAD_CPU, pinnedCommand } from './cpu-pinning.js';

/** The modes of bench/lua/readpulse.lua, one endpoint each. */
export type WrkMode = 'activity' | 'milestone' | 'live' | 'progress';

export interface WrkRun {
  /** Base URL, e.g. http://127.0.0.1:18080. */
  readonly url: string;
  readonly mode: WrkMode;
  readonly connections: number;
  readonly durationSeconds: number;
  /** KEY=VALUE arguments for the script (readers=FILE, consultants=FILE, chapters=N). */
  readonly scriptArgs: Readonly<Record<string, string | number>>;
}

/** What the script's done() hook prints; times in microseconds. */
export interface WrkResult {
  readonly durationUs: number;
  readonly requests: number;
  readonly bytes: number;
  readonly errors: {
    readonly connect: number;
    readonly read: number;
    readonly write: number;
    /** Responses with status > 399, as wrk counts them. */
    readonly status: number;
    readonly timeout: number;
  };
  readonly latencyUs: {
    readonly min: number;
    readonly max: number;
    readonly mean: number;
    readonly stdev: number;
    /** Keyed "50", "90", "95", "99", "99.9". */
    readonly percentiles: Readonly<Record<string, number>>;
  };
  /** Response count per HTTP status, keyed by the status code. */
  readonly statuses: Readonly<Record<string, number>>;
}

const SCRIPT = fileURLToPath(new URL('./lua/readpulse.lua', import.meta.url));
/** Long enough that slow responses show up in the latency tail instead of as timeouts. */
const REQUEST_TIMEOUT = '10s';
const RESULT_PREFIX = 'WRK_JSON ';

/**
 * Runs one wrk process (one thread, pinned to the load core) for the run's duration and returns
 * the script's summary. Rejects if wrk fails, hangs well past its duration, or prints no summary.
 */
export function runWrk(run: WrkRun): Promise<WrkResult> {
  const scriptArgs = Object.entries(run.scriptArgs).map(([key, value]) => `${key}=${value}`);
  const { command, args } = pinnedCommand(LOAD_CPU, 'wrk', [
    '--threads', '1',
    '--connections', String(run.connections),
    '--duration', `${run.durationSeconds}s`,
    '--timeout', REQUEST_TIMEOUT,
    '--script', SCRIPT,
    run.url,
    '--', run.mode, ...scriptArgs,
  ]);
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const watchdog = setTimeout(() => child.kill('SIGKILL'), (run.durationSeconds + 30) * 1000);
    child.on('error', (error) => {
      clearTimeout(watchdog);
      reject(new Error(`cannot run wrk: ${error.message}`));
    });
    child.on('close', (code, signal) => {
      clearTimeout(watchdog);
      const line = stdout.split('\n').find((l) => l.startsWith(RESULT_PREFIX));
      if (code !== 0 || line === undefined) {
        const output = `${stdout}${stderr}`.trim();
        reject(new Error(`wrk ${run.mode} failed (exit ${code ?? signal}): ${output}`));
        return;
      }
      resolve(JSON.parse(line.slice(RESULT_PREFIX.length)) as WrkResult);
    });
  });
}
