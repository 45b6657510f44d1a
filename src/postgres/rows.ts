import type { ActivityEvent, ActivityMetadata, Milestone, MilestoneStatus, Role, Session, User } from '../domain/index.js';

/**
 * Row shapes as PostgreSQL returns them through open-pool.ts's type parsers (BIGINT as a number,
 * json as text); they never leave postgres/.
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
