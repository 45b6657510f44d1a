import { AppError } from './app-error.js';
import type { User } from './user.js';

export const ATTENTION_REASONS = ['stuck', 'inactive', 'low_score'] as const;
export type AttentionReason = (typeof ATTENTION_REASONS)[number];
export const ATTENTION_STATES = ['open', 'claimed', 'resolved'] as const;
export type AttentionState = (typeof ATTENTION_STATES)[number];
export const MAX_ATTENTION_NOTE_LENGTH = 2000;

/** When the server opens an attention item; consultants change these. */
export interface AttentionRules {
  /** A chapter stuck this long opens a `stuck` item. */
  readonly stuckMinutes: number;
  /** A reader who has started the program and shows no activity this long opens `inactive`. */
  readonly inactiveDays: number;
  /** A completed chapter scored below this opens `low_score`. */
  readonly lowScore: number;
}

export const DEFAULT_ATTENTION_RULES: AttentionRules = Object.freeze({ stuckMinutes: 60, inactiveDays: 7, lowScore: 50 });

/** The allowed range of each rule, inclusive. */
export const ATTENTION_RULE_LIMITS = Object.freeze({
  stuckMinutes: [1, 525_600],
  inactiveDays: [1, 365],
  lowScore: [0, 100],
} as const);

/** Merges a change into the rules. Throws `invalid_request` when a value is out of range. */
export function mergeAttentionRules(current: AttentionRules, change: Partial<AttentionRules>): AttentionRules {
  const merged = { ...current, ...stripUndefined(change) };
  for (const key of Object.keys(ATTENTION_RULE_LIMITS) as (keyof AttentionRules)[]) {
    const [min, max] = ATTENTION_RULE_LIMITS[key];
    const value = merged[key];
    if (!Number.isSafeInteger(value) || value < min || value > max) {
      throw new AppError('invalid_request', `${key} must be a whole number from ${min} to ${max}.`);
    }
  }
  return merged;
}

function stripUndefined(change: Partial<AttentionRules>): Partial<AttentionRules> {
  return Object.fromEntries(Object.entries(change).filter(([, v]) => v !== undefined));
}

/** What GET /api/attention lists: one state, optionally narrowed to a cohort, a reason and one reader. */
export interface AttentionQuery {
  readonly state: AttentionState;
  readonly cohortId?: number | undefined;
  readonly reason?: AttentionReason | undefined;
  readonly readerId?: number | undefined;
}

/** A reader who needs a consultant, for one reason (and chapter, where the reason has one). */
export interface AttentionItem {
  readonly id: number;
  readonly reader: User;
  readonly reason: AttentionReason;
  readonly chapterId: string | null;
  /** Epoch milliseconds since which the cause holds (the milestone's or last activity's time). */
  readonly since: number;
  readonly state: AttentionState;
  readonly claimedBy: User | null;
  readonly claimedAt: number | null;
  /** Null when the item resolved by itself. */
  readonly resolvedBy: User | null;
  readonly resolvedAt: number | null;
  readonly note: string | null;
}

/** What one bounded sweep run did. */
export interface AttentionSweepResult {
  /** Items the run opened or resolved. */
  readonly changed: readonly AttentionItem[];
  /** True when the run found less than its limit of work, so nothing is left for now. */
  readonly done: boolean;
}

/** What the chapter rules (`stuck`, `low_score`) look at in one stored milestone. */
export interface ChapterRuleInput {
  /** The milestone's owner's role: only readers get items. */
  readonly role: string;
  /** Whether the chapter id is one of the program's chapters (GET /api/chapters). */
  readonly inProgram: boolean;
}

/**
 * Whether a milestone can open a chapter item at all: only a reader's, and only on a chapter of
 * the program. A milestone on any other chapter id is stored and shown, but opens nothing, so a
 * reader cannot fill the queue with chapters that do not exist.
 */
export function chapterRulesApply(milestone: ChapterRuleInput): boolean {
  return milestone.role === 'reader' && milestone.inProgram;
}
