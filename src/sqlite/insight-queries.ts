import {
  bucketRange,
  AppError,
  decodeCursor,
  encodeCursor,
  MAX_ACTIVITY_BUCKETS,
  medianOfHistogram,
  minutesToCompleteBucket,
  type ActivityBucket,
  type ActivityBucketQuery,
  type ChapterFunnel,
  type GridCell,
  type MilestoneStatus,
  type PageRequest,
  type ProgressGrid,
  type ReaderFilter,
} from '../domain/index.js';
import type { Database } from './open-database.js';
import { toUser, USER_COLUMNS, type UserRow } from './rows.js';

/** The filter as one statement parameter: null for every reader, else a JSON array of ids. */
export function idsParam(filter: ReaderFilter): string | null {
  return filter.readerIds === undefined ? null : JSON.stringify(filter.readerIds);
}

/** The analytics reads: chapter funnel, activity buckets and the progress grid. Reads only. */
export class InsightQueries {
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
      gridCells: db.prepare(
        'SELECT user_id, chapter_id, status, score FROM milestones WHERE user_id IN (SELECT value FROM json_each(?))',
      ),
    };
  }

  chapterFunnel(filter: ReaderFilter): ChapterFunnel[] {
    const counts = new Map<string, Record<MilestoneStatus, number>>();
    const countOf = (chapterId: string) => {
      const entry = counts.get(chapterId) ?? { started: 0, completed: 0, stuck: 0 };
      counts.set(chapterId, entry);
      return entry;
    };
    let readers: number;
    let scores: Map<string, { value: number; n: number }[]>;
    let minutes: Map<string, { value: number; n: number }[]>;
    if (filter.readerIds === undefined) {
      readers = this.sql.readerCount.get() as number;
      for (const row of this.sql.statusCounts.all() as { chapter_id: string; status: MilestoneStatus; n: number }[]) {
        countOf(row.chapter_id)[row.status] = row.n;
      }
      scores = histograms(this.sql.scoreCounts.all() as HistogramRow[]);
      minutes = histograms(this.sql.minuteCounts.all() as HistogramRow[]);
    } else {
      const ids = JSON.stringify(filter.readerIds);
      readers = this.sql.cohortReaderCount.get({ ids }) as number;
      const scoreRows: HistogramRow[] = [];
      const minuteRows: HistogramRow[] = [];
      for (const m of this.sql.cohortMilestones.all({ ids }) as CohortMilestoneRow[]) {
        countOf(m.chapter_id)[m.status] += 1;
        if (m.status !== 'completed') continue;
        if (m.score !== null) scoreRows.push({ chapter_id: m.chapter_id, value: m.score, n: 1 });
        if (m.started_at !== null && m.completed_at !== null) {
          minuteRows.push({ chapter_id: m.chapter_id, value: minutesToCompleteBucket(m.completed_at - m.started_at), n: 1 });
        }
      }
      scores = histograms(scoreRows);
      minutes = histograms(minuteRows);
    }
    return (this.sql.chapters.all() as { id: string; title: string }[]).map((chapter) => {
      const c = counts.get(chapter.id) ?? { started: 0, completed: 0, stuck: 0 };
      return {
        chapterId: chapter.id,
        title: chapter.title,
        notStarted: readers - c.started - c.completed - c.stuck,
        started: c.started,
        completed: c.completed,
        stuck: c.stuck,
        medianScore: medianOfHistogram(scores.get(chapter.id)),
        medianMinutesToComplete: medianOfHistogram(minutes.get(chapter.id)),
      };
    });
  }

  activityBuckets(query: ActivityBucketQuery): ActivityBucket[] {
    if (!(query.from < query.to)) throw new AppError('invalid_request', 'from must be before to.');
    const { first, end, count } = bucketRange(query);
    if (count > MAX_ACTIVITY_BUCKETS) {
      throw new AppError('invalid_request', `The range spans ${count} buckets; at most ${MAX_ACTIVITY_BUCKETS} are allowed.`);
    }
    const statements = this.sql[query.bucket];
    const rows = (query.readerIds === undefined
      ? statements.all.all({ first, end })
      : statements.some.all({ first, end, ids: JSON.stringify(query.readerIds) })) as { start: number; events: number; readers: number }[];
    const found = new Map(rows.map((row) => [row.start, row]));
    const size = (end - first) / Math.max(1, count);
    return Array.from({ length: count }, (_, i) => {
      const start = first + i * size;
      const row = found.get(start);
      return { start, events: row?.events ?? 0, activeReaders: row?.readers ?? 0 };
    });
  }

  progressGrid(query: ReaderFilter & PageRequest): ProgressGrid {
    const [after] = query.cursor === undefined ? [0] : decodeCursor(query.cursor);
    const chapters = (this.sql.chapters.all() as { id: string }[]).map((c) => c.id);
    const rows = (query.readerIds === undefined
      ? this.sql.gridReaders.all({ after, limit: query.limit + 1 })
      : this.sql.gridCohortReaders.all({ after, ids: JSON.stringify(query.readerIds), limit: query.limit + 1 })) as UserRow[];
    const page = rows.slice(0, query.limit).map(toUser);
    const cells = new Map<number, Map<string, GridCell>>();
    if (page.length > 0) {
      const found = this.sql.gridCells.all(JSON.stringify(page.map((u) => u.id))) as {
        user_id: number;
        chapter_id: string;
        status: MilestoneStatus;
        score: number | null;
      }[];
      for (const row of found) {
        const mine = cells.get(row.user_id) ?? new Map<string, GridCell>();
        mine.set(row.chapter_id, { status: row.status, score: row.score });
        cells.set(row.user_id, mine);
      }
    }
    const empty: GridCell = { status: null, score: null };
    return {
      chapters,
      readers: page.map((reader) => ({ reader, cells: chapters.map((id) => cells.get(reader.id)?.get(id) ?? empty) })),
      nextCursor: rows.length > query.limit ? encodeCursor(page[page.length - 1]!.id) : null,
    };
  }
}

interface CohortMilestoneRow {
  chapter_id: string;
  status: MilestoneStatus;
  score: number | null;
  started_at: number | null;
  completed_at: number | null;
}

interface HistogramRow {
  chapter_id: string;
  value: number;
  n: number;
}

function histograms(rows: readonly HistogramRow[]): Map<string, { value: number; n: number }[]> {
  const byChapter = new Map<string, { value: number; n: number }[]>();
  for (const row of rows) {
    const list = byChapter.get(row.chapter_id) ?? [];
    list.push({ value: row.value, n: row.n });
    byChapter.set(row.chapter_id, list);
  }
  return byChapter;
}
