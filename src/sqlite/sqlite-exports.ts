import { userNotFound, EXPORT_BATCH_ROWS, type ActivityExportQuery, type ExportsPort, type ActivityExportRow, type ProgressExportRow, type ReaderFilter, type ActivityEvent, type UserDataExport, type UserDataStream } from '../domain/index.js';
import type { SqliteAccessLog } from './sqlite-access-log.js';
import { idsParam } from './sqlite-analytics.js';
import type { Database } from './open-database.js';
import { keysetBatches } from '../domain/storage/keyset-batches.js';
import { toActivityEvent, toActivityExportRow, toMilestone, toProgressExportRow, toUser, USER_COLUMNS, type ActivityExportDbRow, type ActivityRow, type MilestoneRow, type ProgressExportDbRow, type UserRow } from '../domain/storage/stored-rows.js';

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
      activityBatchOf: db.prepare(
        'SELECT id, action_type, metadata, created_at FROM activity_logs WHERE user_id = ? AND id > ? ORDER BY id LIMIT ?',
      ),
    };
  }

  async *streamProgressExport(filter: ReaderFilter, batchRows = EXPORT_BATCH_ROWS): AsyncGenerator<readonly ProgressExportRow[]> {
    const ids = idsParam(filter);
    const batches = keysetBatches(batchRows, (after: ProgressExportDbRow | null, limit) =>
      this.sql.progress.all({ afterUser: after?.user_id ?? 0, afterChapter: after?.chapter_id ?? '', ids, limit }) as ProgressExportDbRow[],
    );
    for await (const rows of batches) yield rows.map(toProgressExportRow);
  }

  async *streamActivityExport(query: ActivityExportQuery, batchRows = EXPORT_BATCH_ROWS): AsyncGenerator<readonly ActivityExportRow[]> {
    const ids = idsParam(query);
    const to = query.to ?? Number.MAX_SAFE_INTEGER;
    const batches = keysetBatches(batchRows, (after: ActivityExportDbRow | null, limit) =>
      this.sql.activity.all({
        afterAt: after?.created_at ?? query.from ?? Number.MIN_SAFE_INTEGER,
        afterId: after?.id ?? -1,
        to,
        ids,
        limit,
      }) as ActivityExportDbRow[],
    );
    for await (const rows of batches) yield rows.map(toActivityExportRow);
  }

  async getUserDataExport(userId: number): Promise<UserDataExport> {
    const row = this.sql.user.get(userId) as UserRow | undefined;
    if (!row) throw userNotFound();
    return {
      user: toUser(row),
      milestones: (this.sql.milestones.all(userId) as MilestoneRow[]).map(toMilestone),
      activity: (this.sql.activityOf.all(userId) as ActivityRow[]).map(toActivityEvent),
      accessLog: this.accessLog.allOf(userId),
    };
  }

  /** getUserDataExport with the activity in keyset batches (idx_activity_user_id), one statement each. */
  async streamUserDataExport(userId: number, batchRows = EXPORT_BATCH_ROWS): Promise<UserDataStream> {
    const row = this.sql.user.get(userId) as UserRow | undefined;
    if (!row) throw userNotFound();
    const batches = keysetBatches(batchRows, (after: ActivityRow | null, limit) => this.sql.activityBatchOf.all(userId, after?.id ?? 0, limit) as ActivityRow[]);
    async function* activity(): AsyncGenerator<readonly ActivityEvent[]> {
      for await (const rows of batches) yield rows.map(toActivityEvent);
    }
    return {
      user: toUser(row),
      milestones: (this.sql.milestones.all(userId) as MilestoneRow[]).map(toMilestone),
      activity: activity(),
      accessLog: this.accessLog.allOf(userId),
    };
  }
}
