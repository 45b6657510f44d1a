import {
  ACCESS_COALESCE_MS,
  decodeCursor,
  encodeCursor,
  type AccessKind,
  type AccessLogEntry,
  type AccessRecord,
  type Page,
  type PageRequest,
} from '../domain/index.js';
import type { Sql } from './pg-sql.js';

interface EntryRow {
  id: number;
  kind: string;
  at: number;
  consultant_id: number;
  consultant_name: string;
}

const ENTRY_COLUMNS = 'a.id, a.kind, a.at, u.id AS consultant_id, u.name AS consultant_name';

/** The access log's statements, as SQLite's AccessLogQueries; writes run inside the batched writer. */
export class AccessLogQueries {
  /** Call inside a write. Coalesced: a second view in the same window only moves `at` forward. */
  async record(sql: Sql, records: readonly AccessRecord[]): Promise<void> {
    for (const r of records) {
      const windowStart = Math.floor(r.at / ACCESS_COALESCE_MS) * ACCESS_COALESCE_MS;
      // The WHERE skips records whose users are gone instead of failing the batch on the foreign key.
      await sql.run(
        `INSERT INTO access_log AS l (reader_id, consultant_id, kind, window_start, at)
         SELECT @readerId::bigint, @consultantId::bigint, @kind::text, @windowStart::bigint, @at::bigint
         WHERE EXISTS (SELECT 1 FROM users WHERE id = @readerId::bigint) AND EXISTS (SELECT 1 FROM users WHERE id = @consultantId::bigint)
         ON CONFLICT (reader_id, consultant_id, kind, window_start) DO UPDATE SET at = greatest(l.at, excluded.at)`,
        { readerId: r.readerId, consultantId: r.consultantId, kind: r.kind, windowStart, at: r.at },
      );
    }
  }

  async page(sql: Sql, readerId: number, page: PageRequest): Promise<Page<AccessLogEntry>> {
    const [at, id] = page.cursor === undefined ? [Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER] : decodeCursor(page.cursor, 2);
    const rows = await sql.all<EntryRow>(
      `SELECT ${ENTRY_COLUMNS} FROM access_log a JOIN users u ON u.id = a.consultant_id
       WHERE a.reader_id = @readerId AND a.at <= @at AND (a.at < @at OR a.id < @id)
       ORDER BY a.at DESC, a.id DESC LIMIT @limit`,
      { readerId, at, id, limit: page.limit + 1 },
    );
    const items = rows.slice(0, page.limit);
    const last = items[items.length - 1];
    return { items: items.map(toEntry), nextCursor: rows.length > page.limit && last ? encodeCursor(last.at, last.id) : null };
  }

  async allOf(sql: Sql, readerId: number): Promise<AccessLogEntry[]> {
    const rows = await sql.all<EntryRow>(
      `SELECT ${ENTRY_COLUMNS} FROM access_log a JOIN users u ON u.id = a.consultant_id
       WHERE a.reader_id = ? ORDER BY a.at DESC, a.id DESC`,
      [readerId],
    );
    return rows.map(toEntry);
  }

  /** Call inside a write. */
  deleteBefore(sql: Sql, cutoff: number, limit: number): Promise<number> {
    return sql.run('DELETE FROM access_log WHERE id IN (SELECT id FROM access_log WHERE at < ? ORDER BY at, id LIMIT ?)', [cutoff, limit]);
  }
}

function toEntry(row: EntryRow): AccessLogEntry {
  return { consultant: { id: row.consultant_id, name: row.consultant_name }, what: row.kind as AccessKind, at: row.at };
}
