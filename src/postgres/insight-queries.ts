import {
  bucketRange,
  AppError,
  decodeCursor,
  encodeCursor,
  MAX_ACTIVITY_BUCKETS,
  medianOfHistogram,
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

const IN_FILTER = (column: string) => `(@ids::bigint[] IS NULL OR ${column} = ANY (@ids::bigint[]))`;

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
  readerCount: `SELECT count(*) AS n FROM users WHERE role = 'reader' AND ${IN_FILTER('id')}`,
  statusCounts: `SELECT m.chapter_id, m.status, count(*) AS n FROM milestones m JOIN users u ON u.id = m.user_id
    WHERE u.role = 'reader' AND ${IN_FILTER('m.user_id')} GROUP BY m.chapter_id, m.status`,
  // Histograms, not every value: a median needs only value counts, at most 101 scores per chapter.
  scoreCounts: `SELECT m.chapter_id, m.score AS value, count(*) AS n FROM milestones m JOIN users u ON u.id = m.user_id
    WHERE u.role = 'reader' AND m.status = 'completed' AND m.score IS NOT NULL AND ${IN_FILTER('m.user_id')}
    GROUP BY m.chapter_id, m.score`,
  minuteCounts: `SELECT m.chapter_id, (m.completed_at - m.started_at) / 60000 AS value, count(*) AS n
    FROM milestones m JOIN users u ON u.id = m.user_id
    WHERE u.role = 'reader' AND m.status = 'completed' AND m.started_at IS NOT NULL
      AND m.completed_at IS NOT NULL AND ${IN_FILTER('m.user_id')}
    GROUP BY m.chapter_id, (m.completed_at - m.started_at) / 60000`,
  hour: bucketStatements('activity_reader_hours', 'activity_hours', 'hour_start'),
  day: bucketStatements('activity_reader_days', 'activity_days', 'day_start'),
  gridReaders: `SELECT ${USER_COLUMNS} FROM users WHERE role = 'reader' AND id > @after AND ${IN_FILTER('id')}
    ORDER BY id LIMIT @limit`,
  gridCells: 'SELECT user_id, chapter_id, status, score FROM milestones WHERE user_id = ANY (?::bigint[])',
};

/** The analytics reads: chapter funnel, activity buckets and the progress grid. Reads only. */
export class InsightQueries {
  constructor(private readonly sql: Sql) {}

  async chapterFunnel(filter: ReaderFilter): Promise<ChapterFunnel[]> {
    const ids = idsParam(filter);
    const readers = (await this.sql.get<{ n: number }>(INSIGHT_SQL.readerCount, { ids }))!.n;
    const counts = new Map<string, Record<MilestoneStatus, number>>();
    for (const row of await this.sql.all<{ chapter_id: string; status: MilestoneStatus; n: number }>(INSIGHT_SQL.statusCounts, { ids })) {
      const entry = counts.get(row.chapter_id) ?? { started: 0, completed: 0, stuck: 0 };
      entry[row.status] = row.n;
      counts.set(row.chapter_id, entry);
    }
    const scores = histograms(await this.sql.all<HistogramRow>(INSIGHT_SQL.scoreCounts, { ids }));
    const minutes = histograms(await this.sql.all<HistogramRow>(INSIGHT_SQL.minuteCounts, { ids }));
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
    const rows = await this.sql.all<UserRow>(INSIGHT_SQL.gridReaders, { after, ids: idsParam(query), limit: query.limit + 1 });
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
