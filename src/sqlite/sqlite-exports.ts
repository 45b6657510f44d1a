import {
  AppError,
  checkExportBatch,
  EXPORT_BATCH_ROWS,
  type ActivityExportQuery,
  type ExportsPort,
  type ActivityExportRow,
  type MilestoneStatus,
  type ProgressExportRow,
  type ReaderFilter,
  type UserDataExport,
} from '../domain/index.js';
import type { SqliteAccessLog } from './sqlite-access-log.js';
import { idsParam } from './sqlite-analytics.js';
import type { Database } from './open-database.js';
import { toActivityEvent, toMilestone, toUser, USER_COLUMNS, type ActivityRow, type MilestoneRow, type UserRow } from './rows.js';

/**
 * The exports. Each batch is one short statement found by keyset, so no read transaction stays
 * open across batches and WAL checkpoints are never held back by a slow download.
 */
export class SqliteExports implements ExportsPort {
  /** Public for the query-plan tests. */
  readonly sql;

  constructor(db: Database, private readonly accessLog: SqliteAccessLog) {
    this.sql = {
      // CROSS JOIN keeps SQLite's join order: walk milestones by (user_id, chapter_id) from the
      // keyset position, never users first and a sort of the whole rest.
      progress: db.prepare(
        `SELECT m.user_id, u.email, u.name, m.chapter_id, m.status, m.score, m.updated_at
         FROM milestones m CROSS JOIN users u
         WHERE u.id = m.user_id AND u.role = 'reader' AND (m.user_id, m.chapter_id) > (@afterUser, @afterChapter)
           AND (@ids IS NULL OR m.user_id IN (SELECT value FROM json_each(@ids)))
         ORDER BY m.user_id, m.chapter_id LIMIT @limit`,
      ),
      activity: db.prepare(
        `SELECT a.id, a.user_id, u.email, a.action_type, a.metadata, a.created_at
         FROM activity_logs a JOIN users u ON u.id = a.user_id
         WHERE u.role = 'reader' AND a.created_at >= @afterAt AND (a.created_at > @afterAt OR a.id > @afterId)
           AND a.created_at < @to AND (@ids IS NULL OR a.user_id IN (SELECT value FROM json_each(@ids)))
         ORDER BY a.created_at, a.id LIMIT @limit`,
      ),
      user: db.prepare(`SELECT ${USER_COLUMNS} FROM users WHERE id = ?`),
      milestones: db.prepare('SELECT chapter_id, status, score, updated_at FROM milestones WHERE user_id = ? ORDER BY chapter_id'),
      activityOf: db.prepare('SELECT id, action_type, metadata, created_at FROM activity_logs WHERE user_id = ? ORDER BY id'),
    };
  }

  async *streamProgressExport(filter: ReaderFilter, batchRows = EXPORT_BATCH_ROWS): AsyncGenerator<readonly ProgressExportRow[]> {
    const limit = checkExportBatch(batchRows);
    const ids = idsParam(filter);
    let afterUser = 0;
    let afterChapter = '';
    for (;;) {
      const rows = this.sql.progress.all({ afterUser, afterChapter, ids, limit }) as ProgressRow[];
      if (rows.length === 0) return;
      const last = rows[rows.length - 1]!;
      afterUser = last.user_id;
      afterChapter = last.chapter_id;
      yield rows.map(toProgressExportRow);
      if (rows.length < limit) return;
    }
  }

  async *streamActivityExport(query: ActivityExportQuery, batchRows = EXPORT_BATCH_ROWS): AsyncGenerator<readonly ActivityExportRow[]> {
    const limit = checkExportBatch(batchRows);
    const ids = idsParam(query);
    const to = query.to ?? Number.MAX_SAFE_INTEGER;
    let afterAt = query.from ?? Number.MIN_SAFE_INTEGER;
    let afterId = -1;
    for (;;) {
      const rows = this.sql.activity.all({ afterAt, afterId, to, ids, limit }) as ActivityExportDbRow[];
      if (rows.length === 0) return;
      const last = rows[rows.length - 1]!;
      afterAt = last.created_at;
      afterId = last.id;
      yield rows.map((row) => ({
        eventId: row.id,
        readerId: row.user_id,
        email: row.email,
        actionType: row.action_type,
        metadata: row.metadata,
        createdAt: row.created_at,
      }));
      if (rows.length < limit) return;
    }
  }

  async getUserDataExport(userId: number): Promise<UserDataExport> {
    const row = this.sql.user.get(userId) as UserRow | undefined;
    if (!row) throw new AppError('not_found', 'No user has that id.');
    return {
      user: toUser(row),
      milestones: (this.sql.milestones.all(userId) as MilestoneRow[]).map(toMilestone),
      activity: (this.sql.activityOf.all(userId) as ActivityRow[]).map(toActivityEvent),
      accessLog: this.accessLog.allOf(userId),
    };
  }
}

interface ProgressRow {
  user_id: number;
  email: string;
  name: string;
  chapter_id: string;
  status: string;
  score: number | null;
  updated_at: number;
}

interface ActivityExportDbRow {
  id: number;
  user_id: number;
  email: string;
  action_type: string;
  metadata: string | null;
  created_at: number;
}

function toProgressExportRow(row: ProgressRow): ProgressExportRow {
  return {
    readerId: row.user_id,
    email: row.email,
    name: row.name,
    chapterId: row.chapter_id,
    status: row.status as MilestoneStatus,
    score: row.score,
    updatedAt: row.updated_at,
  };
}
