import { normalizeEmail, userNotFound, type Clock, type NewUser, type SessionRevocation, type User, type UserCredentials, type UsersPort } from '../domain/index.js';
import type { ActivityAggregates } from './activity-aggregates.js';
import type { MilestoneAggregates } from './milestone-aggregates.js';
import { newUserColumns, toUser, type UserRow } from '../domain/storage/stored-rows.js';
import type { Statements } from './statements.js';
import type { SqliteWriter } from './sqlite-writer.js';

/** Accounts on SQLite. A deletion takes the user's share out of the aggregates first. */
export class SqliteUsers implements UsersPort {
  constructor(
    private readonly sql: Statements,
    private readonly clock: Clock,
    private readonly write: SqliteWriter,
    private readonly aggregates: { readonly activity: ActivityAggregates; readonly milestones: MilestoneAggregates },
    private readonly revoked: (revocation: SessionRevocation) => void,
  ) {}

  async createUser(input: NewUser): Promise<User> {
    const user = newUserColumns(input);
    const now = this.clock.now();
    return this.write(() => {
      const row = this.sql.insertUser.get(user.email, user.name, user.passwordHash, user.role, now, user.searchKey) as UserRow;
      return toUser(row);
    });
  }

  async getUserByEmail(email: string): Promise<UserCredentials | null> {
    const row = this.sql.userByEmail.get(normalizeEmail(email)) as UserRow | undefined;
    return row ? { user: toUser(row), passwordHash: row.password_hash } : null;
  }

  async getUserById(id: number): Promise<User | null> {
    const row = this.sql.userById.get(id) as UserRow | undefined;
    return row ? toUser(row) : null;
  }

  async getUsersByIds(ids: readonly number[]): Promise<User[]> {
    if (ids.length === 0) return [];
    return (this.sql.usersByIds.all(JSON.stringify(ids)) as UserRow[]).map(toUser);
  }

  async setPasswordHash(userId: number, passwordHash: string): Promise<void> {
    await this.write(() => {
      if (this.sql.updatePasswordHash.run(passwordHash, userId).changes === 0) throw userNotFound();
    });
  }

  async deleteUser(userId: number): Promise<void> {
    await this.write(() => {
      // The aggregates are sums over users: take this user's share out before the rows go.
      // (Activity of theirs earlier in this batch is deferred, and skipped at commit: no user.)
      this.aggregates.activity.removeUser(userId);
      this.aggregates.milestones.removeUser(userId);
      if (this.sql.deleteUser.run(userId).changes === 0) throw userNotFound();
    });
    this.revoked({ userId });
  }
}
