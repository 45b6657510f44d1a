import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { describeDatabase } from '../config.js';
import { AppError } from '../domain/index.js';
import { parseOptions, UsageError, type CliDeps } from './run-cli.js';

/** Progress is printed at most once per this many rows of a table, and at each table's end. */
const PROGRESS_EVERY = 50_000;

/**
 * `readpulse copy --from FILE.db`: copies a SQLite database into the (empty) PostgreSQL database
 * of READPULSE_DATABASE_URL, ids and sequences kept, printing progress and the verified counts.
 * Exit 1 when the target is not empty or the counts differ.
 */
export async function copyCommand(args: readonly string[], deps: CliDeps): Promise<number> {
  const { values, positionals } = parseOptions(args, { from: { type: 'string' } });
  if (positionals.length > 0) throw new UsageError(`Unexpected argument "${positionals[0]}".`);
  if (!values.from) throw new UsageError('copy needs --from FILE.db, the SQLite database to copy.');
  if (deps.config.engine !== 'postgres') {
    throw new AppError('invalid_request', 'readpulse copy writes into PostgreSQL: set READPULSE_DATABASE_URL to the target database.');
  }
  const from = resolve(values.from);
  if (!existsSync(from)) throw new AppError('not_found', `${from} does not exist.`);

  deps.stderr.write(`Copying ${from} into ${describeDatabase(deps.config)} ...\n`);
  const shown = new Map<string, number>();
  const report = await deps.copyFromSqlite(from, (table, copied, total) => {
    const last = shown.get(table) ?? -1;
    if (copied === total || copied - last >= PROGRESS_EVERY || last < 0) {
      shown.set(table, copied);
      deps.stderr.write(`  ${table}: ${copied.toLocaleString('en')} of ${total.toLocaleString('en')} rows\n`);
    }
  });
  const mismatched = report.tables.filter((table) => table.source !== table.target);
  for (const table of report.tables) {
    deps.stdout.write(
      `${table.name}: ${table.source.toLocaleString('en')} in the source, ${table.target.toLocaleString('en')} in the target${table.source === table.target ? '' : '  MISMATCH'}\n`,
    );
  }
  if (mismatched.length > 0) {
    deps.stderr.write(`readpulse: the counts differ for ${mismatched.map((t) => t.name).join(', ')}.\n`);
    return 1;
  }
  deps.stdout.write(`Copied ${report.tables.length} tables; every count verified.\n`);
  return 0;
}
