import { AppError, type CopyProgress, type CopyReport, type TableSource } from '../domain/index.js';
import type { Pool, PoolClient } from './open-pool.js';

const BATCH_ROWS = 5_000;
/** Tables the migrations fill with their starting rows: replaced by the source's, not counted as data. */
const SEEDED_BY_MIGRATIONS = new Set(['attention_rules', 'attention_sweep', 'live_ticks']);

/**
 * Copies every table of `source` into the migrated, empty database behind `pool`, in one
 * transaction: ids are kept, and each identity sequence is moved past the highest id the source
 * ever handed out, so sessions and cursors stay valid. Each table is one prepared `unnest` insert
 * whatever the batch size. Returns the counts verified in the target after COMMIT. Throws
 * `conflict` if the target holds any row, `invalid_request` if a table or column has no match.
 */
export async function importTables(pool: Pool, source: TableSource, progress: CopyProgress): Promise<CopyReport> {
  const client = await pool.connect();
  // A dropped connection also emits 'error' on a checked-out client; the pending query rejects.
  const ignore = () => undefined;
  client.on('error', ignore);
  try {
    await client.query('BEGIN');
    const targetTables = await applicationTables(client);
    for (const table of targetTables.filter((name) => !SEEDED_BY_MIGRATIONS.has(name))) {
      const { rows } = await client.query<{ any: boolean }>(`SELECT EXISTS (SELECT 1 FROM "${table}") AS any`);
      if (rows[0]?.any) {
        throw new AppError('conflict', `The target database is not empty (table ${table} has rows). Copy only into an empty database.`);
      }
    }
    for (const table of source.tables) {
      if (!targetTables.includes(table.name)) {
        throw new AppError('invalid_request', `The target has no table ${table.name}: are both databases of the same ReadPulse version?`);
      }
      const types = await columnTypes(client, table.name);
      const missing = table.columns.find((column) => !types.has(column));
      if (missing) throw new AppError('invalid_request', `The target's table ${table.name} has no column ${missing}.`);
      const casts = table.columns.map((column, i) => `$${i + 1}::text[]`).join(', ');
      // A transaction-id column (activity_logs.xid, migration 016) marks live rows: copied history is not live.
      const notLive = [...types].filter(([column, type]) => type === 'xid8' && !table.columns.includes(column)).map(([column]) => column);
      const select = [...table.columns.map((column, i) => `c${i}::${types.get(column)}`), ...notLive.map(() => 'NULL')].join(', ');
      const statement = {
        name: `readpulse-copy-${table.name}`,
        text: `INSERT INTO "${table.name}" (${[...table.columns, ...notLive].map((c) => `"${c}"`).join(', ')})
          SELECT ${select} FROM unnest(${casts}) AS t(${table.columns.map((_, i) => `c${i}`).join(', ')})`,
      };
      if (SEEDED_BY_MIGRATIONS.has(table.name)) await client.query(`DELETE FROM "${table.name}"`);
      let copied = 0;
      progress(table.name, 0, table.rowCount);
      for (const batch of table.batches(BATCH_ROWS)) {
        const columns = table.columns.map((_, i) => batch.map((row) => (row[i] === null ? null : String(row[i]))));
        await client.query({ ...statement, values: columns });
        copied += batch.length;
        progress(table.name, copied, table.rowCount);
      }
      await moveSequencesPast(client, table.name, table.lastId);
    }
    await client.query('COMMIT');
    const report: { name: string; source: number; target: number }[] = [];
    for (const table of source.tables) {
      const { rows } = await client.query<{ n: number }>(`SELECT count(*) AS n FROM "${table.name}"`);
      report.push({ name: table.name, source: table.rowCount, target: rows[0]?.n ?? 0 });
    }
    return { tables: report };
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.off('error', ignore);
    client.release();
  }
}

async function applicationTables(client: PoolClient): Promise<string[]> {
  const { rows } = await client.query<{ name: string }>(
    "SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'schema_migrations' ORDER BY tablename",
  );
  return rows.map((row) => row.name);
}

async function columnTypes(client: PoolClient, table: string): Promise<Map<string, string>> {
  const { rows } = await client.query<{ column_name: string; type: string }>(
    `SELECT a.attname AS column_name, format_type(a.atttypid, a.atttypmod) AS type
     FROM pg_attribute a WHERE a.attrelid = $1::regclass AND a.attnum > 0 AND NOT a.attisdropped`,
    [`"${table}"`],
  );
  return new Map(rows.map((row) => [row.column_name, row.type]));
}

/** Identity columns continue after the highest id in the table or ever handed out by the source. */
async function moveSequencesPast(client: PoolClient, table: string, lastId: number | null): Promise<void> {
  const { rows } = await client.query<{ column_name: string; sequence: string | null }>(
    `SELECT column_name, pg_get_serial_sequence($1, column_name) AS sequence
     FROM information_schema.columns WHERE table_schema = 'public' AND table_name = $2`,
    [`"${table}"`, table],
  );
  for (const { column_name: column, sequence } of rows) {
    if (sequence === null) continue;
    await client.query(`SELECT setval($1, greatest((SELECT coalesce(max("${column}"), 0) FROM "${table}"), $2::bigint) + 1, false)`, [
      sequence,
      lastId ?? 0,
    ]);
  }
}
