import type { Heartbeat, Session, SessionRevocation, SessionsPort, SessionWithUser } from '../domain/index.js';
import { toSession, toUser, type SessionRow, type UserRow } from '../domain/storage/stored-rows.js';
import type { Statements } from './statements.js';
import type { SqliteWriter } from './sqlite-writer.js';

/** Sessions and the coalesced heartbeat on SQLite. */
export class SqliteSessions implements SessionsPort {
  constructor(
    private readonly sql: Statements,
    private readonly write: SqliteWriter,
    private readonly revoked: (revocation: SessionRevocation) => void,
    /** A heartbeat moves a session's stored last_seen_at only when it is at least this much newer. */
    private readonly seenResolutionMs: number,
  ) {}

  async createSession(session: Session): Promise<void> {
    await this.write(() => {
      this.sql.insertSession.run(session.tokenHash, session.userId, session.createdAt, session.lastSeenAt, session.expiresAt);
    }, 'That session exists already.');
  }

  async findSession(tokenHash: string): Promise<SessionWithUser | null> {
    const row = this.sql.sessionWithUser.get(tokenHash) as
      | (UserRow & Omit<SessionRow, 'created_at'> & { session_created_at: number })
      | undefined;
    if (!row) return null;
    return { session: toSession({ ...row, created_at: row.session_created_at }), user: toUser(row) };
  }

  async deleteSession(tokenHash: string): Promise<void> {
    await this.write(() => this.sql.deleteSession.run(tokenHash));
    this.revoked({ tokenHash });
  }

  async deleteUserSessions(userId: number, exceptTokenHash?: string): Promise<number> {
    const removed = await this.write(() => this.sql.deleteUserSessions.run({ userId, except: exceptTokenHash ?? null }).changes);
    this.revoked({ userId });
    return removed;
  }

  async deleteExpiredSessions(now: number, idleTimeoutMs: number): Promise<number> {
    return this.write(() => this.sql.deleteExpiredSessions.run(now, now - idleTimeoutMs).changes);
  }

  async updateHeartbeat(userId: number, at: number): Promise<void> {
    await this.write(() => this.sql.touchUser.run(at, userId, at));
  }

  async recordHeartbeats(heartbeats: readonly Heartbeat[]): Promise<void> {
    if (heartbeats.length === 0) return;
    await this.write(() => {
      for (const beat of heartbeats) {
        this.sql.touchUserOnSession.run(beat);
        // Moves last_seen_at only when it is at least the resolution older (strictly older at 0).
        this.sql.touchSession.run(beat.at, beat.tokenHash, beat.at - Math.max(0, this.seenResolutionMs - 1));
      }
    });
  }
}
