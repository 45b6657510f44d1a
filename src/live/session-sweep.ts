import type { SessionsPort } from '../domain/index.js';
import { PeriodicJob } from './periodic-job.js';

export interface SessionSweepLog {
  info(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface SessionSweepOptions {
  readonly sessions: Pick<SessionsPort, 'deleteExpiredSessions'>;
  readonly clock: { now(): number };
  readonly idleTimeoutMs: number;
  readonly log: SessionSweepLog;
  readonly intervalMs: number;
  /** With several instances: one of them sweeps per interval. */
  readonly claimTurn?: (intervalMs: number) => Promise<boolean>;
}

/** Removes expired sessions every interval. They are refused already; this only keeps the table from growing. */
export function sessionSweep(options: SessionSweepOptions): PeriodicJob {
  return new PeriodicJob({
    name: 'expired-session cleanup',
    intervalMs: options.intervalMs,
    log: options.log,
    ...(options.claimTurn ? { claimTurn: options.claimTurn } : {}),
    begin: () => ({
      step: async () => ({ count: await options.sessions.deleteExpiredSessions(options.clock.now(), options.idleTimeoutMs), done: true }),
      finish: (removed) => {
        if (removed > 0) options.log.info({ removed }, 'expired sessions removed');
      },
    }),
  });
}
