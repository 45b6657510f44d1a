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
  tick: number;
  first_event: number;
  xid: string;
  part: number;
  row_id: number;
  type: 'presence' | 'milestone' | 'activity' | 'attention' | 'forgotten';
  reader_id: number;
  body: string;
}

/**
 * Where a reader of live events stands: inside tick `tick`, after the event row (`xid`, `part`,
 * `rowId`) (`xid` null once the tick is read to its end), whose id was `lastId`.
 */
export interface LiveEventCursor {
  readonly tick: number;
  readonly xid: string | null;
  readonly part: number;
  readonly rowId: number;
  readonly lastId: number;
}

/** A page of live events after a cursor: the events (blanked ones left out) and the cursor after them. */
export interface LiveEventPage {
  readonly events: StoredLiveEvent[];
  readonly cursor: LiveEventCursor;
  /** Rows read, blanked ones included: fewer than the limit means the reader is up to date. */
  readonly rows: number;
}

/** A reader coming online or going offline, as an instance saw it at `at`. */
export interface PresenceChange {
  readonly readerId: number;
  readonly online: boolean;
  readonly at: number;
  /** Going offline is not recorded when the database holds activity of the reader's after this. */
  readonly activeSince: number;
}

/** What instances share besides the Store: live events, presence, job turns, failed sign-ins. */
export class ClusterStore {
  constructor(private readonly pool: Pool) {}

  /**
   * Up to `limit` live events after `cursor`, tick by tick (migration 008): every instance reads
   * the same ticks in the same order and numbers each tick's events from its first id, so the
   * ids agree everywhere. Events of a deleted reader keep their ids but are not returned.
   */
  async liveEventsAfter(cursor: LiveEventCursor, limit: number): Promise<LiveEventPage> {
    const rows = await this.query<LiveEventRow>(sql.liveEventsAfter, [cursor.tick, cursor.xid, cursor.part, cursor.rowId, limit]);
    const events: StoredLiveEvent[] = [];
    let { tick, xid, part, rowId, lastId } = cursor;
    for (const row of rows) {
      const id = row.tick === tick ? lastId + 1 : row.first_event;
      ({ tick, xid, part, rowId, lastId } = { tick: row.tick, xid: row.xid, part: row.part, rowId: row.row_id, lastId: id });
      if (row.type !== 'forgotten') events.push(toStoredLiveEvent(id, row));
    }
    return { events, cursor: { tick, xid, part, rowId, lastId }, rows: rows.length };
  }

  /**
   * The cursor from which every event of a tick recorded in the last `windowMs` is read (or,
   * when none is, only what comes next).
   */
  async liveEventsStart(windowMs: number): Promise<LiveEventCursor> {
    const [first] = await this.query<{ id: number; last_event: number }>(sql.liveEventsStart, [windowMs]);
    if (first) return { tick: first.id, xid: null, part: 0, rowId: 0, lastId: first.last_event };
    const [last] = await this.query<{ id: number; first_event: number; events: number }>(sql.lastTick, []);
    if (!last) throw new Error('live_ticks is empty: the database was not migrated by this version');
    return { tick: last.id, xid: null, part: 0, rowId: 0, lastId: last.first_event + last.events - 1 };
  }

  /**
   * Records the next tick if the last is at least `intervalMs` old (by the database's clock) and
   * something committed since; at most one instance at a time gets the turn. Returns its id.
   */
  async tick(intervalMs: number): Promise<number | null> {
    const [row] = await this.query<{ tick: number | null }>(sql.liveTick, [intervalMs]);
    return row?.tick ?? null;
  }

  /**
   * Deletes the events and ticks older than the first tick recorded in the last `keepMs` (the
   * newest tick always stays); returns how many events went. At most `limit` per statement.
   */
  async pruneLiveEvents(keepMs: number, limit: number): Promise<number> {
    const [kept] = await this.query<{ id: number | null }>(sql.firstKeptTick, [keepMs]);
    if (kept?.id === null || kept === undefined) return 0;
    let total = 0;
    for (;;) {
      const deleted = (await this.pool.query({ ...sql.pruneLiveEvents, values: [kept.id, limit] })).rowCount ?? 0;
      total += deleted;
      if (deleted < limit) break;
    }
    await this.pool.query({ ...sql.pruneLiveTicks, values: [kept.id] });
    return total;
  }

  /**
   * Records readers coming online or going offline, in one statement (one change per reader);
   * the change that wins across instances writes the one presence event. Going offline is not
   * recorded when the database holds activity of the reader's after the change's `activeSince`.
   */
  async recordPresence(changes: readonly PresenceChange[]): Promise<void> {
    await this.query(sql.recordPresence, [
      changes.map((c) => c.readerId),
      changes.map((c) => c.online),
      changes.map((c) => c.at),
      changes.map((c) => c.activeSince),
    ]);
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

function toStoredLiveEvent(id: number, row: LiveEventRow): StoredLiveEvent {
  const body = JSON.parse(row.body) as Record<string, unknown>;
  switch (row.type) {
    case 'presence':
      return { id, event: { type: 'presence', reader: toUser(body as unknown as UserRow), online: body.online === true } };
    case 'milestone':
      return { id, event: { type: 'milestone', readerId: row.reader_id, milestone: toMilestone(body as unknown as MilestoneRow) } };
    case 'activity':
      return { id, event: { type: 'activity', readerId: row.reader_id, event: toActivityEvent(body as unknown as ActivityRow) } };
    case 'attention':
    case 'forgotten':
      // Stored in the domain's own shape (recordAttentionEvent), so it needs no row conversion.
      return { id, event: { type: 'attention', readerId: row.reader_id, item: body as unknown as AttentionItem } };
  }
}
