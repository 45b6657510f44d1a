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
import type { Sql } from './pg-sql.js';
import { toUser, USER_COLUMNS, type UserRow } from './rows.js';

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

/** The analytics reads, the same queries as SQLite's InsightQueries. */
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
  gridCells: 'SELECT user_id, chapter_id, status, score FROM milestones WHERE user_id = ANY (?::bigint[])',
};

/** The analytics reads: chapter funnel, activity buckets and the progress grid. Reads only. */
export class InsightQueries {
  constructor(private readonly sql: Sql) {}

  async chapterFunnel(filter: ReaderFilter): Promise<ChapterFunnel[]> {
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
      readers = (await this.sql.get<{ n: number }>(INSIGHT_SQL.readerCount))!.n;
      for (const row of await this.sql.all<{ chapter_id: string; status: MilestoneStatus; n: number }>(INSIGHT_SQL.statusCounts)) {
        countOf(row.chapter_id)[row.status] = row.n;
      }
      scores = histograms(await this.sql.all<HistogramRow>(INSIGHT_SQL.scoreCounts));
      minutes = histograms(await this.sql.all<HistogramRow>(INSIGHT_SQL.minuteCounts));
    } else {
      const ids = filter.readerIds;
      readers = (await this.sql.get<{ n: number }>(INSIGHT_SQL.cohortReaderCount, { ids }))!.n;
      const scoreRows: HistogramRow[] = [];
      const minuteRows: HistogramRow[] = [];
      for (const m of await this.sql.all<CohortMilestoneRow>(INSIGHT_SQL.cohortMilestones, { ids })) {
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
    return (await this.sql.all<{ id: string; title: string }>(INSIGHT_SQL.chapters)).map((chapter) => {
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

  async activityBuckets(query: ActivityBucketQuery): Promise<ActivityBucket[]> {
    if (!(query.from < query.to)) throw new AppError('invalid_request', 'from must be before to.');
    const { first, end, count } = bucketRange(query);
    if (count > MAX_ACTIVITY_BUCKETS) {
      throw new AppError('invalid_request', `The range spans ${count} buckets; at most ${MAX_ACTIVITY_BUCKETS} are allowed.`);
    }
    const statements = INSIGHT_SQL[query.bucket];
    const rows =
      query.readerIds === undefined
        ? await this.sql.all<{ start: number; events: number; readers: number }>(statements.all, { first, end })
        : await this.sql.all<{ start: number; events: number; readers: number }>(statements.some, { first, end, ids: query.readerIds });
    const found = new Map(rows.map((row) => [row.start, row]));
    const size = (end - first) / Math.max(1, count);
    return Array.from({ length: count }, (_, i) => {
      const start = first + i * size;
      const row = found.get(start);
      return { start, events: row?.events ?? 0, activeReaders: row?.readers ?? 0 };
    });
  }

  async progressGrid(query: ReaderFilter & PageRequest): Promise<ProgressGrid> {
    const [after] = query.cursor === undefined ? [0] : decodeCursor(query.cursor);
    const chapters = (await this.sql.all<{ id: string }>(INSIGHT_SQL.chapters)).map((c) => c.id);
    const rows =
      query.readerIds === undefined
        ? await this.sql.all<UserRow>(INSIGHT_SQL.gridReaders, { after, limit: query.limit + 1 })
        : await this.sql.all<UserRow>(INSIGHT_SQL.gridCohortReaders, { after, ids: query.readerIds, limit: query.limit + 1 });
    const page = rows.slice(0, query.limit).map(toUser);
    const cells = new Map<number, Map<string, GridCell>>();
    if (page.length > 0) {
      const found = await this.sql.all<{ user_id: number; chapter_id: string; status: MilestoneStatus; score: number | null }>(
        INSIGHT_SQL.gridCells,
        [page.map((u) => u.id)],
      );
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
