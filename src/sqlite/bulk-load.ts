import { existsSync } from 'node:fs';
import { seededRandom } from '../domain/index.js';
import { rebuildActivityAggregates } from './activity-aggregates.js';
import { migrate } from './migrate.js';
import { rebuildMilestoneAggregates } from './milestone-aggregates.js';
import { openDatabase, type Database } from './open-database.js';
import { loadSqliteXapiStatements } from './xapi-bulk-load.js';

/** What bulkLoad puts into a freshly migrated, empty database. */
export interface BulkLoadPlan {
  readonly readers: number;
  readonly consultants: number;
  /** Activity events, spread over `spanMs` before `now`, oldest first. */
  readonly events: number;
  /** Chapters in the catalog; each reader has milestones on a prefix of them. */
  readonly chapters: number;
  readonly spanMs: number;
  /** The "present" of the data set, epoch ms: the newest event and the live readers are near it. */
  readonly now: number;
  /** Readers active within the last minute before `now` (the live view's size). */
  readonly liveReaders: number;
  /** Stored for every user; one real hash lets any generated user sign in with its password. */
  readonly passwordHash: string;
  /** Same seed, same data. */
  readonly seed?: number;
  /** Rows per transaction; larger is faster and needs more WAL/journal space. */
  readonly rowsPerTransaction?: number;
  /** Generated xAPI statements to add (src/sqlite/xapi-bulk-load.ts), over `activities` activity IRIs. */
  readonly xapiStatements?: number;
  readonly xapiActivities?: number;
  /** Called after each committed transaction of events. */
  readonly onProgress?: (progress: { table: string; done: number; total: number }) => void;
}

export interface BulkLoadResult {
  readonly readers: number;
  readonly consultants: number;
  readonly milestones: number;
  readonly events: number;
}

const ROWS_PER_STATEMENT = 250;
const ACTION_TYPES = ['PAGE_VIEW', 'PAGE_VIEW', 'PAGE_VIEW', 'PAGE_VIEW', 'LOGIN', 'SUBMIT', 'PAUSE', 'QUIZ_ANSWER'];
const FIRST_NAMES = ['Ada', 'Élodie', 'Grace', 'Hugo', 'Ines', 'Jonas', 'Kofi', 'Lena', 'Mateo', 'Noor', 'Oskar', 'Priya', 'Quinn', 'Rosa', 'Sven', 'Tariq', 'Uma', 'Viktor', 'Wen', 'Yara'];
const LAST_NAMES = ['Andersen', 'Bianchi', 'Chen', 'Dubois', 'Eze', 'Fischer', 'García', 'Haddad', 'Ivanova', 'Jensen', 'Kowalski', 'Lindqvist', 'Moreau', 'Nakamura', 'Okafor', 'Petrov', 'Rossi', 'Silva', 'Tanaka', 'Weber'];

/**
 * Fills a freshly migrated, empty database with a large, realistic data set for scale tests and
 * benchmarks: readers and consultants, a chapter catalog, milestones and `events` activity rows.
 * Runs multi-row prepared inserts in large transactions and rebuilds the activity indexes once at
 * the end instead of maintaining them row by row. Not for a database that serves traffic.
 */
export function bulkLoad(db: Database, plan: BulkLoadPlan): BulkLoadResult {
  const random = seededRandom(plan.seed ?? 1);
  const perTransaction = plan.rowsPerTransaction ?? 500_000;
  const report = plan.onProgress ?? (() => {});

  const chapterIds = Array.from({ length: plan.chapters }, (_, i) => `ch-${String(i + 1).padStart(2, '0')}`);
  const loadChapters = db.prepare(
    'INSERT INTO chapters (id, title, position, created_at, updated_at) VALUES (?, ?, ?, ?, ?)',
  );
  db.transaction(() => {
    chapterIds.forEach((id, i) => loadChapters.run(id, `Chapter ${i + 1}`, i + 1, plan.now - plan.spanMs, plan.now - plan.spanMs));
  })();

  const users = plan.consultants + plan.readers;
  const userIds = insertRows(db, 'users', ['email', 'name', 'password_hash', 'role', 'created_at', 'last_active_at', 'search_key'], users, perTransaction, report, (i) => {
    const consultant = i < plan.consultants;
    const n = consultant ? i + 1 : i - plan.consultants + 1;
    const email = consultant ? `consultant${n}@scale.test` : `reader${n}@scale.test`;
    const name = `${FIRST_NAMES[Math.floor(random() * FIRST_NAMES.length)]} ${LAST_NAMES[Math.floor(random() * LAST_NAMES.length)]}`;
    const createdAt = plan.now - plan.spanMs + Math.floor(random() * (plan.spanMs / 10));
    // A few readers are live now; the rest were last seen any time over the span.
    const live = !consultant && n <= plan.liveReaders;
    const lastActiveAt = live ? plan.now - Math.floor(random() * 55_000) : plan.now - 120_000 - Math.floor(random() * plan.spanMs);
    return [email, name, plan.passwordHash, consultant ? 'consultant' : 'reader', createdAt, lastActiveAt, `${email} ${name}`.toLowerCase()];
  });
  const firstReader = userIds.first + plan.consultants;

  // Each reader works through a prefix of the catalog: done chapters, then one started or stuck.
  let milestones = 0;
  const milestoneRows: unknown[][] = [];
  for (let r = 0; r < plan.readers; r += 1) {
    const reached = Math.floor(random() * (plan.chapters + 1));
    for (let c = 0; c < reached; c += 1) {
      const last = c === reached - 1;
      const status = !last ? 'completed' : random() < 0.25 ? 'stuck' : random() < 0.5 ? 'started' : 'completed';
      const score = status === 'completed' ? Math.floor(random() * 101) : null;
      const updatedAt = plan.now - Math.floor(random() * plan.spanMs);
      // Completed chapters took from minutes to days; the others are still open since updatedAt.
      const startedAt = status === 'completed' ? updatedAt - 60_000 * Math.floor(1 + random() * 3_000) : updatedAt;
      milestoneRows.push([firstReader + r, chapterIds[c], status, score, updatedAt, startedAt, status === 'completed' ? updatedAt : null]);
    }
  }
  milestones = milestoneRows.length;
  insertRows(db, 'milestones', ['user_id', 'chapter_id', 'status', 'score', 'updated_at', 'started_at', 'completed_at'], milestones, perTransaction, report, (i) => milestoneRows[i]!);
  milestoneRows.length = 0;
  rebuildMilestoneAggregates(db);

  // Secondary indexes are rebuilt once after the load: a sorted build is far cheaper than
  // millions of random B-tree inserts into (user_id, id).
  const indexes = db
    .prepare("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'activity_logs' AND sql IS NOT NULL")
    .all() as { name: string; sql: string }[];
  for (const index of indexes) db.exec(`DROP INDEX ${index.name}`);
  const start = plan.now - plan.spanMs;
  insertRows(db, 'activity_logs', ['user_id', 'action_type', 'metadata', 'created_at'], plan.events, perTransaction, report, (i) => {
    // Skewed: reader k gets a share proportional to 1/sqrt(k), so a few readers have long
    // histories (deep pages) and most have a short one.
    const r = random();
    const reader = firstReader + Math.floor(plan.readers * r * r);
    const action = ACTION_TYPES[Math.floor(random() * ACTION_TYPES.length)]!;
    const metadata = action === 'LOGIN' ? null : `{"chapter":"${chapterIds[Math.floor(random() * chapterIds.length)]}","page":${Math.floor(random() * 300)}}`;
    const createdAt = start + Math.floor((plan.spanMs * i) / Math.max(1, plan.events));
    return [reader, action, metadata, createdAt];
  });
  for (const index of indexes) {
    report({ table: `index ${index.name}`, done: 0, total: 1 });
    db.exec(index.sql);
    report({ table: `index ${index.name}`, done: 1, total: 1 });
  }
  report({ table: 'activity aggregates', done: 0, total: 1 });
  rebuildActivityAggregates(db);
  report({ table: 'activity aggregates', done: 1, total: 1 });
  return { readers: plan.readers, consultants: plan.consultants, milestones, events: plan.events };
}

/**
 * Creates a new database file at `path`, migrates it and bulk-loads `plan` with the journal in
 * memory and fsync off (a crash mid-way leaves a file to delete, never one to serve), then puts it
 * back in WAL mode as every ReadPulse connection expects. Throws if `path` exists.
 */
export function createScaleDatabase(path: string, plan: BulkLoadPlan): BulkLoadResult {
  if (existsSync(path)) throw new Error(`${path} exists already; remove it or choose another file.`);
  const db = openDatabase({ path });
  try {
    migrate(db, plan.now);
    // Out of WAL: a bulk load would write every page twice. (better-sqlite3's defensive mode
    // refuses journal_mode=OFF; MEMORY keeps the rollback journal off the disk.)
    db.pragma('journal_mode = DELETE');
    db.pragma('journal_mode = MEMORY');
    db.pragma('synchronous = OFF');
    db.pragma('cache_size = -1048576');
    db.pragma('temp_store = MEMORY');
    const result = bulkLoad(db, plan);
    if (plan.xapiStatements) {
      loadSqliteXapiStatements(db, {
        statements: plan.xapiStatements,
        readers: plan.readers,
        activities: plan.xapiActivities ?? 3000,
        spanMs: plan.spanMs,
        now: plan.now,
        onProgress: plan.onProgress,
      });
    }
    db.pragma('journal_mode = WAL');
    return result;
  } finally {
    db.close();
  }
}

/** Inserts `count` rows made by `row(i)` with multi-row statements; returns the first rowid. */
function insertRows(
  db: Database,
  table: string,
  columns: readonly string[],
  count: number,
  perTransaction: number,
  report: (progress: { table: string; done: number; total: number }) => void,
  row: (i: number) => readonly unknown[],
): { first: number } {
  const tuple = `(${columns.map(() => '?').join(', ')})`;
  const statementFor = (rows: number) =>
    db.prepare(`INSERT INTO ${table} (${columns.join(', ')}) VALUES ${Array.from({ length: rows }, () => tuple).join(', ')}`);
  const full = statementFor(ROWS_PER_STATEMENT);
  const before = (db.prepare(`SELECT coalesce(max(rowid), 0) AS n FROM ${table}`).get() as { n: number }).n;
  const params: unknown[] = [];
  let done = 0;
  while (done < count) {
    const end = Math.min(count, done + perTransaction);
    db.transaction(() => {
      for (let i = done; i < end; i += ROWS_PER_STATEMENT) {
        const rows = Math.min(ROWS_PER_STATEMENT, end - i);
        params.length = 0;
        for (let k = 0; k < rows; k += 1) params.push(...row(i + k));
        (rows === ROWS_PER_STATEMENT ? full : statementFor(rows)).run(params);
      }
    })();
    done = end;
    report({ table, done, total: count });
  }
  return { first: before + 1 };
}
