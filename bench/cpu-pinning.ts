import { availableParallelism } from 'node:os';

/** The core the server under test (and the ceiling server) runs on when there are two or more. */
export const SERVER_CPU = 0;
/** The core every wrk process runs on, so the load generator never competes with the server. */
export const LOAD_CPU = 1;

/** Whether there are enough cores to keep the server and the load generator apart. */
export function canPin(): boolean {
  return availableParallelism() >= 2;
}

/** The cores the server may run on: its own when pinned, all of them otherwise. */
export function serverCores(): number[] {
  return canPin() ? [SERVER_CPU] : Array.from({ length: availableParallelism() }, (_, i) => i);
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
