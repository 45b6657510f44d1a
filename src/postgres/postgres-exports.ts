import {
  AppError,
  checkExportBatch,
  EXPORT_BATCH_ROWS,
  type ActivityExportQuery,
  type ActivityExportRow,
  type ExportsPort,
  type MilestoneStatus,
  type ProgressExportRow,
  type ReaderFilter,
  type UserDataExport,
} from '../domain/index.js';
import type { PostgresAccessLog } from './postgres-access-log.js';
import { idsParam } from './postgres-analytics.js';
import type { Sql } from './pg-sql.js';
import { toActivityEvent, toMilestone, toUser, USER_COLUMNS, type ActivityRow, type MilestoneRow, type UserRow } from './rows.js';

/**
 * The exports, as SQLite's ExportQueries: each batch is one short statement found by keyset, so
 * no transaction stays open across batches of a slow download.
 */
export class PostgresExports implements ExportsPort {
  constructor(
    private readonly sql: Sql,
    private readonly accessLog: PostgresAccessLog,
  ) {}

  async *streamProgressExport(filter: ReaderFilter, batchRows = EXPORT_BATCH_ROWS): AsyncGenerator<readonly ProgressExportRow[]> {
    const limit = checkExportBatch(batchRows);
    const ids = idsParam(filter);
    let afterUser = 0;
    let afterChapter = '';
    for (;;) {
      const rows = await this.sql.all<ProgressRow>(
        `SELECT m.user_id, u.email, u.name, m.chapter_id, m.status, m.score, m.updated_at
         FROM milestones m JOIN users u ON u.id = m.user_id
         WHERE u.role = 'reader' AND (m.user_id, m.chapter_id) > (@afterUser::bigint, @afterChapter::text)
           AND (@ids::bigint[] IS NULL OR m.user_id = ANY (@ids::bigint[]))
         ORDER BY m.user_id, m.chapter_id LIMIT @limit`,
        { afterUser, afterChapter, ids, limit },
      );
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
      const rows = await this.sql.all<ActivityExportDbRow>(
        `SELECT a.id, a.user_id, u.email, a.action_type, a.metadata, a.created_at
         FROM activity_logs a JOIN users u ON u.id = a.user_id
         WHERE u.role = 'reader' AND a.created_at >= @afterAt AND (a.created_at > @afterAt OR a.id > @afterId)
           AND a.created_at < @to AND (@ids::bigint[] IS NULL OR a.user_id = ANY (@ids::bigint[]))
         ORDER BY a.created_at, a.id LIMIT @limit`,
        { afterAt, afterId, to, ids, limit },
      );
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
    const row = await this.sql.get<UserRow>(`SELECT ${USER_COLUMNS} FROM users WHERE id = ?`, [userId]);
    if (!row) throw new AppError('not_found', 'No user has that id.');
    const milestones = await this.sql.all<MilestoneRow>(
      'SELECT chapter_id, status, score, updated_at FROM milestones WHERE user_id = ? ORDER BY chapter_id',
      [userId],
    );
    const activity = await this.sql.all<ActivityRow>(
      'SELECT id, action_type, metadata, created_at FROM activity_logs WHERE user_id = ? ORDER BY id',
      [userId],
    );
    return {
      user: toUser(row),
      milestones: milestones.map(toMilestone),
      activity: activity.map(toActivityEvent),
      accessLog: await this.accessLog.allOf(this.sql, userId),
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
