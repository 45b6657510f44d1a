import { parseArgs } from 'node:util';
import { encodeCursor, type Clock, type XapiStatementQuery, type XapiStatementStore } from '../src/domain/index.js';
import { xapiStatementQuery } from '../src/domain/storage/xapi-rows.js';
import { ADL_VERBS, SCALE_CONTENT } from '../src/domain/storage/xapi-scale-data.js';
import { orderOf } from '../src/xapi/statement-resource.js';
import { bind } from '../src/postgres/pg-sql.js';
import { openSqliteStore, type SqliteStore } from '../src/sqlite/sqlite-store.js';
import { openPostgresStore, type PostgresStore } from '../src/postgres/postgres-store.js';

/**
 * Server-side cost of the heavy reads on a large database made by generate-scale-data.ts, timed
 * in-process through the Store (SQL, row conversion, cursor), without HTTP:
 *
 *   npx tsx bench/scale-queries.ts --db /tmp/readpulse-scale.db [--runs 1000] [--match analytics]
 *   npx tsx bench/scale-queries.ts --postgres postgres://HOST/readpulse_bench_scale [--runs 1000]
 *
 * (--postgres: a database made by generate-postgres-scale-data.ts; the live view, history pages,
 * reader list and stuck list, through the PostgreSQL Store.)
 *
 * --xapi: the statement queries of GET /xapi/statements instead (a data set made with
 * `--statements N`), one page of 100 each (the LRS asks for 101), with each query's plan
 * (--plans prints them whole). --storage-order runs the cases with since or until in storage
 * order, as every query was before they were ordered by stored (migration 012), to compare.
 *
 * --cold: no warm-up pass before each query's timed runs (by default each query first runs 50
 * times, untimed, with the parameters of its first 50 timed runs). Drop the operating system's
 * page cache first (as root: `sync; echo 3 > /proc/sys/vm/drop_caches`), and the first runs read
 * from disk, as after a restart or on a data set larger than memory.
 *
 * Prints p50/p99/max per query and the query plans behind them. Reads only; the file is opened
 * like the server opens it (migrations are already applied, so nothing is written).
 */

interface Case {
  readonly name: string;
  /** The i-th run; returns the number of items so a query that silently returns nothing shows. */
  readonly run: (i: number) => Promise<number>;
}

const frozenClock = (now: number): Clock => ({ now: () => now });

/** Untimed runs of each query before its timed ones (0 with --cold). */
let warmUpRuns = 50;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      db: { type: 'string' },
      runs: { type: 'string', default: '1000' },
      analyze: { type: 'boolean', default: false },
      match: { type: 'string' },
      postgres: { type: 'string' },
      xapi: { type: 'boolean', default: false },
      plans: { type: 'boolean', default: false },
      'storage-order': { type: 'boolean', default: false },
      cold: { type: 'boolean', default: false },
    },
  });
  warmUpRuns = values.cold ? 0 : 50;
  const runs = Number(values.runs);
  const match = values.match === undefined ? undefined : new RegExp(values.match);
  windowedOrder = values['storage-order'] ? 'sequence' : null;
  if (values.xapi) return mainXapi(values.postgres, values.db, runs, match, values.plans);
  if (values.postgres) return mainPostgres(values.postgres, runs, values.match);
  if (!values.db) throw new Error('--db FILE (or --postgres URL) is required');
  const store = openSqliteStore({ path: values.db, clock: frozenClock(Date.now()) });
  try {
    if (values.analyze) store.db.exec('ANALYZE');
    const cases = (await buildCases(store)).filter((c) => match === undefined || match.test(c.name));
    process.stdout.write(`${values.db}: ${describeData(store)}; ${runs} runs each${values.analyze ? ', after ANALYZE' : ''}\n\n`);
    await timeCases(cases, runs);
  } finally {
    await store.operations.close();
  }
}

async function timeCases(cases: readonly Case[], runs: number): Promise<void> {
  {
    process.stdout.write(`${'query'.padEnd(58)} ${'items'.padStart(6)} ${'p50 ms'.padStart(9)} ${'p99 ms'.padStart(9)} ${'max ms'.padStart(9)}\n`);
    for (const c of cases) {
      for (let i = 0; i < Math.min(warmUpRuns, runs); i += 1) await c.run(i); // warm the page cache
      const times: number[] = [];
      let items = 0;
      for (let i = 0; i < runs; i += 1) {
        const started = performance.now();
        items = await c.run(i);
        times.push(performance.now() - started);
      }
      times.sort((a, b) => a - b);
      const at = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))]!.toFixed(3);
      process.stdout.write(`${c.name.padEnd(58)} ${String(items).padStart(6)} ${at(0.5).padStart(9)} ${at(0.99).padStart(9)} ${times.at(-1)!.toFixed(3).padStart(9)}\n`);
    }
  }
}

async function mainPostgres(url: string, runs: number, matchSource: string | undefined): Promise<void> {
  const store = await openPostgresStore({ url, clock: frozenClock(Date.now()) });
  try {
    const match = matchSource === undefined ? undefined : new RegExp(matchSource);
    const cases = (await buildPostgresCases(store)).filter((c) => match === undefined || match.test(c.name));
    process.stdout.write(`${new URL(url).pathname.slice(1)} (PostgreSQL); ${runs} runs each\n\n`);
    await timeCases(cases, runs);
  } finally {
    await store.operations.close();
  }
}

async function buildPostgresCases(store: PostgresStore): Promise<Case[]> {
  const one = async (sql: string, params: unknown[] = []) => (await store.pool.query(sql, params)).rows;
  const newestActivity = Number((await one("SELECT max(last_active_at) AS t FROM users WHERE role = 'reader'"))[0].t);
  const since = newestActivity - 60_000;
  const readerIds = (await one("SELECT id FROM users WHERE role = 'reader' ORDER BY id")).map((r) => Number(r.id));
  const pick = (i: number) => readerIds[(i * 7_919) % readerIds.length]!;
  const heavy = (
    await one('SELECT user_id AS id, count(*) AS n FROM activity_logs WHERE user_id <= $1 GROUP BY user_id ORDER BY n DESC LIMIT 100', [readerIds[200]])
  ).map((r) => ({ id: Number(r.id), n: Number(r.n) }));
  const deep: { id: number; cursor: string }[] = [];
  for (const r of heavy) {
    const [row] = await one('SELECT id FROM activity_logs WHERE user_id = $1 ORDER BY id DESC LIMIT 1 OFFSET $2', [r.id, Math.floor(r.n * 0.9)]);
    deep.push({ id: r.id, cursor: encodeCursor(Number(row.id)) });
  }
  process.stdout.write(`${readerIds.length} readers; heaviest reader: ${heavy[0]?.n} events; 100th heaviest: ${heavy.at(-1)?.n}\n`);
  return [
    { name: 'live view: readers active in the last 60 s', run: async () => (await store.readers.getAllActiveUsers(since)).length },
    { name: 'reader history, first page of 50 (random reader)', run: async (i) => (await store.activity.listActivity(pick(i), { limit: 50 })).items.length },
    {
      name: 'reader history, first page of 50 (100 heaviest readers)',
      run: async (i) => (await store.activity.listActivity(deep[i % deep.length]!.id, { limit: 50 })).items.length,
    },
    {
      name: 'reader history, deep page via cursor (90% into history)',
      run: async (i) => {
        const d = deep[i % deep.length]!;
        return (await store.activity.listActivity(d.id, { limit: 50, cursor: d.cursor })).items.length;
      },
    },
    { name: 'reader list, first page of 50 + counts', run: async () => (await store.readers.listReaders({ limit: 50 })).items.length },
    { name: 'stuck list, first page of 50', run: async () => (await store.readers.listStuckReaders({ limit: 50 })).items.length },
  ];
}

/** What the xAPI cases need to know of the data set, and how to show a query's plan. */
interface XapiData {
  readonly statements: XapiStatementStore;
  /** Row of numbers: readers (actors), max seq, min and max stored_at, activities. */
  readonly shape: { readers: number; maxSeq: number; firstStored: number; lastStored: number; activities: number };
  readonly registrations: readonly string[];
  readonly plan: (query: XapiStatementQuery) => Promise<string>;
  readonly close: () => Promise<void>;
}

async function mainXapi(url: string | undefined, file: string | undefined, runs: number, match: RegExp | undefined, printPlans: boolean): Promise<void> {
  const data = url ? await postgresXapiData(url) : await sqliteXapiData(file ?? '');
  try {
    const { shape } = data;
    process.stdout.write(
      `${url ? `${new URL(url).pathname.slice(1)} (PostgreSQL)` : `${file} (SQLite)`}: ${shape.maxSeq.toLocaleString('en')} statements, ` +
        `${shape.readers.toLocaleString('en')} actors, ${shape.activities.toLocaleString('en')} activities; ${runs} runs each\n\n`,
    );
    const cases = xapiCases(shape, data.registrations).filter((c) => match === undefined || match.test(c.name));
    const sequential: string[] = [];
    for (const c of cases) {
      const plan = await data.plan(c.query(0));
      if (printPlans) process.stdout.write(`-- ${c.name}\n${plan}\n\n`);
      if (/Seq Scan on xapi|SCAN (xapi_\w+|s|ts|t|a)\b(?! USING)/.test(plan)) sequential.push(c.name);
    }
    await timeCases(
      cases.map((c) => ({ name: c.name, run: async (i: number) => (await data.statements.queryStatements(c.query(i))).length })),
      runs,
    );
    process.stdout.write(sequential.length === 0 ? '\nno plan scans a statements table sequentially\n' : `\nsequential scans in: ${sequential.join('; ')}\n`);
  } finally {
    await data.close();
  }
}

const PAGE = 101; // the LRS asks for one more than its page of 100, to know whether there is a `more`
const NO_FILTER: XapiStatementQuery = {
  agentKey: null,
  relatedAgents: false,
  verbId: null,
  activityId: null,
  relatedActivities: false,
  registration: null,
  since: null,
  until: null,
  ascending: false,
  order: 'sequence',
  after: null,
  afterStored: null,
  limit: PAGE,
};

/** --storage-order: the windowed cases in storage order, as every query was before migration 012. */
let windowedOrder: 'sequence' | null = null;

/** A query with a time window, in the order GET /xapi/statements gives it (stored, for a window). */
function windowed(query: Partial<XapiStatementQuery>): XapiStatementQuery {
  const full = { ...NO_FILTER, ...query };
  if (windowedOrder !== null) return { ...full, order: windowedOrder, afterStored: null };
  return { ...full, order: orderOf(full.since, full.until) };
}

/** The common statement queries, each varied by the run number. */
function xapiCases(shape: XapiData['shape'], registrations: readonly string[]): { name: string; query: (i: number) => XapiStatementQuery }[] {
  const spread = (i: number, n: number) => (i * 7_919 + 13) % n;
  const agent = (i: number) => `mbox:mailto:reader${1 + spread(i, shape.readers)}@scale.test`;
  const activity = (i: number) => `${SCALE_CONTENT}/activity/${spread(i, shape.activities)}`;
  const span = shape.lastStored - shape.firstStored;
  const at = (i: number) => shape.firstStored + Math.floor((span * spread(i, 997)) / 997);
  const DAY = 86_400_000;
  /** About the seq stored at `time` (the data sets store evenly in seq order). */
  const seqAt = (time: number) => Math.max(1, Math.floor((shape.maxSeq * (time - shape.firstStored)) / Math.max(1, span)));
  const deepSeq = (i: number) => 1 + Math.floor((shape.maxSeq * spread(i, 991)) / 991);
  return [
    { name: 'statements: unfiltered, first page', query: () => NO_FILTER },
    { name: 'statements: unfiltered, a `more` page (random depth)', query: (i) => ({ ...NO_FILTER, after: deepSeq(i) }) },
    { name: 'statements: by agent (random reader), first page', query: (i) => ({ ...NO_FILTER, agentKey: agent(i) }) },
    { name: 'statements: by agent, related_agents', query: (i) => ({ ...NO_FILTER, agentKey: agent(i), relatedAgents: true }) },
    { name: 'statements: by verb (experienced, 30%), first page', query: () => ({ ...NO_FILTER, verbId: `${ADL_VERBS}experienced` }) },
    { name: 'statements: by verb (failed, 2%), first page', query: () => ({ ...NO_FILTER, verbId: `${ADL_VERBS}failed` }) },
    { name: 'statements: by verb (failed), a `more` page (random depth)', query: (i) => ({ ...NO_FILTER, verbId: `${ADL_VERBS}failed`, after: deepSeq(i) }) },
    { name: 'statements: by activity (random IRI), first page', query: (i) => ({ ...NO_FILTER, activityId: activity(i) }) },
    {
      name: 'statements: by activity (a module), related_activities',
      query: (i) => ({ ...NO_FILTER, activityId: `${SCALE_CONTENT}/module/${spread(i, Math.ceil(shape.activities / 10))}`, relatedActivities: true }),
    },
    {
      name: 'statements: by activity (a course), related_activities',
      query: (i) => ({ ...NO_FILTER, activityId: `${SCALE_CONTENT}/course/${spread(i, Math.ceil(shape.activities / 100))}`, relatedActivities: true }),
    },
    { name: 'statements: by registration', query: (i) => ({ ...NO_FILTER, registration: registrations[i % registrations.length]! }) },
    { name: 'statements: since/until, one day (random)', query: (i) => windowed({ since: at(i), until: at(i) + DAY }) },
    { name: 'statements: since (random), ascending', query: (i) => windowed({ since: at(i), ascending: true }) },
    {
      name: 'statements: since (random), ascending, a `more` page',
      query: (i) => windowed({ since: at(i), ascending: true, after: seqAt(at(i) + DAY), afterStored: at(i) + DAY }),
    },
    { name: 'statements: until (random), newest first', query: (i) => windowed({ until: at(i) }) },
    { name: 'statements: by agent and verb (completed)', query: (i) => ({ ...NO_FILTER, agentKey: agent(i), verbId: `${ADL_VERBS}completed` }) },
    { name: 'statements: by agent and activity', query: (i) => ({ ...NO_FILTER, agentKey: agent(i), activityId: activity(i) }) },
    { name: 'statements: by activity, since one day (random)', query: (i) => windowed({ activityId: activity(i), since: at(i), until: at(i) + DAY }) },
    { name: 'statements: by activity, since (random), ascending', query: (i) => windowed({ activityId: activity(i), since: at(i), ascending: true }) },
    {
      name: 'statements: by activity (a course), related, one week (random)',
      query: (i) => windowed({ activityId: `${SCALE_CONTENT}/course/${spread(i, Math.ceil(shape.activities / 100))}`, relatedActivities: true, since: at(i), until: at(i) + 7 * DAY }),
    },
    { name: 'statements: by agent, since (random), ascending', query: (i) => windowed({ agentKey: agent(i), since: at(i), ascending: true }) },
    { name: 'statements: by agent, until (random)', query: (i) => windowed({ agentKey: agent(i), until: at(i) }) },
    { name: 'statements: by verb (experienced), one day (random)', query: (i) => windowed({ verbId: `${ADL_VERBS}experienced`, since: at(i), until: at(i) + DAY }) },
    { name: 'statements: by verb (failed), since (random), ascending', query: (i) => windowed({ verbId: `${ADL_VERBS}failed`, since: at(i), ascending: true }) },
    { name: 'statements: by verb (failed), until (random)', query: (i) => windowed({ verbId: `${ADL_VERBS}failed`, until: at(i) }) },
  ];
}

async function postgresXapiData(url: string): Promise<XapiData> {
  const store = await openPostgresStore({ url, clock: frozenClock(Date.now()) });
  const one = async (sql: string, params: unknown[] = []) => (await store.pool.query(sql, params)).rows;
  const [row] = await one(
    `SELECT (SELECT count(*) FROM users WHERE role = 'reader') AS readers, max(seq) AS max_seq, min(stored_at) AS first, max(stored_at) AS last,
            (SELECT count(*) FROM xapi_activities) AS activities FROM xapi_statements`,
  );
  const registrations = (await one('SELECT registration FROM xapi_statements WHERE seq % 9973 = 0 AND registration IS NOT NULL LIMIT 200')).map((r) => String(r.registration));
  return {
    statements: store.xapiStatements,
    shape: { readers: Number(row.readers), maxSeq: Number(row.max_seq), firstStored: Number(row.first), lastStored: Number(row.last), activities: Number(row.activities) },
    registrations,
    plan: async (query) => {
      const { text, params } = xapiStatementQuery(query);
      const bound = bind(text, params);
      return (await store.pool.query(`EXPLAIN ${bound.text}`, bound.values)).rows.map((r) => String(r['QUERY PLAN'])).join('\n');
    },
    close: () => store.operations.close(),
  };
}

async function sqliteXapiData(file: string): Promise<XapiData> {
  if (!file) throw new Error('--xapi needs --db FILE or --postgres URL');
  const store = openSqliteStore({ path: file, clock: frozenClock(Date.now()) });
  const get = (sql: string) => store.db.prepare(sql).get() as Record<string, number>;
  const row = get(
    `SELECT (SELECT count(*) FROM users WHERE role = 'reader') AS readers, max(seq) AS max_seq, min(stored_at) AS first, max(stored_at) AS last,
            (SELECT count(*) FROM xapi_activities) AS activities FROM xapi_statements`,
  );
  const registrations = store.db.prepare('SELECT registration FROM xapi_statements WHERE seq % 9973 = 0 AND registration IS NOT NULL LIMIT 200').pluck().all() as string[];
  return {
    statements: store.xapiStatements,
    shape: { readers: row.readers!, maxSeq: row.max_seq!, firstStored: row.first!, lastStored: row.last!, activities: row.activities! },
    registrations,
    plan: async (query) => {
      const { text, params } = xapiStatementQuery(query);
      return (store.db.prepare(`EXPLAIN QUERY PLAN ${text}`).all(params) as { detail: string }[]).map((r) => r.detail).join('\n');
    },
    close: () => store.operations.close(),
  };
}

function describeData(store: SqliteStore): string {
  const count = (sql: string) => (store.db.prepare(sql).pluck().get() as number).toLocaleString('en');
  return `${count("SELECT count(*) FROM users WHERE role = 'reader'")} readers, ${count('SELECT count(*) FROM milestones')} milestones, ${count('SELECT max(id) FROM activity_logs')} activity events`;
}

async function buildCases(store: SqliteStore): Promise<Case[]> {
  const db = store.db;
  const newestActivity = db.prepare("SELECT max(last_active_at) FROM users WHERE role = 'reader'").pluck().get() as number;
  const since = newestActivity - 60_000;
  const readerIds = db.prepare("SELECT id FROM users WHERE role = 'reader' ORDER BY id").pluck().all() as number[];
  const pick = (i: number) => readerIds[(i * 7_919) % readerIds.length]!;
  // The readers with the longest histories, and a cursor 90% of the way into each one's history.
  const heavy = db
    .prepare('SELECT user_id AS id, count(*) AS n FROM activity_logs WHERE user_id <= ? GROUP BY user_id ORDER BY n DESC LIMIT 100')
    .all(readerIds[200]) as { id: number; n: number }[];
  const deepCursorOf = db.prepare('SELECT id FROM activity_logs WHERE user_id = ? ORDER BY id DESC LIMIT 1 OFFSET ?').pluck();
  const deep = heavy.map((r) => ({ id: r.id, cursor: encodeCursor(deepCursorOf.get(r.id, Math.floor(r.n * 0.9)) as number) }));
  process.stdout.write(`heaviest reader: ${heavy[0]?.n} events; 100th heaviest: ${heavy.at(-1)?.n}\n`);
  const readerPages: string[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < 20; page += 1) {
    const result = await store.readers.listReaders({ limit: 50, cursor: cursor ?? undefined });
    cursor = result.nextCursor;
    if (cursor) readerPages.push(cursor);
  }
  return [
    { name: 'live view: readers active in the last 60 s', run: async () => (await store.readers.getAllActiveUsers(since)).length },
    { name: 'reader history, first page of 50 (random reader)', run: async (i) => (await store.activity.listActivity(pick(i), { limit: 50 })).items.length },
    {
      name: 'reader history, first page of 50 (100 heaviest readers)',
      run: async (i) => (await store.activity.listActivity(deep[i % deep.length]!.id, { limit: 50 })).items.length,
    },
    {
      name: 'reader history, deep page via cursor (90% into history)',
      run: async (i) => {
        const d = deep[i % deep.length]!;
        return (await store.activity.listActivity(d.id, { limit: 50, cursor: d.cursor })).items.length;
      },
    },
    { name: 'reader list, first page of 50 + counts', run: async () => (await store.readers.listReaders({ limit: 50 })).items.length },
    {
      name: 'reader list, pages 2..20 via cursor + counts',
      run: async (i) => (await store.readers.listReaders({ limit: 50, cursor: readerPages[i % readerPages.length] })).items.length,
    },
    { name: 'reader list, search "noor" (common name), first page', run: async () => (await store.readers.listReaders({ search: 'noor', limit: 50 })).items.length },
    { name: 'reader list, search "reader4242@" (one match)', run: async () => (await store.readers.listReaders({ search: 'reader4242@', limit: 50 })).items.length },
    { name: 'reader list, search "zzz" (no match)', run: async () => (await store.readers.listReaders({ search: 'zzz', limit: 50 })).items.length },
    { name: 'stuck list, first page of 50', run: async () => (await store.readers.listStuckReaders({ limit: 50 })).items.length },
    ...insightCases(store, readerIds, newestActivity),
  ];
}

/** The analytics endpoints' Store calls: all readers, and a cohort of 300 readers. */
function insightCases(store: SqliteStore, readerIds: readonly number[], newest: number): Case[] {
  const cohort = { readerIds: Array.from({ length: 300 }, (_, i) => readerIds[(i * 331) % readerIds.length]!) };
  const HOUR = 3_600_000;
  const DAY = 24 * HOUR;
  const gridPages: string[] = [];
  return [
    { name: 'analytics: chapter funnel, all readers', run: async () => (await store.analytics.getChapterFunnel({})).length },
    { name: 'analytics: chapter funnel, cohort of 300', run: async () => (await store.analytics.getChapterFunnel(cohort)).length },
    {
      name: 'analytics: activity by day, 365 days, all readers',
      run: async () => (await store.analytics.getActivityBuckets({ from: newest - 365 * DAY, to: newest, bucket: 'day' })).length,
    },
    {
      name: 'analytics: activity by hour, 1,000 hours, all readers',
      run: async () => (await store.analytics.getActivityBuckets({ from: newest - 999 * HOUR, to: newest, bucket: 'hour' })).length,
    },
    {
      name: 'analytics: activity by day, 365 days, cohort of 300',
      run: async () => (await store.analytics.getActivityBuckets({ ...cohort, from: newest - 365 * DAY, to: newest, bucket: 'day' })).length,
    },
    {
      name: 'analytics: activity by hour, 1,000 hours, cohort of 300',
      run: async () => (await store.analytics.getActivityBuckets({ ...cohort, from: newest - 999 * HOUR, to: newest, bucket: 'hour' })).length,
    },
    {
      name: 'analytics: grid, pages of 200 via cursor (walks on)',
      run: async (i) => {
        const grid = await store.analytics.getProgressGrid({ limit: 200, cursor: gridPages[i - 1] });
        gridPages[i] = grid.nextCursor ?? gridPages[i - 1]!;
        return grid.readers.length;
      },
    },
    { name: 'analytics: grid, cohort of 300, first page of 200', run: async () => (await store.analytics.getProgressGrid({ ...cohort, limit: 200 })).readers.length },
  ];
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
