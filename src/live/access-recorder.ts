import { ACCESS_COALESCE_MS, type AccessKind, type AccessRecord, type Clock, type AccessLogPort } from '../domain/index.js';
import { PeriodicJob } from './periodic-job.js';

export interface AccessRecorderLog {
  error(obj: object, msg: string): void;
}

export interface AccessRecorderOptions {
  readonly store: Pick<AccessLogPort, 'recordAccess'>;
  readonly clock: Clock;
  readonly log: AccessRecorderLog;
  /** How often start() flushes what was recorded. */
  readonly flushIntervalMs: number;
  /** Records per write; a large export's thousands of readers become several short writes. */
  readonly batchSize?: number;
}

const DEFAULT_BATCH_SIZE = 500;

/**
 * The access log's write path, coalesced like the heartbeat: a consultant's read of a reader's
 * data is noted in memory (one entry per consultant, reader, kind and hour, keeping the latest
 * time) and written in batches every flush interval, so no read costs a write of its own.
 */
export class AccessRecorder {
  private pending = new Map<string, AccessRecord>();
  private inFlight: Promise<void> = Promise.resolve();
  private readonly job: PeriodicJob;

  constructor(private readonly options: AccessRecorderOptions) {
    this.job = new PeriodicJob({
      name: 'access log flush',
      intervalMs: options.flushIntervalMs,
      log: options.log,
      begin: () => ({ step: async () => (await this.flush(), { count: 0, done: true }) }),
    });
  }

  /** Views noted and not yet handed to the store. */
  get pendingCount(): number {
    return this.pending.size;
  }

  /** Notes that `consultantId` read `readerId`'s data of `kind` now. */
  record(consultantId: number, readerId: number, kind: AccessKind): void {
    const at = this.options.clock.now();
    const key = `${consultantId}:${readerId}:${kind}:${Math.floor(at / ACCESS_COALESCE_MS)}`;
    this.pending.set(key, { consultantId, readerId, kind, at });
  }

  /** Notes one view of `kind` by `consultantId` for each of many readers (an export). */
  recordMany(consultantId: number, readerIds: Iterable<number>, kind: AccessKind): void {
    for (const readerId of readerIds) this.record(consultantId, readerId, kind);
  }

  /**
   * Writes everything noted so far and resolves once it is committed (also what an earlier
   * flush still had in flight). Rejects with the store's error; those records are dropped.
   */
  flush(): Promise<void> {
    const records = [...this.pending.values()];
    this.pending = new Map();
    const size = this.options.batchSize ?? DEFAULT_BATCH_SIZE;
    const previous = this.inFlight;
    const writing = (async () => {
      await previous.catch(() => undefined);
      for (let i = 0; i < records.length; i += size) await this.options.store.recordAccess(records.slice(i, i + size));
    })();
    this.inFlight = writing;
    return writing;
  }

  /** Flushes every interval. */
  start(): void {
    this.job.start();
  }

  /** Stops the timer and writes what is pending. */
  async stop(): Promise<void> {
    await this.job.stop();
    await this.flush();
  }
}
