import { activityBucketsOf, checkedBucketRange, classSummaryOf, type ClassSummary, type ClassSummaryQuery, decodeCursor, FunnelTally, progressGridOf, type ActivityBucket, type ActivityBucketQuery, type ChapterFunnel, type MilestoneStatus, type PageRequest, type ProgressGrid, type ReaderFilter, type AnalyticsPort } from '../domain/index.js';
import type { Sql } from './pg-sql.js';
import { toUser, USER_COLUMNS, type CohortMilestoneRow, type HistogramRow, type UserRow } from '../domain/storage/stored-rows.js';

/** The filter as one statement parameter: null for every reader, else an array of ids. */
export function idsParam(filter: ReaderFilter): readonly number[] | null {
  return filter.readerIds === undefined ? null : filter.readerIds;
}

const bucketStatements = (perReader: string, total: string, column: string) => ({
  all: `SELECT ${column} AS start, events, active_readers AS readers FROM ${total}
    WHERE ${column} >= @first AND ${column} < @end ORDER BY ${column}`,
  some: `SELECT ${column} AS start, sum(events)::bigint AS events, count(*) AS readers FROM ${perReader}
    WHERE user_id = ANY (@ids::bigint[]) AND ${column} >= @first AND ${column} < @end
    GROUP BY ${column} ORDER BY ${column}`,
});

/** The analytics reads, the same queries as SqliteAnalytics. */
export const INSIGHT_SQL = {
  chapters: 'SELECT id, title FROM chapters ORDER BY position, id',
  readerCount: "SELECT count(*) AS n FROM users WHERE role = 'reader'",
  cohortReaderCount: "SELECT count(*) AS n FROM users WHERE role = 'reader' AND id = ANY (@ids::bigint[])",
  // The whole program: the counts kept by every milestone write (see milestone-aggregates.ts).
  statusCounts: 'SELECT chapter_id, status, n FROM chapter_status_counts',
  scoreCounts: 'SELECT chapter_id, score AS value, n FROM chapter_score_counts',
  minuteCounts: 'SELECT chapter_id, minutes AS value, n FROM chapter_minute_counts',
  // A cohort: its readers' milestones, found by user id, counted here.
  cohortMilestones: `SELECT m.chapter_id, m.status, m.score, m.started_at, m.completed_at
    FROM users u JOIN milestones m ON m.user_id = u.id
    WHERE u.id = ANY (@ids::bigint[]) AND u.role = 'reader'`,
  hour: bucketStatements('activity_reader_hours', 'activity_hours', 'hour_start'),
  day: bucketStatements('activity_reader_days', 'activity_days', 'day_start'),
  gridReaders: `SELECT ${USER_COLUMNS} FROM users WHERE role = 'reader' AND id > @after ORDER BY id LIMIT @limit`,
  gridCohortReaders: `SELECT ${USER_COLUMNS} FROM users
    WHERE id = ANY (@ids::bigint[]) AND role = 'reader' AND id > @after ORDER BY id LIMIT @limit`,
  summary: {
    chapters: 'SELECT count(*) AS n FROM chapters',
    active: "SELECT count(*) AS n FROM users WHERE role = 'reader' AND last_active_at >= @since",
    completed: "SELECT coalesce(sum(n), 0)::bigint AS n FROM chapter_status_counts WHERE status = 'completed' AND chapter_id IN (SELECT id FROM chapters)",
    scores: 'SELECT score AS value, sum(n)::bigint AS n FROM chapter_score_counts WHERE chapter_id IN (SELECT id FROM chapters) GROUP BY score',
    stuck: `SELECT count(DISTINCT m.user_id) AS n FROM milestones m JOIN users u ON u.id = m.user_id
      WHERE m.status = 'stuck' AND u.role = 'reader' AND m.chapter_id IN (SELECT id FROM chapters)`,
    cohortActive: "SELECT count(*) AS n FROM users WHERE id = ANY (@ids::bigint[]) AND role = 'reader' AND last_active_at >= @since",
    cohortMilestones: `SELECT count(*) FILTER (WHERE m.status = 'completed') AS completed, count(DISTINCT m.user_id) FILTER (WHERE m.status = 'stuck') AS stuck
      FROM users u JOIN milestones m ON m.user_id = u.id
      WHERE u.id = ANY (@ids::bigint[]) AND u.role = 'reader' AND m.chapter_id IN (SELECT id FROM chapters)`,
    cohortScores: `SELECT m.score AS value, count(*) AS n FROM users u JOIN milestones m ON m.user_id = u.id
      WHERE u.id = ANY (@ids::bigint[]) AND u.role = 'reader' AND m.status = 'completed' AND m.score IS NOT NULL
        AND m.chapter_id IN (SELECT id FROM chapters)
      GROUP BY m.score`,
  },
  gridCells: 'SELECT user_id AS "userId", chapter_id AS "chapterId", status, score, updated_at AS "updatedAt" FROM milestones WHERE user_id = ANY (?::bigint[])',
};

/** The analytics reads: chapter funnel, activity buckets and the progress grid. Reads only. */
export class PostgresAnalytics implements AnalyticsPort {
  constructor(private readonly sql: Sql) {}

  async getChapterFunnel(filter: ReaderFilter): Promise<ChapterFunnel[]> {
    const tally = new FunnelTally();
    let readers: number;
    if (filter.readerIds === undefined) {
      readers = (await this.sql.get<{ n: number }>(INSIGHT_SQL.readerCount))!.n;
      for (const row of await this.sql.all<{ chapter_id: string; status: MilestoneStatus; n: number }>(INSIGHT_SQL.statusCounts)) {
        tally.addStatus(row.chapter_id, row.status, row.n);
      }
      for (const row of await this.sql.all<HistogramRow>(INSIGHT_SQL.scoreCounts)) tally.addScore(row.chapter_id, row.value, row.n);
      for (const row of await this.sql.all<HistogramRow>(INSIGHT_SQL.minuteCounts)) tally.addMinutes(row.chapter_id, row.value, row.n);
    } else {
      const ids = filter.readerIds;
      readers = (await this.sql.get<{ n: number }>(INSIGHT_SQL.cohortReaderCount, { ids }))!.n;
      for (const m of await this.sql.all<CohortMilestoneRow>(INSIGHT_SQL.cohortMilestones, { ids })) {
        tally.addMilestone({ chapterId: m.chapter_id, status: m.status, score: m.score, startedAt: m.started_at, completedAt: m.completed_at });
      }
    }
    return tally.funnel(await this.sql.all<{ id: string; title: string }>(INSIGHT_SQL.chapters), readers);
  }

  async getActivityBuckets(query: ActivityBucketQuery): Promise<ActivityBucket[]> {
    const range = checkedBucketRange(query);
    const { first, end } = range;
    const statements = INSIGHT_SQL[query.bucket];
    const rows =
      query.readerIds === undefined
        ? await this.sql.all<{ start: number; events: number; readers: number }>(statements.all, { first, end })
        : await this.sql.all<{ start: number; events: number; readers: number }>(statements.some, { first, end, ids: query.readerIds });
    return activityBucketsOf(range, rows);
  }

  async getClassSummary(query: ClassSummaryQuery): Promise<ClassSummary> {
    const s = INSIGHT_SQL.summary;
    const count = async (text: string, params: Record<string, unknown> = {}) => Number((await this.sql.get<{ n: number }>(text, params))!.n);
    const chapters = await count(s.chapters);
    if (query.readerIds === undefined) {
      return classSummaryOf({
        readers: await count(INSIGHT_SQL.readerCount),
        activeToday: await count(s.active, { since: query.activeTodaySince }),
        activeThisWeek: await count(s.active, { since: query.activeWeekSince }),
        chapters,
        completed: await count(s.completed),
        stuckReaders: await count(s.stuck),
        scores: (await this.sql.all<{ value: number; n: number }>(s.scores)).map((r) => ({ value: Number(r.value), n: Number(r.n) })),
      });
    }
    const ids = query.readerIds;
    const milestones = (await this.sql.get<{ completed: number; stuck: number }>(s.cohortMilestones, { ids }))!;
    return classSummaryOf({
      readers: await count(INSIGHT_SQL.cohortReaderCount, { ids }),
      activeToday: await count(s.cohortActive, { ids, since: query.activeTodaySince }),
      activeThisWeek: await count(s.cohortActive, { ids, since: query.activeWeekSince }),
      chapters,
      completed: Number(milestones.completed),
      stuckReaders: Number(milestones.stuck),
      scores: (await this.sql.all<{ value: number; n: number }>(s.cohortScores, { ids })).map((r) => ({ value: Number(r.value), n: Number(r.n) })),
    });
  }

  async getProgressGrid(query: ReaderFilter & PageRequest): Promise<ProgressGrid> {
    const [after] = query.cursor === undefined ? [0] : decodeCursor(query.cursor);
    const chapters = (await this.sql.all<{ id: string }>(INSIGHT_SQL.chapters)).map((c) => c.id);
    const rows =
      query.readerIds === undefined
        ? await this.sql.all<UserRow>(INSIGHT_SQL.gridReaders, { after, limit: query.limit + 1 })
        : await this.sql.all<UserRow>(INSIGHT_SQL.gridCohortReaders, { after, ids: query.readerIds, limit: query.limit + 1 });
    const readers = rows.map(toUser);
    const onPage = readers.slice(0, query.limit).map((u) => u.id);
    const milestones = onPage.length === 0 ? [] : await this.sql.all<GridMilestone>(INSIGHT_SQL.gridCells, [onPage]);
    return progressGridOf(chapters, readers, query.limit, milestones);
  }
}


/** gridCells' rows, named as progressGridOf takes them. */
type GridMilestone = Parameters<typeof progressGridOf>[3][number];
