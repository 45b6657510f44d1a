import { attentionItemNotFound, chapterRulesApply, checkSweepLimit, claimRefused, milestoneReviewPlan, releaseRefused, resolveRefused, decodeCursor, encodeCursor, mergeAttentionRules, type AttentionItem, type AttentionPort, type AttentionReason, type AttentionRules, type AttentionSweepResult, type Clock, type Page, type PageRequest, readerNotFound, type AttentionQuery } from '../domain/index.js';
import { prepareAttentionStatements, type AttentionRow, type AttentionStatements } from './attention-statements.js';
import type { Database } from './open-database.js';
import { attentionUserIds, NO_CHAPTER, toAttentionItems, type UserRow } from '../domain/storage/stored-rows.js';
import type { SqliteCohorts } from './sqlite-cohorts.js';
import type { SqliteWriter } from './sqlite-writer.js';

const MINUTE_MS = 60_000;
const DAY_MS = 24 * 60 * MINUTE_MS;

/** The attention queue on SQLite. */
export class SqliteAttention implements AttentionPort {
  private readonly sql: AttentionStatements;

  constructor(
    db: Database,
    private readonly clock: Clock,
    private readonly write: SqliteWriter,
    private readonly cohorts: Pick<SqliteCohorts, 'filter'>,
  ) {
    this.sql = prepareAttentionStatements(db);
  }

  async getAttentionRules(): Promise<AttentionRules> {
    return this.readRules();
  }

  setAttentionRules(change: Partial<AttentionRules>): Promise<AttentionRules> {
    return this.write(() => {
      const rules = mergeAttentionRules(this.readRules(), change);
      this.sql.setRules.run(rules.stuckMinutes, rules.inactiveDays, rules.lowScore);
      return rules;
    });
  }

  async listAttention(query: AttentionQuery & PageRequest): Promise<Page<AttentionItem>> {
    const cohort = this.cohorts.filter(query.cohortId);
    const [since, id] = query.cursor === undefined ? [0, 0] : decodeCursor(query.cursor, 2);
    if (query.readerId !== undefined && !this.sql.isReader.get(query.readerId)) throw readerNotFound();
    const rows = this.sql.page.all({
      state: query.state,
      since,
      id,
      cohort,
      reason: query.reason ?? null,
      reader: query.readerId ?? null,
      limit: query.limit + 1,
    }) as AttentionRow[];
    const more = rows.length > query.limit;
    const shown = rows.slice(0, query.limit);
    const last = shown[shown.length - 1];
    return { items: this.toItems(shown), nextCursor: more && last ? encodeCursor(last.since, last.id) : null };
  }

  async countAttention(cohortId?: number): Promise<{ open: number; claimed: number }> {
    const rows = this.sql.counts.all({ cohort: this.cohorts.filter(cohortId) }) as { state: string; n: number }[];
    return { open: rows.find((r) => r.state === 'open')?.n ?? 0, claimed: rows.find((r) => r.state === 'claimed')?.n ?? 0 };
  }

  claimAttention(id: number, consultantId: number): Promise<AttentionItem> {
    const now = this.clock.now();
    return this.write(() => {
      const row = this.sql.claim.get({ id, by: consultantId, now }) as AttentionRow | undefined;
      if (row) return this.toItems([row])[0]!;
      return claimRefused(this.itemNow(id), consultantId);
    });
  }

  releaseAttention(id: number, consultantId: number): Promise<AttentionItem> {
    return this.write(() => {
      const row = this.sql.release.get({ id, by: consultantId }) as AttentionRow | undefined;
      if (row) return this.toItems([row])[0]!;
      this.itemNow(id);
      return releaseRefused();
    });
  }

  resolveAttention(id: number, consultantId: number, note: string | null): Promise<AttentionItem> {
    const now = this.clock.now();
    return this.write(() => {
      const row = this.sql.resolve.get({ id, by: consultantId, now, note }) as AttentionRow | undefined;
      if (row) return this.toItems([row])[0]!;
      return resolveRefused(this.itemNow(id));
    });
  }

  /** After a reader's milestone changed: opens a low-score item at once, resolves causes that went. */
  reviewMilestoneAttention(readerId: number, chapterId: string): Promise<AttentionItem[]> {
    const now = this.clock.now();
    return this.write(() => this.reviewMilestoneInWrite(readerId, chapterId, now));
  }

  /** reviewMilestoneAttention's work, inside a write the caller runs (SqliteProgress.upsertReviewedMilestone). */
  reviewMilestoneInWrite(readerId: number, chapterId: string, now: number): AttentionItem[] {
    if (!this.sql.isReader.get(readerId)) return [];
    const milestone = this.sql.milestone.get(readerId, chapterId) as { status: string; score: number | null; updated_at: number } | undefined;
    const plan = milestoneReviewPlan(milestone, this.readRules(), this.sql.isProgramChapter.get(chapterId) === 1);
    const rows: AttentionRow[] = [];
    if (plan.resolveStuck) rows.push(...this.resolveCause(readerId, 'stuck', chapterId, now));
    if (plan.openLowScore) {
      const opened = this.sql.open.get(readerId, 'low_score', chapterId, milestone!.updated_at, now) as AttentionRow | undefined;
      if (opened) rows.push(opened);
    } else {
      rows.push(...this.resolveCause(readerId, 'low_score', chapterId, now));
    }
    rows.push(...this.resolveCause(readerId, 'inactive', NO_CHAPTER, now));
    return this.toItems(rows);
  }

  /** A reader came back: their open inactivity item resolves. */
  reviewReturnAttention(readerId: number): Promise<AttentionItem[]> {
    const now = this.clock.now();
    return this.write(() => this.toItems(this.resolveCause(readerId, 'inactive', NO_CHAPTER, now)));
  }

  async sweepAttention(limit: number): Promise<AttentionSweepResult> {
    checkSweepLimit(limit);
    const now = this.clock.now();
    return this.write(() => {
      const rules = this.readRules();
      const stuck = this.sweepStuck(now, now - rules.stuckMinutes * MINUTE_MS, limit);
      const inactive = this.sweepInactive(now, now - rules.inactiveDays * DAY_MS, limit);
      const returned = this.sweepReturned(now, limit);
      const rows = [...stuck.rows, ...inactive.rows, ...returned.rows];
      return { changed: this.toItems(rows), done: stuck.done && inactive.done && returned.done };
    });
  }

  private sweepStuck(now: number, cutoff: number, limit: number): { rows: AttentionRow[]; done: boolean } {
    const cursor = this.cursor('stuck');
    const found = this.sql.stuckCrossed.all({ ...cursor, cutoff, limit }) as {
      id: number;
      user_id: number;
      chapter_id: string;
      updated_at: number;
      role: string;
      in_program: number;
    }[];
    const rows: AttentionRow[] = [];
    for (const m of found) {
      if (!chapterRulesApply({ role: m.role, inProgram: m.in_program === 1 })) continue;
      const opened = this.sql.open.get(m.user_id, 'stuck', m.chapter_id, m.updated_at, now) as AttentionRow | undefined;
      if (opened) rows.push(opened);
    }
    const last = found[found.length - 1];
    if (last) this.sql.moveSweepCursor.run(last.updated_at, last.id, 'stuck');
    return { rows, done: found.length < limit };
  }

  private sweepInactive(now: number, cutoff: number, limit: number): { rows: AttentionRow[]; done: boolean } {
    const cursor = this.cursor('inactive');
    const found = this.sql.inactiveCrossed.all({ ...cursor, cutoff, limit }) as { id: number; last_active_at: number }[];
    const rows: AttentionRow[] = [];
    for (const reader of found) {
      // Only readers who have started the program: someone who never began is not "inactive".
      if (!this.sql.hasMilestones.get(reader.id)) continue;
      const opened = this.sql.open.get(reader.id, 'inactive', NO_CHAPTER, reader.last_active_at, now) as AttentionRow | undefined;
      if (opened) rows.push(opened);
    }
    const last = found[found.length - 1];
    if (last) this.sql.moveSweepCursor.run(last.last_active_at, last.id, 'inactive');
    return { rows, done: found.length < limit };
  }

  /** Pages through open inactivity items, resolving those whose reader came back; wraps around. */
  private sweepReturned(now: number, limit: number): { rows: AttentionRow[]; done: boolean } {
    const { id: after } = this.cursor('returned');
    const found = this.sql.liveInactive.all(after, limit) as { id: number; since: number; last_active_at: number | null }[];
    const rows: AttentionRow[] = [];
    for (const item of found) {
      if (item.last_active_at === null || item.last_active_at <= item.since) continue;
      const resolved = this.sql.resolveById.get(now, item.id) as AttentionRow | undefined;
      if (resolved) rows.push(resolved);
    }
    const done = found.length < limit;
    this.sql.moveSweepCursor.run(0, done ? 0 : found[found.length - 1]!.id, 'returned');
    return { rows, done };
  }

  private cursor(rule: 'stuck' | 'inactive' | 'returned'): { time: number; id: number } {
    const row = this.sql.sweepCursor.get(rule) as { cursor_time: number; cursor_id: number };
    return { time: row.cursor_time, id: row.cursor_id };
  }

  private resolveCause(readerId: number, reason: AttentionReason, chapterId: string, now: number): AttentionRow[] {
    return this.sql.resolveCause.all(now, readerId, reason, chapterId) as AttentionRow[];
  }

  private readRules(): AttentionRules {
    const row = this.sql.rules.get() as { stuck_minutes: number; inactive_days: number; low_score: number };
    return { stuckMinutes: row.stuck_minutes, inactiveDays: row.inactive_days, lowScore: row.low_score };
  }

  private itemNow(id: number): AttentionItem {
    const row = this.sql.byId.get(id) as AttentionRow | undefined;
    if (!row) throw attentionItemNotFound();
    return this.toItems([row])[0]!;
  }

  private toItems(rows: readonly AttentionRow[]): AttentionItem[] {
    if (rows.length === 0) return [];
    return toAttentionItems(rows, this.sql.usersByIds.all(JSON.stringify(attentionUserIds(rows))) as UserRow[]);
  }

}
