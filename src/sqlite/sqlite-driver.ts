import type BetterSqlite3 from 'better-sqlite3';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/**
 * The better-sqlite3 module for this Node.js. Version 12 is the last to support Node 20, but on
 * Node 24.19+ its Statement finalizer can abort the process when a garbage-collected statement is
 * finalized outside a JavaScript context. Version 13 fixes that and requires Node 22, so npm
 * installs it (as the optional `better-sqlite3-node22`) only where it can run. See ADR 0008.
 */
export const SqliteDriver: typeof BetterSqlite3 = loadDriver();

function loadDriver(): typeof BetterSqlite3 {
  const major = Number(process.versions.node.split('.')[0]);
  if (major >= 22) {
    try {
      return require('better-sqlite3-node22') as typeof BetterSqlite3;
    } catch {
      // not installed (e.g. a lock made without it): fall back to version 12
    }
  }
  return require('better-sqlite3') as typeof BetterSqlite3;
}
