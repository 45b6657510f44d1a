import type { Heartbeat, Session, SessionRevocation, SessionsPort, SessionWithUser } from '../domain/index.js';
import { run, type PostgresAccess } from './postgres-access.js';
import { toSession, toUser, type SessionRow, type UserRow } from '../domain/storage/stored-rows.js';
import { statements as sql } from './statements.js';

/** Sessions and the coalesced heartbeat on PostgreSQL. */
export class PostgresSessions implements SessionsPort {
  constructor(
    private readonly db: PostgresAccess,
    private readonly revoked: (revocation: SessionRevocation) => void,
    /** A heartbeat moves a session's stored last_seen_at only when it is at least this much newer. */
    private readonly seenResolutionMs: number,
  ) {}

  async createSession(session: Session): Promise<void> {
    const values = [session.tokenHash, session.userId, session.createdAt, session.lastSeenAt, session.expiresAt];
    await this.db.write((db) => run(db, sql.insertSession, values), 'That session exists already.');
  }

  async findSession(tokenHash: string): Promise<SessionWithUser | null> {
    const [row] = await this.db.read<UserRow & Omit<SessionRow, 'created_at'> & { session_created_at: number }>(sql.sessionWithUser, [tokenHash]);
    if (!row) return null;
    return { session: toSession({ ...row, created_at: row.session_created_at }), user: toUser(row) };
  }

  async deleteSession(tokenHash: string): Promise<void> {
    await this.db.write((db) => run(db, sql.deleteSession, [tokenHash]));
    this.revoked({ tokenHash });
  }

  async deleteUserSessions(userId: number, exceptTokenHash?: string): Promise<number> {
    const removed = await this.db.write(async (db) => (await run(db, sql.deleteUserSessions, [userId, exceptTokenHash ?? null])).rowCount ?? 0);
    this.revoked({ userId });
    return removed;
  }

  async deleteExpiredSessions(now: number, idleTimeoutMs: number): Promise<number> {
    return this.db.write(async (db) => (await run(db, sql.deleteExpiredSessions, [now, now - idleTimeoutMs])).rowCount ?? 0);
  }

  async updateHeartbeat(userId: number, at: number): Promise<void> {
    await this.db.write((db) => run(db, sql.touchUser, [at, userId]));
  }

  async recordHeartbeats(heartbeats: readonly Heartbeat[]): Promise<void> {
    if (heartbeats.length === 0) return;
    const userIds = heartbeats.map((b) => b.userId);
    const tokens = heartbeats.map((b) => b.tokenHash);
    const times = heartbeats.map((b) => b.at);
    // Moves last_seen_at only when it is at least the resolution older (strictly older at 0).
    const slack = Math.max(0, this.seenResolutionMs - 1);
    await this.db.writeAlone(sql.recordHeartbeats, [userIds, tokens, times, slack]);
  }
}
