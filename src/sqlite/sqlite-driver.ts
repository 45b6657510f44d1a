import type BetterSqlite3 from 'better-sqlite3';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/**
 * The better-sqlite3 module for this Node.js: version 13 (installed as the optional
 * `better-sqlite3-node22`) on Node 22 and later, version 12 on Node 20. Version 12 can abort the
 * process on Node 24.19+ when a statement is finalized outside a JavaScript context, so Node 22+
 * never falls back to it. See ADR 0011.
 */
export const SqliteDriver: typeof BetterSqlite3 = require(
  Number(process.versions.node.split('.')[0]) >= 22 ? 'better-sqlite3-node22' : 'better-sqlite3',
) as typeof BetterSqlite3;
