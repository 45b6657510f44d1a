import type { ActivityEvent, AttentionItem, Milestone, User } from '../domain/index.js';
import { clusterStatements as sql } from './cluster-statements.js';
import type { Pool } from './open-pool.js';
import { toActivityEvent, toMilestone, toUser, type ActivityRow, type MilestoneRow, type UserRow } from '../domain/storage/stored-rows.js';
import type { Statement } from './statements.js';

/** A live event as the database numbered it (the same shape as live/'s LiveEvent). */
export interface StoredLiveEvent {
  readonly id: number;
  readonly event:
    | { readonly type: 'presence'; readonly reader: User; readonly online: boolean }
    | { readonly type: 'milestone'; readonly readerId: number; readonly milestone: Milestone }
    | { readonly type: 'activity'; readonly readerId: number; readonly event: ActivityEvent }
    | { readonly type: 'attention'; readonly readerId: number; readonly item: AttentionItem };
}

interface LiveEventRow {
  id: number;
  type: 'presence' | 'milestone' | 'activity' | 'attention';
  reader_id: number;
  body: string;
}

/** What instances share besides the Store: live events, presence, job turns, failed sign-ins. */
export class ClusterStore {
  constructor(private readonly pool: Pool) {}

  /** Up to `limit` live events with ids above `afterId`, in id order. */
  async liveEventsAfter(afterId: number, limit: number): Promise<StoredLiveEvent[]> {
    return (await this.query<LiveEventRow>(sql.liveEventsAfter, [afterId, limit])).map(toStoredLiveEvent);
  }

  /** The id to read after so that every event created after `since` (epoch ms) is read. */
  async liveEventsStart(since: number): Promise<number> {
    const [row] = await this.query<{ since: number }>(sql.liveEventsStart, [since]);
    return row?.since ?? 0;
  }

  /** Deletes up to `limit` live events created before `before`; returns how many. */
  async pruneLiveEvents(before: number, limit: number): Promise<number> {
    return (await this.pool.query({ ...sql.pruneLiveEvents, values: [before, limit] })).rowCount ?? 0;
  }

  /**
   * Records a reader coming online or going offline; the change that wins across instances
   * writes the one presence event. Going offline is not recorded when the database holds
   * activity of the reader's after `activeSince`.
   */
  async recordPresence(readerId: number, online: boolean, at: number, activeSince: number): Promise<void> {
    await this.query(sql.recordPresence, [readerId, online, at, activeSince]);
  }

  /** Whether this caller gets the job's turn: true for one caller per `intervalMs` across instances. */
  async claimJob(name: string, now: number, intervalMs: number): Promise<boolean> {
    return (await this.query(sql.claimJob, [name, now, intervalMs])).length === 1;
  }

  /**
   * Appends the live event of an attention item that was opened, claimed, released or resolved.
   * Unlike the other events it follows the item's own commit rather than sharing it: a crash in
   * between loses the event, never the item, which the attention page reads from the store.
   */
  async recordAttentionEvent(item: AttentionItem, at: number): Promise<void> {
    await this.query(sql.recordAttentionEvent, [item.reader.id, JSON.stringify(item), at]);
  }

  async recordLoginFailures(keys: readonly string[], at: number): Promise<void> {
    await this.query(sql.recordLoginFailures, [keys, at]);
  }

  /** Failures per key since `since`, with the time of the oldest one counted. */
  async loginFailures(keys: readonly string[], since: number): Promise<Map<string, { failures: number; oldest: number }>> {
    const rows = await this.query<{ throttle_key: string; failures: number; oldest: number }>(sql.loginFailures, [keys, since]);
    return new Map(rows.map((row) => [row.throttle_key, { failures: row.failures, oldest: row.oldest }]));
  }

  async clearLoginFailures(key: string): Promise<void> {
    await this.query(sql.clearLoginFailures, [key]);
  }

  /** Deletes failed sign-ins at or before `before`; returns how many. */
  async pruneLoginFailures(before: number): Promise<number> {
    return (await this.pool.query({ ...sql.pruneLoginFailures, values: [before] })).rowCount ?? 0;
  }

  /** Announces a revocation by id; answers how many instances were listening to hear it. */
  async announceRevocation(id: string): Promise<number> {
    const [row] = await this.query<{ listeners: number }>(sql.announceRevocation, [id]);
    return row?.listeners ?? 0;
  }

  /** Tells the instance that announced a revocation that this one has forgotten its sessions. */
  async acknowledgeRevocation(id: string): Promise<void> {
    await this.query(sql.acknowledgeRevocation, [id]);
  }

  private async query<R>(statement: Statement, values: readonly unknown[]): Promise<R[]> {
    return (await this.pool.query<R & object>({ ...statement, values: [...values] })).rows;
  }
}

function toStoredLiveEvent(row: LiveEventRow): StoredLiveEvent {
  const body = JSON.parse(row.body) as Record<string, unknown>;
  switch (row.type) {
    case 'presence':
      return { id: row.id, event: { type: 'presence', reader: toUser(body as unknown as UserRow), online: body.online === true } };
    case 'milestone':
      return { id: row.id, event: { type: 'milestone', readerId: row.reader_id, milestone: toMilestone(body as unknown as MilestoneRow) } };
    case 'activity':
      return { id: row.id, event: { type: 'activity', readerId: row.reader_id, event: toActivityEvent(body as unknown as ActivityRow) } };
    case 'attention':
      // Stored in the domain's own shape (recordAttentionEvent), so it needs no row conversion.
      return { id: row.id, event: { type: 'attention', readerId: row.reader_id, item: body as unknown as AttentionItem } };
  }
}
