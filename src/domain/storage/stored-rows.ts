import type { ActivityEvent, ActivityMetadata, Milestone, MilestoneStatus } from '../progress.js';
import type { AccessKind, AccessLogEntry } from '../access-log.js';
import type { AttentionItem, AttentionReason, AttentionState } from '../attention.js';
import type { Chapter } from '../chapter.js';
import type { Cohort } from '../cohort.js';
import type { ActivityExportRow, ProgressExportRow } from '../data-export.js';
import type { Invite } from '../invite.js';
import type { Session } from '../session.js';
import { requireStorableText } from '../stored-text.js';
import { normalizeEmail, type NewUser, type Role, type User } from '../user.js';

/**
 * Row shapes as both engines' SQL returns them (PostgreSQL's through open-pool.ts's type
 * parsers: BIGINT as a number, json as text), and their conversion into domain types. Written
 * once for both engines; only the engines import this module.
 */
export interface UserRow {
  id: number;
  email: string;
  name: string;
  password_hash: string;
  role: string;
  created_at: number;
  last_active_at: number | null;
}

export interface SessionRow {
  token_hash: string;
  user_id: number;
  created_at: number;
  last_seen_at: number;
  expires_at: number;
}

export interface MilestoneRow {
  chapter_id: string;
  status: string;
  score: number | null;
  updated_at: number;
}

export interface ActivityRow {
  id: number;
  action_type: string;
  metadata: string | null;
  created_at: number;
}

export const USER_COLUMNS = 'id, email, name, password_hash, role, created_at, last_active_at';

export interface ChapterRow {
  id: string;
  title: string;
  position: number;
  activity_id: string | null;
}

export const CHAPTER_COLUMNS = 'id, title, position, activity_id';

export function toChapter(row: ChapterRow): Chapter {
  return { id: row.id, title: row.title, position: row.position, activityId: row.activity_id };
}

export function toUser(row: UserRow): User {
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    role: row.role as Role,
    createdAt: row.created_at,
    lastActiveAt: row.last_active_at,
  };
}

export function toSession(row: SessionRow): Session {
  return {
    tokenHash: row.token_hash,
    userId: row.user_id,
    createdAt: row.created_at,
    lastSeenAt: row.last_seen_at,
    expiresAt: row.expires_at,
  };
}

export function toMilestone(row: MilestoneRow): Milestone {
  return {
    chapterId: row.chapter_id,
    status: row.status as MilestoneStatus,
    score: row.score,
    updatedAt: row.updated_at,
  };
}

export function toActivityEvent(row: ActivityRow): ActivityEvent {
  return {
    id: row.id,
    actionType: row.action_type,
    metadata: row.metadata === null ? null : (JSON.parse(row.metadata) as ActivityMetadata),
    createdAt: row.created_at,
  };
}

export interface CohortRow {
  id: number;
  name: string;
  reader_count: number;
  created_at: number;
}

export const COHORT_COLUMNS = `c.id, c.name, c.created_at,
  (SELECT count(*) FROM cohort_members m WHERE m.cohort_id = c.id) AS reader_count`;

export function toCohort(row: CohortRow): Cohort {
  return { id: row.id, name: row.name, readerCount: row.reader_count, createdAt: row.created_at };
}

export interface InviteRow {
  id: number;
  code_prefix: string;
  cohort_id: number | null;
  max_uses: number;
  uses: number;
  expires_at: number;
  created_at: number;
  created_by: number;
}

export const INVITE_COLUMNS = 'id, code_prefix, cohort_id, max_uses, uses, expires_at, created_at, created_by';

/** Invites with their creators (`creators` holds at least every creator the rows name). */
export function toInvites(rows: readonly InviteRow[], creators: readonly UserRow[]): Invite[] {
  const users = new Map(creators.map((r) => [r.id, toUser(r)]));
  return rows.map((row) => ({
    codePrefix: row.code_prefix,
    cohortId: row.cohort_id,
    maxUses: row.max_uses,
    usesLeft: row.max_uses - row.uses,
    expiresAt: row.expires_at,
    createdAt: row.created_at,
    createdBy: users.get(row.created_by)!,
  }));
}

export interface AccessEntryRow {
  id: number;
  kind: string;
  at: number;
  consultant_id: number;
  consultant_name: string;
}

export const ACCESS_ENTRY_COLUMNS = 'a.id, a.kind, a.at, u.id AS consultant_id, u.name AS consultant_name';

export function toAccessLogEntry(row: AccessEntryRow): AccessLogEntry {
  return { consultant: { id: row.consultant_id, name: row.consultant_name }, what: row.kind as AccessKind, at: row.at };
}

export interface ProgressExportDbRow {
  user_id: number;
  email: string;
  name: string;
  chapter_id: string;
  status: string;
  score: number | null;
  updated_at: number;
}

export function toProgressExportRow(row: ProgressExportDbRow): ProgressExportRow {
  return {
    readerId: row.user_id,
    email: row.email,
    name: row.name,
    chapterId: row.chapter_id,
    status: row.status as MilestoneStatus,
    score: row.score,
    updatedAt: row.updated_at,
  };
}

export interface ActivityExportDbRow {
  id: number;
  user_id: number;
  email: string;
  action_type: string;
  metadata: string | null;
  created_at: number;
}

export function toActivityExportRow(row: ActivityExportDbRow): ActivityExportRow {
  return { eventId: row.id, readerId: row.user_id, email: row.email, actionType: row.action_type, metadata: row.metadata, createdAt: row.created_at };
}

/** A cohort's milestones as the chapter funnel reads them. */
export interface CohortMilestoneRow {
  chapter_id: string;
  status: MilestoneStatus;
  score: number | null;
  started_at: number | null;
  completed_at: number | null;
}

/** One bar of a per-chapter histogram (scores or minutes to complete). */
export interface HistogramRow {
  chapter_id: string;
  value: number;
  n: number;
}

/** A row of attention_items. */
export interface AttentionRow {
  id: number;
  reader_id: number;
  reason: string;
  chapter_id: string;
  since: number;
  state: string;
  claimed_by: number | null;
  claimed_at: number | null;
  resolved_by: number | null;
  resolved_at: number | null;
  note: string | null;
}

export const ATTENTION_ITEM_COLUMNS = 'id, reader_id, reason, chapter_id, since, state, claimed_by, claimed_at, resolved_by, resolved_at, note';
/** chapter_id of a reason without a chapter. */
export const NO_CHAPTER = '';

/** The ids of every user the rows name (readers, holders, resolvers): the users toAttentionItems needs. */
export function attentionUserIds(rows: readonly AttentionRow[]): number[] {
  const ids = new Set<number>();
  for (const row of rows) {
    ids.add(row.reader_id);
    if (row.claimed_by !== null) ids.add(row.claimed_by);
    if (row.resolved_by !== null) ids.add(row.resolved_by);
  }
  return [...ids];
}

/** Attention items from their rows and the users they name (a deleted holder reads as null). */
export function toAttentionItems(rows: readonly AttentionRow[], userRows: readonly UserRow[]): AttentionItem[] {
  const users = new Map<number, User>(userRows.map((r) => [r.id, toUser(r)]));
  const userOrNull = (id: number | null): User | null => (id === null ? null : (users.get(id) ?? null));
  return rows.map((row) => ({
    id: row.id,
    reader: users.get(row.reader_id)!,
    reason: row.reason as AttentionReason,
    chapterId: row.chapter_id === NO_CHAPTER ? null : row.chapter_id,
    since: row.since,
    state: row.state as AttentionState,
    claimedBy: userOrNull(row.claimed_by),
    claimedAt: row.claimed_at,
    resolvedBy: userOrNull(row.resolved_by),
    resolvedAt: row.resolved_at,
    note: row.note,
  }));
}

/**
 * A new user's columns as both engines store them: the normalized email and the search key
 * (email and name, lower-cased). Throws `invalid_request` for text a database cannot store.
 */
export function newUserColumns(input: NewUser): { email: string; name: string; passwordHash: string; role: Role; searchKey: string } {
  requireStorableText('name', input.name);
  requireStorableText('email', input.email);
  const email = normalizeEmail(input.email);
  return { email, name: input.name, passwordHash: input.passwordHash, role: input.role, searchKey: `${email} ${input.name}`.toLowerCase() };
}
