import { attentionItemNotFound, chapterRulesApply, checkSweepLimit, claimRefused, releaseRefused, resolveRefused, decodeCursor, encodeCursor, mergeAttentionRules, type AttentionItem, type AttentionRules, type AttentionSweepResult, type Clock, type Page, type PageRequest, type AttentionPort, readerNotFound, type AttentionQuery } from '../domain/index.js';
import type { PostgresWriter, Sql } from './pg-sql.js';
import type { PostgresCohorts } from './postgres-cohorts.js';
import type { PostgresAccess } from './postgres-access.js';
import { milestoneReviews, returnReviews } from './attention-review-writes.js';
import { ATTENTION_ITEM_COLUMNS, attentionUserIds, NO_CHAPTER, toAttentionItems, USER_COLUMNS, type AttentionRow, type UserRow } from '../domain/storage/stored-rows.js';


const MINUTE_MS = 60_000;
const DAY_MS = 24 * 60 * MINUTE_MS;
const IN_COHORT =
  '(@cohort::bigint IS NULL OR EXISTS (SELECT 1 FROM cohort_members cm WHERE cm.cohort_id = @cohort::bigint AND cm.reader_id = attention_items.reader_id))';
const OPEN = `INSERT INTO attention_items (reader_id, reason, chapter_id, since, state, opened_at)
  VALUES (?, ?, ?, ?, 'open', ?) ON CONFLICT DO NOTHING RETURNING ${ATTENTION_ITEM_COLUMNS}`;

/** The attention queue on PostgreSQL, the same statements as SqliteAttention's. */
export class PostgresAttention implements AttentionPort {
  constructor(
    private readonly read: Sql,
    private readonly clock: Clock,
    private readonly write: PostgresWriter,
    private readonly cohorts: Pick<PostgresCohorts, 'filter'>,
    private readonly access: Pick<PostgresAccess, 'combinedWrite'>,
  ) {}

  getAttentionRules(): Promise<AttentionRules> {
    return this.readRules(this.read);
  }

  setAttentionRules(change: Partial<AttentionRules>): Promise<AttentionRules> {
    return this.write(async (sql) => {
      const rules = mergeAttentionRules(await this.readRules(sql), change);
      await sql.run('UPDATE attention_rules SET stuck_minutes = ?, inactive_days = ?, low_score = ? WHERE id = 1', [
        rules.stuckMinutes,
        rules.inactiveDays,
        rules.lowScore,
      ]);
      return rules;
    });
  }

  async listAttention(query: AttentionQuery & PageRequest): Promise<Page<AttentionItem>> {
    const cohort = await this.cohorts.filter(query.cohortId);
    const [since, id] = query.cursor === undefined ? [0, 0] : decodeCursor(query.cursor, 2);
    if (query.readerId !== undefined) {
      const found = await this.read.all(`SELECT 1 FROM users WHERE id = ? AND role = 'reader'`, [query.readerId]);
      if (found.length === 0) throw readerNotFound();
    }
    const rows = await this.read.all<AttentionRow>(
      `SELECT ${ATTENTION_ITEM_COLUMNS} FROM attention_items
       WHERE state = @state AND (since, id) > (@since, @id) AND ${IN_COHORT}
         AND (@reason::text IS NULL OR reason = @reason::text) AND (@reader::bigint IS NULL OR reader_id = @reader::bigint)
       ORDER BY since, id LIMIT @limit`,
      { state: query.state, since, id, cohort, reason: query.reason ?? null, reader: query.readerId ?? null, limit: query.limit + 1 },
    );
    const more = rows.length > query.limit;
    const shown = rows.slice(0, query.limit);
    const last = shown[shown.length - 1];
    return { items: await this.toItems(this.read, shown), nextCursor: more && last ? encodeCursor(last.since, last.id) : null };
  }

  async countAttention(cohortId?: number): Promise<{ open: number; claimed: number }> {
    const cohort = await this.cohorts.filter(cohortId);
    const rows = await this.read.all<{ state: string; n: number }>(
      `SELECT state, count(*) AS n FROM attention_items WHERE state <> 'resolved' AND ${IN_COHORT} GROUP BY state`,
      { cohort },
    );
    return { open: rows.find((r) => r.state === 'open')?.n ?? 0, claimed: rows.find((r) => r.state === 'claimed')?.n ?? 0 };
  }

  // A claim whose holder's account was deleted (claimed_by set null) is free to claim again.
  // Each change moves state only from the state it expects, so of two racing consultants exactly
  // one statement matches; the loser sees zero rows and the item as the winner left it.
  claimAttention(id: number, consultantId: number): Promise<AttentionItem> {
    const now = this.clock.now();
    return this.write(async (sql) => {
      const row = await sql.get<AttentionRow>(
        `UPDATE attention_items SET state = 'claimed', claimed_by = @by, claimed_at = @now
         WHERE id = @id AND (state = 'open' OR (state = 'claimed' AND claimed_by IS NULL)) RETURNING ${ATTENTION_ITEM_COLUMNS}`,
        { id, by: consultantId, now },
      );
      if (row) return (await this.toItems(sql, [row]))[0]!;
      return claimRefused(await this.itemNow(sql, id), consultantId);
    });
  }

  releaseAttention(id: number, consultantId: number): Promise<AttentionItem> {
    return this.write(async (sql) => {
      const row = await sql.get<AttentionRow>(
        `UPDATE attention_items SET state = 'open', claimed_by = NULL, claimed_at = NULL
         WHERE id = @id AND state = 'claimed' AND claimed_by = @by RETURNING ${ATTENTION_ITEM_COLUMNS}`,
        { id, by: consultantId },
      );
      if (row) return (await this.toItems(sql, [row]))[0]!;
      await this.itemNow(sql, id);
      return releaseRefused();
    });
  }

  resolveAttention(id: number, consultantId: number, note: string | null): Promise<AttentionItem> {
    const now = this.clock.now();
    return this.write(async (sql) => {
      const row = await sql.get<AttentionRow>(
        `UPDATE attention_items SET state = 'resolved', resolved_by = @by, resolved_at = @now, note = @note
         WHERE id = @id AND state <> 'resolved' AND (claimed_by IS NULL OR claimed_by = @by) RETURNING ${ATTENTION_ITEM_COLUMNS}`,
        { id, by: consultantId, now, note },
      );
      if (row) return (await this.toItems(sql, [row]))[0]!;
      return resolveRefused(await this.itemNow(sql, id));
    });
  }

  /** After a reader's milestone changed: opens a low-score item at once, resolves causes that went. */
  reviewMilestoneAttention(readerId: number, chapterId: string): Promise<AttentionItem[]> {
    // A combined write: a batch's reviews share their statements (attention-review-writes.ts).
    return this.access.combinedWrite(milestoneReviews, { readerId, chapterId, now: this.clock.now() });
  }

  /** A reader came back: their open inactivity item resolves. */
  reviewReturnAttention(readerId: number): Promise<AttentionItem[]> {
    // A combined write: readers coming back in one batch share one update (attention-review-writes.ts).
    return this.access.combinedWrite(returnReviews, { readerId, now: this.clock.now() });
  }

  async sweepAttention(limit: number): Promise<AttentionSweepResult> {
    checkSweepLimit(limit);
    const now = this.clock.now();
    return this.write(async (sql) => {
      const rules = await this.readRules(sql);
      const stuck = await this.sweepStuck(sql, now, now - rules.stuckMinutes * MINUTE_MS, limit);
      const inactive = await this.sweepInactive(sql, now, now - rules.inactiveDays * DAY_MS, limit);
      const returned = await this.sweepReturned(sql, now, limit);
      const rows = [...stuck.rows, ...inactive.rows, ...returned.rows];
      return { changed: await this.toItems(sql, rows), done: stuck.done && inactive.done && returned.done };
    });
  }

  private async sweepStuck(sql: Sql, now: number, cutoff: number, limit: number): Promise<{ rows: AttentionRow[]; done: boolean }> {
    const cursor = await this.cursor(sql, 'stuck');
    const found = await sql.all<{ id: number; user_id: number; chapter_id: string; updated_at: number; role: string; in_program: boolean }>(
      `SELECT m.id, m.user_id, m.chapter_id, m.updated_at, u.role,
              EXISTS (SELECT 1 FROM chapters c WHERE c.id = m.chapter_id) AS in_program
       FROM milestones m JOIN users u ON u.id = m.user_id
       WHERE m.status = 'stuck' AND (m.updated_at, m.id) > (@time, @id) AND m.updated_at <= @cutoff
       ORDER BY m.updated_at, m.id LIMIT @limit`,
      { ...cursor, cutoff, limit },
    );
    const rows: AttentionRow[] = [];
    for (const m of found) {
      if (!chapterRulesApply({ role: m.role, inProgram: m.in_program })) continue;
      const opened = await sql.get<AttentionRow>(OPEN, [m.user_id, 'stuck', m.chapter_id, m.updated_at, now]);
      if (opened) rows.push(opened);
    }
    const last = found[found.length - 1];
    if (last) await this.moveCursor(sql, 'stuck', last.updated_at, last.id);
    return { rows, done: found.length < limit };
  }

  private async sweepInactive(sql: Sql, now: number, cutoff: number, limit: number): Promise<{ rows: AttentionRow[]; done: boolean }> {
    const cursor = await this.cursor(sql, 'inactive');
    const found = await sql.all<{ id: number; last_active_at: number }>(
      `SELECT id, last_active_at FROM users
       WHERE role = 'reader' AND (last_active_at, id) > (@time, @id) AND last_active_at <= @cutoff
       ORDER BY last_active_at, id LIMIT @limit`,
      { ...cursor, cutoff, limit },
    );
    const rows: AttentionRow[] = [];
    for (const reader of found) {
      // Only readers who have started the program: someone who never began is not "inactive".
      if (!(await sql.get('SELECT 1 FROM milestones WHERE user_id = ? LIMIT 1', [reader.id]))) continue;
      const opened = await sql.get<AttentionRow>(OPEN, [reader.id, 'inactive', NO_CHAPTER, reader.last_active_at, now]);
      if (opened) rows.push(opened);
    }
    const last = found[found.length - 1];
    if (last) await this.moveCursor(sql, 'inactive', last.last_active_at, last.id);
    return { rows, done: found.length < limit };
  }

  /** Pages through open inactivity items, resolving those whose reader came back; wraps around. */
  private async sweepReturned(sql: Sql, now: number, limit: number): Promise<{ rows: AttentionRow[]; done: boolean }> {
    const { id: after } = await this.cursor(sql, 'returned');
    const found = await sql.all<{ id: number; since: number; last_active_at: number | null }>(
      `SELECT i.id, i.since, u.last_active_at FROM attention_items i JOIN users u ON u.id = i.reader_id
       WHERE i.reason = 'inactive' AND i.state <> 'resolved' AND i.id > ? ORDER BY i.id LIMIT ?`,
      [after, limit],
    );
    const rows: AttentionRow[] = [];
    for (const item of found) {
      if (item.last_active_at === null || item.last_active_at <= item.since) continue;
      const resolved = await sql.get<AttentionRow>(
        `UPDATE attention_items SET state = 'resolved', resolved_at = ?, resolved_by = NULL
         WHERE id = ? AND state <> 'resolved' RETURNING ${ATTENTION_ITEM_COLUMNS}`,
        [now, item.id],
      );
      if (resolved) rows.push(resolved);
    }
    const done = found.length < limit;
    await this.moveCursor(sql, 'returned', 0, done ? 0 : found[found.length - 1]!.id);
    return { rows, done };
  }

  private async cursor(sql: Sql, rule: 'stuck' | 'inactive' | 'returned'): Promise<{ time: number; id: number }> {
    const row = (await sql.get<{ cursor_time: number; cursor_id: number }>(
      'SELECT cursor_time, cursor_id FROM attention_sweep WHERE rule = ?',
      [rule],
    ))!;
    return { time: row.cursor_time, id: row.cursor_id };
  }

  private async moveCursor(sql: Sql, rule: string, time: number, id: number): Promise<void> {
    await sql.run('UPDATE attention_sweep SET cursor_time = ?, cursor_id = ? WHERE rule = ?', [time, id, rule]);
  }

  private async readRules(sql: Sql): Promise<AttentionRules> {
    const row = (await sql.get<{ stuck_minutes: number; inactive_days: number; low_score: number }>(
      'SELECT stuck_minutes, inactive_days, low_score FROM attention_rules WHERE id = 1',
    ))!;
    return { stuckMinutes: row.stuck_minutes, inactiveDays: row.inactive_days, lowScore: row.low_score };
  }

  private async itemNow(sql: Sql, id: number): Promise<AttentionItem> {
    const row = await sql.get<AttentionRow>(`SELECT ${ATTENTION_ITEM_COLUMNS} FROM attention_items WHERE id = ?`, [id]);
    if (!row) throw attentionItemNotFound();
    return (await this.toItems(sql, [row]))[0]!;
  }

  private async toItems(sql: Sql, rows: readonly AttentionRow[]): Promise<AttentionItem[]> {
    if (rows.length === 0) return [];
    return toAttentionItems(rows, await sql.all<UserRow>(`SELECT ${USER_COLUMNS} FROM users WHERE id = ANY (?::bigint[])`, [attentionUserIds(rows)]));
  }

}
