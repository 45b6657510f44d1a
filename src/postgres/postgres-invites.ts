import { AppError, userNotFound, cohortNotFound, INVITE_REFUSED, decodeCursor, encodeCursor, normalizeEmail, requireStorableText, type Clock, type Invite, type InvitesPort, type NewInvite, type NewUser, type Page, type PageRequest, type User } from '../domain/index.js';
import type { PostgresWriter, Sql } from './pg-sql.js';
import { INVITE_COLUMNS, toInvites, toUser, USER_COLUMNS, type InviteRow, type UserRow } from '../domain/storage/stored-rows.js';


/** Invites on PostgreSQL, as SqliteInvites. */
export class PostgresInvites implements InvitesPort {
  constructor(
    private readonly read: Sql,
    private readonly clock: Clock,
    private readonly write: PostgresWriter,
  ) {}

  createInvite(input: NewInvite): Promise<Invite> {
    const now = this.clock.now();
    return this.write(async (sql) => {
      if (input.cohortId !== null && !(await sql.get('SELECT 1 FROM cohorts WHERE id = ?', [input.cohortId]))) {
        throw cohortNotFound();
      }
      if (!(await sql.get('SELECT 1 FROM users WHERE id = ?', [input.createdBy]))) throw userNotFound();
      const row = (await sql.get<InviteRow>(
        `INSERT INTO invites (code_hash, code_prefix, cohort_id, max_uses, expires_at, created_by, created_at)
         VALUES (@codeHash, @codePrefix, @cohortId, @maxUses, @expiresAt, @createdBy, @now)
         RETURNING ${INVITE_COLUMNS}`,
        { ...input, now },
      ))!;
      return (await this.withCreators(sql, [row]))[0]!;
    }, 'That invite code exists already.');
  }

  async listInvites(page: PageRequest): Promise<Page<Invite>> {
    const [before] = page.cursor === undefined ? [Number.MAX_SAFE_INTEGER] : decodeCursor(page.cursor);
    const rows = await this.read.all<InviteRow>(`SELECT ${INVITE_COLUMNS} FROM invites WHERE id < ? ORDER BY id DESC LIMIT ?`, [
      before,
      page.limit + 1,
    ]);
    const more = rows.length > page.limit;
    const shown = rows.slice(0, page.limit);
    return { items: await this.withCreators(this.read, shown), nextCursor: more ? encodeCursor(shown[shown.length - 1]!.id) : null };
  }

  revokeInvite(ref: { readonly codePrefix: string } | { readonly codeHash: string }): Promise<void> {
    return this.write(async (sql) => {
      const changes =
        'codeHash' in ref
          ? await sql.run('DELETE FROM invites WHERE code_hash = ?', [ref.codeHash])
          : await sql.run('DELETE FROM invites WHERE code_prefix = ?', [ref.codePrefix]);
      if (changes === 0) throw new AppError('not_found', 'No invite has that code.');
    });
  }

  async isInviteUsable(codeHash: string): Promise<boolean> {
    const row = await this.read.get('SELECT 1 AS usable FROM invites WHERE code_hash = ? AND uses < max_uses AND expires_at > ?', [codeHash, this.clock.now()]);
    return row !== undefined && row !== null;
  }

  registerWithInvite(input: Omit<NewUser, 'role'>, codeHash: string): Promise<{ user: User; cohortId: number | null }> {
    const now = this.clock.now();
    const email = normalizeEmail(input.email);
    return this.write(async (sql) => {
      requireStorableText('name', input.name);
      // One statement checks and spends a use, so two registrations can never both take the last.
      const spent = await sql.get<{ cohort_id: number | null }>(
        'UPDATE invites SET uses = uses + 1 WHERE code_hash = ? AND uses < max_uses AND expires_at > ? RETURNING cohort_id',
        [codeHash, now],
      );
      if (!spent) throw new AppError('forbidden', INVITE_REFUSED);
      // A taken email throws here and the write's isolation gives the use back.
      const row = (await sql.get<UserRow>(
        `INSERT INTO users (email, name, password_hash, role, created_at, search_key) VALUES (?, ?, ?, 'reader', ?, ?)
         RETURNING ${USER_COLUMNS}`,
        [email, input.name, input.passwordHash, now, `${email} ${input.name}`.toLowerCase()],
      ))!;
      if (spent.cohort_id !== null) {
        await sql.run('INSERT INTO cohort_members (cohort_id, reader_id, added_at) VALUES (?, ?, ?)', [spent.cohort_id, row.id, now]);
      }
      return { user: toUser(row), cohortId: spent.cohort_id };
    });
  }

  private async withCreators(sql: Sql, rows: readonly InviteRow[]): Promise<Invite[]> {
    const ids = [...new Set(rows.map((r) => r.created_by))];
    return toInvites(rows, ids.length === 0 ? [] : await sql.all<UserRow>(`SELECT ${USER_COLUMNS} FROM users WHERE id = ANY (?::bigint[])`, [ids]));
  }

}
