import { existsSync, renameSync, rmSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { describeDatabase } from '../config.js';
import { UsageError, type CliDeps } from './run-cli.js';

/**
 * `readpulse backup FILE`: a consistent copy of the live database, safe while the server runs
 * (SQLite: a database file; PostgreSQL: a pg_dump archive).
 * Written beside FILE first and renamed into place, so FILE is never a half-written copy.
 */
export async function backupCommand(args: readonly string[], deps: CliDeps): Promise<number> {
  if (args.length !== 1 || args[0]!.startsWith('-')) throw new UsageError('backup takes one argument: the FILE to write.');
  const target = resolve(args[0]!);
  if (existsSync(target)) throw new UsageError(`${target} exists already; choose a new file name.`);
  if (deps.config.engine === 'sqlite' && target === resolve(deps.config.databasePath)) {
    throw new UsageError('The backup cannot replace the live database.');
  }
  const partial = `${target}.partial-${process.pid}`;
  const store = await deps.openStore();
  try {
    deps.stderr.write(`Backing up ${describeDatabase(deps.config)} ...\n`);
    await store.operations.backup(partial);
    renameSync(partial, target);
    deps.stdout.write(`Backup written to ${target} (${(statSync(target).size / 1024 / 1024).toFixed(1)} MiB).\n`);
    if (deps.config.engine === 'postgres') {
      deps.stdout.write(`It is a pg_dump archive: restore it into an empty database with pg_restore --no-owner --dbname=URL ${target}\n`);
    }
    return 0;
  } catch (error) {
    rmSync(partial, { force: true });
    throw error;
  } finally {
    await store.operations.close();
  }
}
