import { ADL_VERBS, SCALE_AUTHORITY, SCALE_CONTENT, scaleStatementSql, VOID_BACK, type XapiScalePlan } from '../domain/storage/xapi-scale-data.js';
import type { Database } from './open-database.js';

const CHUNK = 500_000;
const TABLES = ['xapi_statements', 'xapi_statement_targets', 'xapi_statement_agents', 'xapi_statement_activities'];

/**
 * Adds `plan.statements` generated xAPI statements (src/domain/storage/xapi-scale-data.ts) to a
 * migrated database with no statements yet, in SQL (INSERT ... SELECT over a counting CTE, no row
 * through JavaScript): the statements in seq order, then each side table sorted by its primary
 * key (appends, not random B-tree inserts), the secondary indexes dropped for the load and built
 * once after it, then ANALYZE. Run it with the journal off the disk (createScaleDatabase does).
 */
export function loadSqliteXapiStatements(db: Database, plan: XapiScalePlan): { statements: number; rows: number } {
  const step = (table: string, done: number, total: number) => plan.onProgress?.({ table, done, total });
  if ((db.prepare('SELECT count(*) FROM xapi_statements').pluck().get() as number) !== 0) {
    throw new Error('loadSqliteXapiStatements needs a database with no statements');
  }
  const indexes = db
    .prepare(`SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN (${TABLES.map(() => '?').join(', ')})`)
    .all(...TABLES) as { name: string; sql: string }[];
  for (const index of indexes) db.exec(`DROP INDEX ${index.name}`);
  db.prepare(`INSERT OR IGNORE INTO lrs_credentials (id, name, key, secret_hash, created_at) VALUES (1, 'Scale player', ?, 'not-a-hash', ?)`).run(
    SCALE_AUTHORITY.name,
    plan.now - plan.spanMs,
  );
  const s = scaleStatementSql('g', plan);
  const idOf = (g: string) => `printf('%08x-%04x-4000-8000-%012x', (${g} * 2654435761) % 4294967296, ${g} % 65536, ${g})`;
  const iso = (ms: string) => `strftime('%Y-%m-%dT%H:%M:%fZ', ${ms} / 1000.0, 'unixepoch')`;
  const series = 'WITH RECURSIVE series(g) AS (SELECT CAST(@from AS INTEGER) UNION ALL SELECT g + 1 FROM series WHERE g < @to)';
  const insertStatements = db.prepare(
    `${series}
     INSERT INTO xapi_statements (seq, statement_id, body, stored_at, verb_id, registration, refers_to, voids, voided, actor_key, credential_id)
     SELECT g, id,
            json_object(
              'id', id,
              'actor', json_object('objectType', 'Agent', 'mbox', 'mailto:reader' || reader || '@scale.test'),
              'verb', json_object('id', verb_id, 'display', json_object('en-US', verb)),
              'object', json(CASE WHEN voiding THEN json_object('objectType', 'StatementRef', 'id', refers_to)
                                  ELSE json_object('objectType', 'Activity', 'id', '${SCALE_CONTENT}/activity/' || activity) END),
              'context', json_patch('{}', json_object('registration', registration,
                 'contextActivities', json(CASE WHEN NOT voiding THEN json_object(
                    'parent', json_array(json_object('id', '${SCALE_CONTENT}/module/' || (activity / 10))),
                    'grouping', json_array(json_object('id', '${SCALE_CONTENT}/course/' || (activity / 100)))) END))),
              'timestamp', ${iso('stored_at')}, 'stored', ${iso('stored_at')},
              'authority', json_object('objectType', 'Agent', 'account', json_object('homePage', '${SCALE_AUTHORITY.homePage}', 'name', '${SCALE_AUTHORITY.name}')),
              'version', '1.0.0'),
            stored_at, verb_id, registration, refers_to, voiding, 0, 'mbox:mailto:reader' || reader || '@scale.test', 1
     FROM (
       SELECT g, ${idOf('g')} AS id, reader, activity, stored_at, voiding,
              CASE WHEN voiding THEN 'voided' ELSE verb0 END AS verb,
              '${ADL_VERBS}' || CASE WHEN voiding THEN 'voided' ELSE verb0 END AS verb_id,
              CASE WHEN voiding THEN ${idOf(`(g - ${VOID_BACK})`)} END AS refers_to,
              CASE WHEN g % 3 = 0 THEN printf('%08x-0000-4000-8000-%012x', reader, activity / 1000) END AS registration
       FROM (SELECT g, ${s.reader} AS reader, ${s.activity} AS activity, ${s.storedAt} AS stored_at,
                    CASE WHEN ${s.isVoiding} THEN 1 ELSE 0 END AS voiding, ${s.verbName} AS verb0 FROM series)
     )`,
  );
  let rows = 0;
  for (let from = 1; from <= plan.statements; from += CHUNK) {
    const to = Math.min(plan.statements, from + CHUNK - 1);
    rows += db.transaction(() => insertStatements.run({ from, to }).changes)();
    step('xapi_statements', to, plan.statements);
  }
  const sorted = (table: string, sql: string) => {
    const started = Date.now();
    const changes = db.transaction(() => db.prepare(sql).run().changes)();
    rows += changes;
    step(`${table} (${((Date.now() - started) / 1000).toFixed(0)} s)`, changes, changes);
  };
  sorted(
    'xapi_statement_targets',
    `INSERT INTO xapi_statement_targets (seq, target_seq)
     SELECT seq, seq FROM xapi_statements UNION ALL SELECT seq, seq - ${VOID_BACK} FROM xapi_statements WHERE refers_to IS NOT NULL ORDER BY 1, 2`,
  );
  sorted('xapi_statement_agents (actors)', `INSERT INTO xapi_statement_agents (agent_key, related, seq, stored_at) SELECT actor_key, 0, seq, stored_at FROM xapi_statements ORDER BY 1, 3`);
  sorted(
    'xapi_statement_agents (authority)',
    `INSERT INTO xapi_statement_agents (agent_key, related, seq, stored_at) SELECT 'account:${SCALE_AUTHORITY.homePage} ${SCALE_AUTHORITY.name}', 1, seq, stored_at FROM xapi_statements ORDER BY seq`,
  );
  // Object, parent (module) and grouping (course): 'activity/' < 'course/' < 'module/', each sorted.
  for (const [path, per, related] of [
    ['activity/', 1, 0],
    ['course/', 100, 1],
    ['module/', 10, 1],
  ] as const) {
    sorted(
      `xapi_statement_activities (${path})`,
      `INSERT INTO xapi_statement_activities (activity_id, related, seq, stored_at)
       SELECT '${SCALE_CONTENT}/${path}' || (${scaleStatementSql('seq', plan).activity} / ${per}), ${related}, seq, stored_at FROM xapi_statements WHERE refers_to IS NULL ORDER BY 1, 3`,
    );
  }
  db.exec(`UPDATE xapi_statements SET voided = 1 WHERE seq IN (SELECT seq - ${VOID_BACK} FROM xapi_statements WHERE voids = 1)`);
  db.prepare(
    `WITH RECURSIVE a(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM a WHERE n + 1 < CAST(? AS INTEGER))
     INSERT OR IGNORE INTO xapi_activities (activity_id, definition)
     SELECT '${SCALE_CONTENT}/activity/' || n, json_object('name', json_object('en-US', 'Activity ' || n), 'type', 'http://adlnet.gov/expapi/activities/lesson') FROM a`,
  ).run(plan.activities);
  for (const index of indexes) {
    const started = Date.now();
    db.exec(index.sql);
    step(`index ${index.name} (${((Date.now() - started) / 1000).toFixed(0)} s)`, 1, 1);
  }
  db.exec('PRAGMA analysis_limit = 1000');
  db.exec('ANALYZE');
  step('ANALYZE', 1, 1);
  return { statements: plan.statements, rows };
}
