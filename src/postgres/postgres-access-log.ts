import { ACCESS_COALESCE_MS, checkRetentionLimit, userNotFound, type AccessLogPort, decodeCursor, encodeCursor, type AccessLogEntry, type AccessRecord, type Page, type PageRequest } from '../domain/index.js';
import { ACCESS_ENTRY_COLUMNS, toAccessLogEntry, type AccessEntryRow } from '../domain/storage/stored-rows.js';
import type { PostgresWriter, Sql } from './pg-sql.js';


/** The access log on PostgreSQL, as SqliteAccessLog; writes run inside the batched writer. */
export class PostgresAccessLog implements AccessLogPort {
  constructor(
    private readonly read: Sql,
    private readonly write: PostgresWriter,
  ) {}

  /** Coalesced: a second view in the same window only moves `at` forward. */
  async recordAccess(records: readonly AccessRecord[]): Promise<void> {
    if (records.length === 0) return;
    await this.write((sql) => this.record(sql, records));
  }

  async listAccessLog(readerId: number, page: PageRequest): Promise<Page<AccessLogEntry>> {
    if (!(await this.read.get('SELECT 1 FROM users WHERE id = ?', [readerId]))) throw userNotFound();
    return this.page(this.read, readerId, page);
  }

  async deleteAccessLogBefore(cutoff: number, limit: number): Promise<number> {
    checkRetentionLimit(limit);
    return this.write((sql) =>
      sql.run('DELETE FROM access_log WHERE id IN (SELECT id FROM access_log WHERE at < ? ORDER BY at, id LIMIT ?)', [cutoff, limit]),
    );
  }

  private async record(sql: Sql, records: readonly AccessRecord[]): Promise<void> {
    // One statement for the whole batch (a round trip per record made a 500-record flush hold the
    // writer for seconds under read load). DISTINCT ON keeps the latest of records that share a
    // window, which one statement's ON CONFLICT could not update twice; the WHERE skips records
    // whose users are gone instead of failing the batch on the foreign key, each user found by key
    // (scalar subqueries, which the planner does not turn into joins; ADR 0025).
    await sql.run(
      `INSERT INTO access_log AS l (reader_id, consultant_id, kind, window_start, at)
       SELECT DISTINCT ON (x.reader_id, x.consultant_id, x.kind, x.window_start) x.reader_id, x.consultant_id, x.kind, x.window_start, x.at
       FROM unnest(@readers::bigint[], @consultants::bigint[], @kinds::text[], @windows::bigint[], @times::bigint[])
         AS x (reader_id, consultant_id, kind, window_start, at)
       WHERE (SELECT true FROM users WHERE id = x.reader_id) AND (SELECT true FROM users WHERE id = x.consultant_id)
       ORDER BY x.reader_id, x.consultant_id, x.kind, x.window_start, x.at DESC
       ON CONFLICT (reader_id, consultant_id, kind, window_start) DO UPDATE SET at = greatest(l.at, excluded.at)`,
      {
        readers: records.map((r) => r.readerId),
        consultants: records.map((r) => r.consultantId),
        kinds: records.map((r) => r.kind),
        windows: records.map((r) => Math.floor(r.at / ACCESS_COALESCE_MS) * ACCESS_COALESCE_MS),
        times: records.map((r) => r.at),
      },
    );
  }

  private async page(sql: Sql, readerId: number, page: PageRequest): Promise<Page<AccessLogEntry>> {
    const [at, id] = page.cursor === undefined ? [Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER] : decodeCursor(page.cursor, 2);
    const rows = await sql.all<AccessEntryRow>(
      `SELECT ${ACCESS_ENTRY_COLUMNS} FROM access_log a JOIN users u ON u.id = a.consultant_id
       WHERE a.reader_id = @readerId AND a.at <= @at AND (a.at < @at OR a.id < @id)
       ORDER BY a.at DESC, a.id DESC LIMIT @limit`,
      { readerId, at, id, limit: page.limit + 1 },
    );
    const items = rows.slice(0, page.limit);
    const last = items[items.length - 1];
    return { items: items.map(toAccessLogEntry), nextCursor: rows.length > page.limit && last ? encodeCursor(last.at, last.id) : null };
  }

  async allOf(sql: Sql, readerId: number): Promise<AccessLogEntry[]> {
    const rows = await sql.all<AccessEntryRow>(
      `SELECT ${ACCESS_ENTRY_COLUMNS} FROM access_log a JOIN users u ON u.id = a.consultant_id
       WHERE a.reader_id = ? ORDER BY a.at DESC, a.id DESC`,
      [readerId],
    );
    return rows.map(toAccessLogEntry);
  }
}
