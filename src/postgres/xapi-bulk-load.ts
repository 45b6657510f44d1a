import { ADL_VERBS, SCALE_AUTHORITY, SCALE_CONTENT, scaleStatementSql, VOID_BACK, type XapiScalePlan } from '../domain/storage/xapi-scale-data.js';
import type { Pool } from './open-pool.js';

const CHUNK = 500_000;
const TABLES = ['xapi_statements', 'xapi_statement_targets', 'xapi_statement_agents', 'xapi_statement_activities'];

/**
 * Adds `plan.statements` generated xAPI statements (src/domain/storage/xapi-scale-data.ts) to a
 * migrated PostgreSQL database with no statements yet, server-side (INSERT ... SELECT over
 * generate_series): the statement tables' indexes and keys are dropped for the load and built once
 * after it, then VACUUM (ANALYZE). Not for a database that serves traffic.
 */
export async function loadPostgresXapiStatements(pool: Pool, plan: XapiScalePlan): Promise<{ statements: number; rows: number }> {
  const client = await pool.connect();
  const step = (table: string, done: number, total: number) => plan.onProgress?.({ table, done, total });
  try {
    const { rows: existing } = await client.query<{ n: string }>('SELECT count(*) AS n FROM xapi_statements');
    if (Number(existing[0]!.n) !== 0) throw new Error('loadPostgresXapiStatements needs a database with no statements');
    await client.query("SET maintenance_work_mem = '1GB'");
    const { rows: constraints } = await client.query<{ table: string; name: string; def: string }>(
      `SELECT conrelid::regclass::text AS table, conname AS name, pg_get_constraintdef(oid) AS def
       FROM pg_constraint WHERE conrelid::regclass::text = ANY($1) AND contype IN ('p', 'u')`,
      [TABLES],
    );
    const { rows: indexes } = await client.query<{ name: string; def: string }>(
      `SELECT indexname AS name, indexdef AS def FROM pg_indexes
       WHERE tablename = ANY($1) AND indexname NOT IN (SELECT conname FROM pg_constraint WHERE contype IN ('p', 'u'))`,
      [TABLES],
    );
    for (const index of indexes) await client.query(`DROP INDEX ${index.name}`);
    for (const c of constraints) await client.query(`ALTER TABLE ${c.table} DROP CONSTRAINT ${c.name}`);

    await client.query(
      `INSERT INTO lrs_credentials (name, key, secret_hash, created_at) VALUES ('Scale player', $1, 'not-a-hash', $2)
       ON CONFLICT (key) DO NOTHING`,
      [SCALE_AUTHORITY.name, plan.now - plan.spanMs],
    );
    const s = scaleStatementSql('g', plan);
    const hex = (value: string, width: number) => `lpad(to_hex(${value}), ${width}, '0')`;
    const idOf = (g: string) => `${hex(`(${g} * 2654435761) % 4294967296`, 8)} || '-' || ${hex(`${g} % 65536`, 4)} || '-4000-8000-' || ${hex(g, 12)}`;
    const iso = (ms: string) => `to_char(to_timestamp(${ms} / 1000.0) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
    const authority = `json_build_object('objectType', 'Agent', 'account', json_build_object('homePage', '${SCALE_AUTHORITY.homePage}', 'name', '${SCALE_AUTHORITY.name}'))`;
    let rows = 0;
    for (let from = 1; from <= plan.statements; from += CHUNK) {
      const to = Math.min(plan.statements, from + CHUNK - 1);
      const statements = await client.query(
        `INSERT INTO xapi_statements (seq, statement_id, body, stored_at, verb_id, registration, refers_to, voids, voided, actor_key, credential_id)
         SELECT g, id,
                json_build_object(
                  'id', id,
                  'actor', json_build_object('objectType', 'Agent', 'mbox', 'mailto:reader' || reader || '@scale.test'),
                  'verb', json_build_object('id', verb_id, 'display', json_build_object('en-US', verb)),
                  'object', CASE WHEN voiding THEN json_build_object('objectType', 'StatementRef', 'id', refers_to)
                                 ELSE json_build_object('objectType', 'Activity', 'id', '${SCALE_CONTENT}/activity/' || activity) END,
                  'context', json_strip_nulls(json_build_object('registration', registration,
                     'contextActivities', CASE WHEN NOT voiding THEN json_build_object(
                        'parent', json_build_array(json_build_object('id', '${SCALE_CONTENT}/module/' || activity / 10)),
                        'grouping', json_build_array(json_build_object('id', '${SCALE_CONTENT}/course/' || activity / 100))) END)),
                  'timestamp', ${iso('stored_at')}, 'stored', ${iso('stored_at')},
                  'authority', ${authority}, 'version', '1.0.0')::text,
                stored_at, verb_id, registration, refers_to, CASE WHEN voiding THEN 1 ELSE 0 END, 0,
                'mbox:mailto:reader' || reader || '@scale.test', 1
         FROM (
           SELECT g, ${idOf('g')} AS id, ${s.reader} AS reader, ${s.activity} AS activity, ${s.storedAt} AS stored_at, v.voiding,
                  CASE WHEN v.voiding THEN 'voided' ELSE ${s.verbName} END AS verb,
                  '${ADL_VERBS}' || CASE WHEN v.voiding THEN 'voided' ELSE ${s.verbName} END AS verb_id,
                  CASE WHEN v.voiding THEN ${idOf(`(g - ${VOID_BACK})`)} END AS refers_to,
                  CASE WHEN g % 3 = 0 THEN ${hex(s.reader, 8)} || '-0000-4000-8000-' || ${hex(`${s.activity} / 1000`, 12)} END AS registration
           FROM generate_series($1::bigint, $2::bigint) AS g, LATERAL (SELECT ${s.isVoiding} AS voiding) AS v
         ) AS x`,
        [from, to],
      );
      rows += statements.rowCount ?? 0;
      rows +=
        (await client.query(`INSERT INTO xapi_statement_targets (seq, target_seq) SELECT g, g FROM generate_series($1::bigint, $2::bigint) AS g`, [from, to])).rowCount ?? 0;
      rows +=
        (
          await client.query(
            `INSERT INTO xapi_statement_agents (agent_key, related, seq, stored_at)
             SELECT 'mbox:mailto:reader' || ${s.reader} || '@scale.test', 0, g, ${s.storedAt} FROM generate_series($1::bigint, $2::bigint) AS g
             UNION ALL
             SELECT 'account:${SCALE_AUTHORITY.homePage} ${SCALE_AUTHORITY.name}', 1, g, ${s.storedAt} FROM generate_series($1::bigint, $2::bigint) AS g`,
            [from, to],
          )
        ).rowCount ?? 0;
      rows +=
        (
          await client.query(
            `INSERT INTO xapi_statement_activities (activity_id, related, seq, stored_at)
             SELECT '${SCALE_CONTENT}/' || k.path || (a.activity / k.per), k.related, a.g, a.stored_at
             FROM (SELECT g, ${s.activity} AS activity, ${s.storedAt} AS stored_at FROM generate_series($1::bigint, $2::bigint) AS g WHERE NOT ${s.isVoiding}) AS a,
                  (VALUES ('activity/', 1, 0), ('module/', 10, 1), ('course/', 100, 1)) AS k(path, per, related)`,
            [from, to],
          )
        ).rowCount ?? 0;
      step('xapi statements (+ targets, agents, activities)', to, plan.statements);
    }
    // StatementRefs reach their target; the voided statements drop out of queries.
    await client.query(
      `INSERT INTO xapi_statement_targets (seq, target_seq) SELECT s.seq, s.seq - ${VOID_BACK} FROM xapi_statements s WHERE s.refers_to IS NOT NULL`,
    );
    await client.query(`UPDATE xapi_statements SET voided = 1 WHERE seq IN (SELECT seq - ${VOID_BACK} FROM xapi_statements WHERE voids = 1)`);
    await client.query(
      `INSERT INTO xapi_activities (activity_id, definition)
       SELECT '${SCALE_CONTENT}/activity/' || a, json_build_object('name', json_build_object('en-US', 'Activity ' || a), 'type', 'http://adlnet.gov/expapi/activities/lesson')::text
       FROM generate_series(0, $1::int - 1) AS a ON CONFLICT (activity_id) DO NOTHING`,
      [plan.activities],
    );
    await client.query(`SELECT setval(pg_get_serial_sequence('xapi_statements', 'seq'), greatest(1, $1::bigint))`, [plan.statements]);
    for (const c of constraints) {
      const started = Date.now();
      await client.query(`ALTER TABLE ${c.table} ADD CONSTRAINT ${c.name} ${c.def}`);
      step(`constraint ${c.name} (${((Date.now() - started) / 1000).toFixed(0)} s)`, 1, 1);
    }
    for (const index of indexes) {
      const started = Date.now();
      await client.query(index.def);
      step(`index ${index.name} (${((Date.now() - started) / 1000).toFixed(0)} s)`, 1, 1);
    }
    // VACUUM as well: it sets the visibility map, so index-only scans (an agent's or an activity's
    // seqs, a time window's) skip the heap, as they do once autovacuum has been over a table that
    // grew by inserts; right after a load they would fetch every row's heap page.
    const vacuumStarted = Date.now();
    await client.query(`VACUUM (ANALYZE) ${TABLES.join(', ')}, xapi_activities`);
    step(`VACUUM (ANALYZE) (${((Date.now() - vacuumStarted) / 1000).toFixed(0)} s)`, 1, 1);
    return { statements: plan.statements, rows };
  } finally {
    client.release();
  }
}
