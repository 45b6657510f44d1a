import { normalizeEmail, userNotFound, type NewUser, type SessionRevocation, type User, type UserCredentials, type UsersPort } from '../domain/index.js';
import type { ActivityAggregates } from './activity-aggregates.js';
import type { MilestoneAggregates } from './milestone-aggregates.js';
import { sqlOn } from './pg-sql.js';
import { run, type PostgresAccess } from './postgres-access.js';
import { newUserColumns, toUser, type UserRow } from '../domain/storage/stored-rows.js';
import { statements as sql } from './statements.js';

/** Accounts on PostgreSQL. A deletion takes the user's share out of the aggregates first. */
export class PostgresUsers implements UsersPort {
  constructor(
    private readonly db: PostgresAccess,
    private readonly aggregates: { readonly activity: ActivityAggregates; readonly milestones: MilestoneAggregates },
    private readonly revoked: (revocation: SessionRevocation) => void,
  ) {}

  async createUser(input: NewUser): Promise<User> {
    const user = newUserColumns(input);
    const now = this.db.clock.now();
    return this.db.write(async (db) => {
      const { rows } = await run<UserRow>(db, sql.insertUser, [user.email, user.name, user.passwordHash, user.role, now, user.searchKey]);
      return toUser(rows[0]!);
    });
  }

  async getUserByEmail(email: string): Promise<UserCredentials | null> {
    const [row] = await this.db.read<UserRow>(sql.userByEmail, [normalizeEmail(email)]);
    return row ? { user: toUser(row), passwordHash: row.password_hash } : null;
  }

  async getUserById(id: number): Promise<User | null> {
    const [row] = await this.db.read<UserRow>(sql.userById, [id]);
    return row ? toUser(row) : null;
  }

  async getUsersByIds(ids: readonly number[]): Promise<User[]> {
    if (ids.length === 0) return [];
    return (await this.db.read<UserRow>(sql.usersByIds, [ids])).map(toUser);
  }

  async setPasswordHash(userId: number, passwordHash: string): Promise<void> {
    await this.db.write(async (db) => {
      if ((await run(db, sql.updatePasswordHash, [passwordHash, userId])).rowCount === 0) throw userNotFound();
    });
  }

  async deleteUser(userId: number): Promise<void> {
    await this.db.write(async (db) => {
      // The aggregates are sums over users: take this user's share out before the rows go.
      await this.aggregates.activity.removeUser(sqlOn(db), userId);
      const milestones = await this.aggregates.milestones.contributionsOf(sqlOn(db), userId);
      if ((await run(db, sql.deleteUser, [userId])).rowCount === 0) throw userNotFound();
      // Last, so a deletion that failed defers nothing.
      for (const row of milestones) this.aggregates.milestones.defer(db, row.chapter_id, row, null);
    });
    this.revoked({ userId });
  }
}
