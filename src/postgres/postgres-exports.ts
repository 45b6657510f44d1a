import { userNotFound, EXPORT_BATCH_ROWS, type ActivityExportQuery, type ActivityExportRow, type ExportsPort, type ProgressExportRow, type ReaderFilter, type ActivityEvent, type UserDataExport, type UserDataStream } from '../domain/index.js';
import type { PostgresAccessLog } from './postgres-access-log.js';
import { idsParam } from './postgres-analytics.js';
import type { Sql } from './pg-sql.js';
import { keysetBatches } from '../domain/storage/keyset-batches.js';
import { toActivityEvent, toActivityExportRow, toMilestone, toProgressExportRow, toUser, USER_COLUMNS, type ActivityExportDbRow, type ActivityRow, type MilestoneRow, type ProgressExportDbRow, type UserRow } from '../domain/storage/stored-rows.js';

/**
 * The exports, as SqliteExports: each batch is one short statement found by keyset, so
 * no transaction stays open across batches of a slow download.
 */
export class PostgresExports implements ExportsPort {
  constructor(
    private readonly sql: Sql,
    private readonly accessLog: PostgresAccessLog,
  ) {}

  async *streamProgressExport(filter: ReaderFilter, batchRows = EXPORT_BATCH_ROWS): AsyncGenerator<readonly ProgressExportRow[]> {
    const ids = idsParam(filter);
    const batches = keysetBatches<ProgressExportDbRow>(batchRows, (after, limit) =>
      this.sql.all(
        `SELECT m.user_id, u.email, u.name, m.chapter_id, m.status, m.score, m.updated_at
         FROM milestones m JOIN users u ON u.id = m.user_id
         WHERE u.role = 'reader' AND (m.user_id, m.chapter_id) > (@afterUser::bigint, @afterChapter::text)
           AND (@ids::bigint[] IS NULL OR m.user_id = ANY (@ids::bigint[]))
         ORDER BY m.user_id, m.chapter_id LIMIT @limit`,
        { afterUser: after?.user_id ?? 0, afterChapter: after?.chapter_id ?? '', ids, limit },
      ),
    );
    for await (const rows of batches) yield rows.map(toProgressExportRow);
  }

  async *streamActivityExport(query: ActivityExportQuery, batchRows = EXPORT_BATCH_ROWS): AsyncGenerator<readonly ActivityExportRow[]> {
    const ids = idsParam(query);
    const to = query.to ?? Number.MAX_SAFE_INTEGER;
    const batches = keysetBatches<ActivityExportDbRow>(batchRows, (after, limit) =>
      this.sql.all(
        `SELECT a.id, a.user_id, u.email, a.action_type, a.metadata, a.created_at
         FROM activity_logs a JOIN users u ON u.id = a.user_id
         WHERE u.role = 'reader' AND a.created_at >= @afterAt AND (a.created_at > @afterAt OR a.id > @afterId)
           AND a.created_at < @to AND (@ids::bigint[] IS NULL OR a.user_id = ANY (@ids::bigint[]))
         ORDER BY a.created_at, a.id LIMIT @limit`,
        { afterAt: after?.created_at ?? query.from ?? Number.MIN_SAFE_INTEGER, afterId: after?.id ?? -1, to, ids, limit },
      ),
    );
    for await (const rows of batches) yield rows.map(toActivityExportRow);
  }

  async getUserDataExport(userId: number): Promise<UserDataExport> {
    const row = await this.sql.get<UserRow>(`SELECT ${USER_COLUMNS} FROM users WHERE id = ?`, [userId]);
    if (!row) throw userNotFound();
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

  /** getUserDataExport with the activity in keyset batches (idx_activity_user_id), one statement each. */
  async streamUserDataExport(userId: number, batchRows = EXPORT_BATCH_ROWS): Promise<UserDataStream> {
    const row = await this.sql.get<UserRow>(`SELECT ${USER_COLUMNS} FROM users WHERE id = ?`, [userId]);
    if (!row) throw userNotFound();
    const milestones = await this.sql.all<MilestoneRow>(
      'SELECT chapter_id, status, score, updated_at FROM milestones WHERE user_id = ? ORDER BY chapter_id',
      [userId],
    );
    const batches = keysetBatches<ActivityRow>(batchRows, (after, limit) =>
      this.sql.all('SELECT id, action_type, metadata, created_at FROM activity_logs WHERE user_id = ? AND id > ? ORDER BY id LIMIT ?', [
        userId,
        after?.id ?? 0,
        limit,
      ]),
    );
    async function* activity(): AsyncGenerator<readonly ActivityEvent[]> {
      for await (const rows of batches) yield rows.map(toActivityEvent);
    }
    return {
      user: toUser(row),
      milestones: milestones.map(toMilestone),
      activity: activity(),
      accessLog: await this.accessLog.allOf(this.sql, userId),
    };
  }
}
