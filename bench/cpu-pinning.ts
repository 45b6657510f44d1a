import { execFileSync } from 'node:child_process';
import { availableParallelism } from 'node:os';

/** The core the server under test (and the ceiling server) runs on when there are two or more. */
export const SERVER_CPU = 0;
/** The core every wrk process runs on, so the load generator never competes with the server. */
export const LOAD_CPU = 1;

/**
 * The CPUs this process may use, read once at start: availableParallelism() follows the process's
 * own affinity, which pinSelfToLoadCore() narrows to one core.
 */
const PARALLELISM = availableParallelism();

/** Whether there are enough cores to keep the server and the load generator apart. */
export function canPin(): boolean {
  return PARALLELISM >= 2;
}

/** The cores the server may run on: its own when pinned, all of them otherwise. */
export function serverCores(): number[] {
  return canPin() ? [SERVER_CPU] : Array.from({ length: PARALLELISM }, (_, i) => i);
}

/** The command and arguments that run `command` on `cpu` (via taskset) when pinning is possible. */
export function pinnedCommand(
  cpu: number,
  command: string,
  args: readonly string[],
): { command: string; args: string[] } {
  return canPin()
    ? { command: 'taskset', args: ['-c', String(cpu), command, ...args] }
    : { command, args: [...args] };
}

/**
 * Pins the calling process (every thread) to the load core, next to wrk, so that the bench runner
 * (the live stream probe, the resource sampler) takes no CPU from the server. Returns whether it
 * did: false with one CPU or when taskset fails.
 */
export function pinSelfToLoadCore(): boolean {
  if (!canPin()) return false;
  try {
    execFileSync('taskset', ['-a', '-p', '-c', String(LOAD_CPU), String(process.pid)], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
