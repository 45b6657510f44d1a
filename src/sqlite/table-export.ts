import type { SourceTable, TableSource } from '../domain/index.js';
import { openDatabase } from './open-database.js';

/**
 * Opens the SQLite database at `path` read-only as the source of `readpulse copy`: every table
 * but SQLite's own and schema_migrations, parents before the tables whose foreign keys name them.
 * Throws if the file is not a SQLite database.
 */
export function exportTables(path: string): TableSource {
  const db = openDatabase({ path, readonly: true });
  const names = (
    db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").all() as {
      name: string;
    }[]
  )
    .map((row) => row.name)
    .filter((name) => name !== 'schema_migrations');
  const parents = new Map(
    names.map((name) => [name, (db.pragma(`foreign_key_list("${name}")`) as { table: string }[]).map((fk) => fk.table)]),
  );
  const ordered: string[] = [];
  const visit = (name: string, path: readonly string[]) => {
    if (ordered.includes(name) || path.includes(name)) return;
    for (const parent of parents.get(name) ?? []) if (parent !== name) visit(parent, [...path, name]);
    ordered.push(name);
  };
  for (const name of names) visit(name, []);

  const hasSequences = db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_sequence'").get() !== undefined;
  const tables: SourceTable[] = ordered.map((name) => {
    const info = db.pragma(`table_info("${name}")`) as { name: string; pk: number }[];
    const columns = info.map((c) => c.name);
    const key = info.filter((c) => c.pk > 0).sort((a, b) => a.pk - b.pk).map((c) => `"${c.name}"`);
    const order = key.length > 0 ? key.join(', ') : 'rowid';
    const rowCount = (db.prepare(`SELECT count(*) AS n FROM "${name}"`).get() as { n: number }).n;
    const lastId = hasSequences
      ? ((db.prepare('SELECT seq FROM sqlite_sequence WHERE name = ?').pluck().get(name) as number | undefined) ?? null)
      : null;
    return {
      name,
      columns,
      rowCount,
      lastId,
      *batches(size: number) {
        const select = db.prepare(`SELECT ${columns.map((c) => `"${c}"`).join(', ')} FROM "${name}" ORDER BY ${order}`).raw();
        let batch: unknown[][] = [];
        for (const row of select.iterate() as Iterable<unknown[]>) {
          batch.push(row);
          if (batch.length === size) {
            yield batch;
            batch = [];
          }
        }
        if (batch.length > 0) yield batch;
      },
    };
  });
  return { tables, close: () => db.close() };
}
