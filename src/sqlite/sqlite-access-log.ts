import { ACCESS_COALESCE_MS, checkRetentionLimit, userNotFound, type AccessLogPort, decodeCursor, encodeCursor, type AccessLogEntry, type AccessRecord, type Page, type PageRequest } from '../domain/index.js';
import { ACCESS_ENTRY_COLUMNS, toAccessLogEntry, type AccessEntryRow } from '../domain/storage/stored-rows.js';
import type { Database } from './open-database.js';
import type { SqliteWriter } from './sqlite-writer.js';


/** The access log on SQLite; its writes go through the group commit. */
export class SqliteAccessLog implements AccessLogPort {
  /** Public for the query-plan tests. */
  readonly sql;

  constructor(
    db: Database,
    private readonly write: SqliteWriter,
  ) {
    this.sql = {
      userExists: db.prepare('SELECT 1 FROM users WHERE id = ?').pluck(),
      // Coalesced: a second view in the same window only moves `at` forward. The WHERE skips
      // records whose users are gone instead of failing the batch on the foreign key.
      record: db.prepare(
        `INSERT INTO access_log (reader_id, consultant_id, kind, window_start, at)
         SELECT @readerId, @consultantId, @kind, @windowStart, @at
         WHERE EXISTS (SELECT 1 FROM users WHERE id = @readerId) AND EXISTS (SELECT 1 FROM users WHERE id = @consultantId)
         ON CONFLICT (reader_id, consultant_id, kind, window_start) DO UPDATE SET at = max(at, excluded.at)`,
      ),
      page: db.prepare(
        `SELECT ${ACCESS_ENTRY_COLUMNS} FROM access_log a JOIN users u ON u.id = a.consultant_id
         WHERE a.reader_id = @readerId AND a.at <= @at AND (a.at < @at OR a.id < @id)
         ORDER BY a.at DESC, a.id DESC LIMIT @limit`,
      ),
      all: db.prepare(
        `SELECT ${ACCESS_ENTRY_COLUMNS} FROM access_log a JOIN users u ON u.id = a.consultant_id
         WHERE a.reader_id = ? ORDER BY a.at DESC, a.id DESC`,
      ),
      deleteBefore: db.prepare(
        'DELETE FROM access_log WHERE id IN (SELECT id FROM access_log WHERE at < ? ORDER BY at, id LIMIT ?)',
      ),
    };
  }

  async recordAccess(records: readonly AccessRecord[]): Promise<void> {
    if (records.length === 0) return;
    await this.write(() => {
      for (const r of records) {
        const windowStart = Math.floor(r.at / ACCESS_COALESCE_MS) * ACCESS_COALESCE_MS;
        this.sql.record.run({ readerId: r.readerId, consultantId: r.consultantId, kind: r.kind, windowStart, at: r.at });
      }
    });
  }

  async listAccessLog(readerId: number, page: PageRequest): Promise<Page<AccessLogEntry>> {
    if (!this.sql.userExists.get(readerId)) throw userNotFound();
    const [at, id] = page.cursor === undefined ? [Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER] : decodeCursor(page.cursor, 2);
    const rows = this.sql.page.all({ readerId, at, id, limit: page.limit + 1 }) as AccessEntryRow[];
    const items = rows.slice(0, page.limit);
    const last = items[items.length - 1];
    return {
      items: items.map(toAccessLogEntry),
      nextCursor: rows.length > page.limit && last ? encodeCursor(last.at, last.id) : null,
    };
  }

  /** Every entry about one reader, newest first; for their own export. */
  allOf(readerId: number): AccessLogEntry[] {
    return (this.sql.all.all(readerId) as AccessEntryRow[]).map(toAccessLogEntry);
  }

  async deleteAccessLogBefore(cutoff: number, limit: number): Promise<number> {
    checkRetentionLimit(limit);
    return this.write(() => this.sql.deleteBefore.run(cutoff, limit).changes);
  }
}
