import type { AttentionItem, AttentionQuery, AttentionRules, AttentionSweepResult } from '../attention.js';
import type { Page, PageRequest } from '../page.js';

/**
 * The attention queue: its rules, its items, and the reviews and sweep that open and resolve them.
 * Methods throw AppError with the codes named in their comments; anything else is `internal`.
 */
export interface AttentionPort {
  /** The rules that open attention items. */
  getAttentionRules(): Promise<AttentionRules>;

  /** Changes some rules and returns them all. Throws `invalid_request` for a value out of range. */
  setAttentionRules(change: Partial<AttentionRules>): Promise<AttentionRules>;

  /**
   * Attention items in one state, oldest (by `since`) first, optionally only cohort `cohortId`'s
   * readers', one `reason` and one reader's (`readerId`). Throws `invalid_request` for a bad cursor,
   * `not_found` for an unknown cohort or a `readerId` that is no reader.
   */
  listAttention(query: AttentionQuery & PageRequest): Promise<Page<AttentionItem>>;

  /** How many items are open and claimed, optionally in one cohort. Throws `not_found` for an unknown cohort. */
  countAttention(cohortId?: number): Promise<{ open: number; claimed: number }>;

  /**
   * Claims an open item for a consultant; claiming one's own claim again returns it. Of two
   * consultants claiming at once exactly one wins. Throws `not_found`, and `conflict` when another
   * consultant holds it or it is resolved.
   */
  claimAttention(itemId: number, consultantId: number): Promise<AttentionItem>;

  /** Makes a claimed item open again. Throws `not_found`, and `forbidden` unless the consultant holds it. */
  releaseAttention(itemId: number, consultantId: number): Promise<AttentionItem>;

  /**
   * Resolves an item with an optional note. Throws `not_found`, and `conflict` when it is resolved
   * already or another consultant holds it.
   */
  resolveAttention(itemId: number, consultantId: number, note: string | null): Promise<AttentionItem>;

  /**
   * Re-reads a reader's milestone for `chapterId` after it changed: opens a `low_score` item at
   * once when the rules say so, and resolves the items whose cause went (the chapter is no longer
   * stuck, the score is back above the line, the reader is active). Returns the items it changed;
   * none for an unknown user or a consultant.
   */
  reviewMilestoneAttention(readerId: number, chapterId: string): Promise<AttentionItem[]>;

  /** A reader is active again: resolves their open `inactive` item. Returns the items it changed. */
  reviewReturnAttention(readerId: number): Promise<AttentionItem[]>;

  /**
   * One bounded run of the periodic rules: opens `stuck` and `inactive` items for what crossed a
   * threshold since the last run and resolves `inactive` items whose reader came back, reading at
   * most `limit` rows per rule. Throws `invalid_request` unless `limit` is 1..10,000.
   */
  sweepAttention(limit: number): Promise<AttentionSweepResult>;
}
