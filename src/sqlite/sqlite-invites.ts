import { AppError, userNotFound, cohortNotFound, INVITE_REFUSED, decodeCursor, encodeCursor, normalizeEmail, requireStorableText, type Clock, type Invite, type InvitesPort, type NewInvite, type NewUser, type Page, type PageRequest, type User } from '../domain/index.js';
import type { Database } from './open-database.js';
import { INVITE_COLUMNS, toInvites, toUser, USER_COLUMNS, type InviteRow, type UserRow } from '../domain/storage/stored-rows.js';
import type { SqliteWriter } from './sqlite-writer.js';


/** Invites on SQLite. */
export class SqliteInvites implements InvitesPort {
  private readonly sql;

  constructor(
    db: Database,
    private readonly clock: Clock,
    private readonly write: SqliteWriter,
  ) {
    this.sql = {
      insert: db.prepare(
        `INSERT INTO invites (code_hash, code_prefix, cohort_id, max_uses, expires_at, created_by, created_at)
         VALUES (@codeHash, @codePrefix, @cohortId, @maxUses, @expiresAt, @createdBy, @now)
         RETURNING ${INVITE_COLUMNS}`,
      ),
      cohortExists: db.prepare('SELECT 1 FROM cohorts WHERE id = ?').pluck(),
      creatorExists: db.prepare('SELECT 1 FROM users WHERE id = ?').pluck(),
      page: db.prepare(`SELECT ${INVITE_COLUMNS} FROM invites WHERE id < ? ORDER BY id DESC LIMIT ?`),
      deleteByPrefix: db.prepare('DELETE FROM invites WHERE code_prefix = ?'),
      deleteByHash: db.prepare('DELETE FROM invites WHERE code_hash = ?'),
      // One statement checks and spends a use, so two registrations can never both take the last.
      spend: db.prepare(
        `UPDATE invites SET uses = uses + 1
         WHERE code_hash = ? AND uses < max_uses AND expires_at > ?
         RETURNING cohort_id`,
      ),
      usable: db.prepare('SELECT 1 FROM invites WHERE code_hash = ? AND uses < max_uses AND expires_at > ?').pluck(),
      insertUser: db.prepare(
        `INSERT INTO users (email, name, password_hash, role, created_at, search_key) VALUES (?, ?, ?, 'reader', ?, ?)
         RETURNING ${USER_COLUMNS}`,
      ),
      addMember: db.prepare('INSERT INTO cohort_members (cohort_id, reader_id, added_at) VALUES (?, ?, ?)'),
      usersByIds: db.prepare(`SELECT ${USER_COLUMNS} FROM users WHERE id IN (SELECT value FROM json_each(?))`),
    };
  }

  createInvite(input: NewInvite): Promise<Invite> {
    const now = this.clock.now();
    return this.write(() => {
      if (input.cohortId !== null && !this.sql.cohortExists.get(input.cohortId)) {
        throw cohortNotFound();
      }
      if (!this.sql.creatorExists.get(input.createdBy)) throw userNotFound();
      const row = this.sql.insert.get({ ...input, now }) as InviteRow;
      return this.withCreators([row])[0]!;
    }, 'That invite code exists already.');
  }

  async listInvites(page: PageRequest): Promise<Page<Invite>> {
    const [before] = page.cursor === undefined ? [Number.MAX_SAFE_INTEGER] : decodeCursor(page.cursor);
    const rows = this.sql.page.all(before, page.limit + 1) as InviteRow[];
    const more = rows.length > page.limit;
    const shown = rows.slice(0, page.limit);
    return {
      items: this.withCreators(shown),
      nextCursor: more ? encodeCursor(shown[shown.length - 1]!.id) : null,
    };
  }

  revokeInvite(ref: { readonly codePrefix: string } | { readonly codeHash: string }): Promise<void> {
    return this.write(() => {
      const changes =
        'codeHash' in ref ? this.sql.deleteByHash.run(ref.codeHash).changes : this.sql.deleteByPrefix.run(ref.codePrefix).changes;
      if (changes === 0) throw new AppError('not_found', 'No invite has that code.');
    });
  }

  async isInviteUsable(codeHash: string): Promise<boolean> {
    return this.sql.usable.get(codeHash, this.clock.now()) !== undefined;
  }

  registerWithInvite(input: Omit<NewUser, 'role'>, codeHash: string): Promise<{ user: User; cohortId: number | null }> {
    const now = this.clock.now();
    const email = normalizeEmail(input.email);
    return this.write(() => {
      requireStorableText('name', input.name);
      const spent = this.sql.spend.get(codeHash, now) as { cohort_id: number | null } | undefined;
      if (!spent) throw new AppError('forbidden', INVITE_REFUSED);
      // A taken email throws here and the write's savepoint gives the use back.
      const row = this.sql.insertUser.get(email, input.name, input.passwordHash, now, `${email} ${input.name}`.toLowerCase()) as UserRow;
      if (spent.cohort_id !== null) this.sql.addMember.run(spent.cohort_id, row.id, now);
      return { user: toUser(row), cohortId: spent.cohort_id };
    });
  }

  private withCreators(rows: readonly InviteRow[]): Invite[] {
    const ids = [...new Set(rows.map((r) => r.created_by))];
    return toInvites(rows, ids.length === 0 ? [] : (this.sql.usersByIds.all(JSON.stringify(ids)) as UserRow[]));
  }

}
