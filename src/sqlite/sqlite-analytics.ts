import { activityBucketsOf, checkedBucketRange, classSummaryOf, type ClassSummary, type ClassSummaryQuery, decodeCursor, FunnelTally, progressGridOf, type ActivityBucket, type ActivityBucketQuery, type ChapterFunnel, type MilestoneStatus, type PageRequest, type ProgressGrid, type ReaderFilter, type AnalyticsPort } from '../domain/index.js';
import type { Database } from './open-database.js';
import { toUser, USER_COLUMNS, type CohortMilestoneRow, type HistogramRow, type UserRow } from '../domain/storage/stored-rows.js';

/** The filter as one statement parameter: null for every reader, else a JSON array of ids. */
export function idsParam(filter: ReaderFilter): string | null {
  return filter.readerIds === undefined ? null : JSON.stringify(filter.readerIds);
}

/** The analytics reads: chapter funnel, activity buckets and the progress grid. Reads only. */
export class SqliteAnalytics implements AnalyticsPort {
  /** Public for the query-plan tests. */
  readonly sql;

  constructor(db: Database) {
    const bucketStatements = (perReader: string, total: string, column: string) => ({
      all: db.prepare(
        `SELECT ${column} AS start, events, active_readers AS readers FROM ${total}
         WHERE ${column} >= @first AND ${column} < @end ORDER BY ${column}`,
      ),
      some: db.prepare(
        `SELECT ${column} AS start, sum(events) AS events, count(*) AS readers FROM ${perReader}
         WHERE user_id IN (SELECT value FROM json_each(@ids)) AND ${column} >= @first AND ${column} < @end
         GROUP BY ${column} ORDER BY ${column}`,
      ),
    });
    this.sql = {
      chapters: db.prepare('SELECT id, title FROM chapters ORDER BY position, id'),
      readerCount: db.prepare("SELECT count(*) FROM users WHERE role = 'reader'").pluck(),
      cohortReaderCount: db.prepare(
        "SELECT count(*) FROM users WHERE role = 'reader' AND id IN (SELECT value FROM json_each(@ids))",
      ).pluck(),
      // The whole program: the counts kept by every milestone write (see milestone-aggregates.ts).
      statusCounts: db.prepare('SELECT chapter_id, status, n FROM chapter_status_counts'),
      scoreCounts: db.prepare('SELECT chapter_id, score AS value, n FROM chapter_score_counts'),
      minuteCounts: db.prepare('SELECT chapter_id, minutes AS value, n FROM chapter_minute_counts'),
      // A cohort: its readers' milestones, found by user id, counted here.
      cohortMilestones: db.prepare(
        `SELECT m.chapter_id, m.status, m.score, m.started_at, m.completed_at
         FROM users u CROSS JOIN milestones m
         WHERE u.id IN (SELECT value FROM json_each(@ids)) AND u.role = 'reader' AND m.user_id = u.id`,
      ),
      hour: bucketStatements('activity_reader_hours', 'activity_hours', 'hour_start'),
      day: bucketStatements('activity_reader_days', 'activity_days', 'day_start'),
      gridReaders: db.prepare(
        `SELECT ${USER_COLUMNS} FROM users WHERE role = 'reader' AND id > @after ORDER BY id LIMIT @limit`,
      ),
      gridCohortReaders: db.prepare(
        `SELECT ${USER_COLUMNS} FROM users
         WHERE id IN (SELECT value FROM json_each(@ids)) AND role = 'reader' AND id > @after ORDER BY id LIMIT @limit`,
      ),
      summary: {
        chapters: db.prepare('SELECT count(*) FROM chapters').pluck(),
        active: db.prepare("SELECT count(*) FROM users WHERE role = 'reader' AND last_active_at >= ?").pluck(),
        completed: db.prepare(
          "SELECT coalesce(sum(n), 0) FROM chapter_status_counts WHERE status = 'completed' AND chapter_id IN (SELECT id FROM chapters)",
        ).pluck(),
        scores: db.prepare(
          'SELECT score AS value, sum(n) AS n FROM chapter_score_counts WHERE chapter_id IN (SELECT id FROM chapters) GROUP BY score',
        ),
        stuck: db.prepare(
          `SELECT count(DISTINCT m.user_id) FROM milestones m JOIN users u ON u.id = m.user_id
           WHERE m.status = 'stuck' AND u.role = 'reader' AND m.chapter_id IN (SELECT id FROM chapters)`,
        ).pluck(),
        cohortActive: db.prepare(
          "SELECT count(*) FROM users WHERE id IN (SELECT value FROM json_each(@ids)) AND role = 'reader' AND last_active_at >= @since",
        ).pluck(),
        cohortMilestones: db.prepare(
          `SELECT coalesce(sum(m.status = 'completed'), 0) AS completed, count(DISTINCT CASE WHEN m.status = 'stuck' THEN m.user_id END) AS stuck
           FROM users u CROSS JOIN milestones m
           WHERE u.id IN (SELECT value FROM json_each(@ids)) AND u.role = 'reader' AND m.user_id = u.id
             AND m.chapter_id IN (SELECT id FROM chapters)`,
        ),
        cohortScores: db.prepare(
          `SELECT m.score AS value, count(*) AS n FROM users u CROSS JOIN milestones m
           WHERE u.id IN (SELECT value FROM json_each(@ids)) AND u.role = 'reader' AND m.user_id = u.id
             AND m.status = 'completed' AND m.score IS NOT NULL AND m.chapter_id IN (SELECT id FROM chapters)
           GROUP BY m.score`,
        ),
      },
      gridCells: db.prepare(
        'SELECT user_id AS userId, chapter_id AS chapterId, status, score, updated_at AS updatedAt FROM milestones WHERE user_id IN (SELECT value FROM json_each(?))',
      ),
    };
  }

  async getChapterFunnel(filter: ReaderFilter): Promise<ChapterFunnel[]> {
    const tally = new FunnelTally();
    let readers: number;
    if (filter.readerIds === undefined) {
      readers = this.sql.readerCount.get() as number;
      for (const row of this.sql.statusCounts.all() as { chapter_id: string; status: MilestoneStatus; n: number }[]) tally.addStatus(row.chapter_id, row.status, row.n);
      for (const row of this.sql.scoreCounts.all() as HistogramRow[]) tally.addScore(row.chapter_id, row.value, row.n);
      for (const row of this.sql.minuteCounts.all() as HistogramRow[]) tally.addMinutes(row.chapter_id, row.value, row.n);
    } else {
      const ids = JSON.stringify(filter.readerIds);
      readers = this.sql.cohortReaderCount.get({ ids }) as number;
      for (const m of this.sql.cohortMilestones.all({ ids }) as CohortMilestoneRow[]) {
        tally.addMilestone({ chapterId: m.chapter_id, status: m.status, score: m.score, startedAt: m.started_at, completedAt: m.completed_at });
      }
    }
    return tally.funnel(this.sql.chapters.all() as { id: string; title: string }[], readers);
  }

  async getActivityBuckets(query: ActivityBucketQuery): Promise<ActivityBucket[]> {
    const range = checkedBucketRange(query);
    const { first, end } = range;
    const statements = this.sql[query.bucket];
    const rows = (query.readerIds === undefined
      ? statements.all.all({ first, end })
      : statements.some.all({ first, end, ids: JSON.stringify(query.readerIds) })) as { start: number; events: number; readers: number }[];
    return activityBucketsOf(range, rows);
  }

  async getClassSummary(query: ClassSummaryQuery): Promise<ClassSummary> {
    const s = this.sql.summary;
    const chapters = s.chapters.get() as number;
    if (query.readerIds === undefined) {
      return classSummaryOf({
        readers: this.sql.readerCount.get() as number,
        activeToday: s.active.get(query.activeTodaySince) as number,
        activeThisWeek: s.active.get(query.activeWeekSince) as number,
        chapters,
        completed: s.completed.get() as number,
        stuckReaders: s.stuck.get() as number,
        scores: s.scores.all() as { value: number; n: number }[],
      });
    }
    const ids = JSON.stringify(query.readerIds);
    const milestones = s.cohortMilestones.get({ ids }) as { completed: number; stuck: number };
    return classSummaryOf({
      readers: this.sql.cohortReaderCount.get({ ids }) as number,
      activeToday: s.cohortActive.get({ ids, since: query.activeTodaySince }) as number,
      activeThisWeek: s.cohortActive.get({ ids, since: query.activeWeekSince }) as number,
      chapters,
      completed: milestones.completed,
      stuckReaders: milestones.stuck,
      scores: s.cohortScores.all({ ids }) as { value: number; n: number }[],
    });
  }

  async getProgressGrid(query: ReaderFilter & PageRequest): Promise<ProgressGrid> {
    const [after] = query.cursor === undefined ? [0] : decodeCursor(query.cursor);
    const chapters = (this.sql.chapters.all() as { id: string }[]).map((c) => c.id);
    const rows = (query.readerIds === undefined
      ? this.sql.gridReaders.all({ after, limit: query.limit + 1 })
      : this.sql.gridCohortReaders.all({ after, ids: JSON.stringify(query.readerIds), limit: query.limit + 1 })) as UserRow[];
    const readers = rows.map(toUser);
    const onPage = readers.slice(0, query.limit).map((u) => u.id);
    const milestones =
      onPage.length === 0 ? [] : (this.sql.gridCells.all(JSON.stringify(onPage)) as GridMilestone[]);
    return progressGridOf(chapters, readers, query.limit, milestones);
  }
}


/** gridCells' rows, named as progressGridOf takes them. */
type GridMilestone = Parameters<typeof progressGridOf>[3][number];
