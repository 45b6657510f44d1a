import pg from 'pg';

export type Pool = pg.Pool;
export type PoolClient = pg.PoolClient;

export interface PoolOptions {
  /** postgres:// or postgresql:// URL. */
  readonly url: string;
  /** Connections in the pool. */
  readonly maxConnections?: number;
  /** Called when an idle connection fails (e.g. the server restarted); the pool replaces it. */
  readonly onIdleError?: (error: Error) => void;
  /** How its connections show in pg_stat_activity (default `readpulse`). */
  readonly applicationName?: string;
  /**
   * node-postgres's pipeline mode: each query goes to the server as soon as it is made, each
   * with its own Sync, without waiting for the answers before it (default off).
   */
  readonly pipeline?: boolean;
}

const INT8_OID = 20;
const JSON_OID = 114;
/** A connection attempt that has not succeeded after this long fails, so requests fail fast. */
const CONNECT_TIMEOUT_MS = 3_000;

/**
 * pg returns BIGINT as text because it may exceed 2^53. Every BIGINT here is an epoch-millisecond
 * time, an id or a count, all far below that; parsing checks it, so a value that could not
 * round-trip exactly fails loudly instead of being rounded (ADR 0014). json stays text: rows.ts
 * parses it, exactly as SQLite's rows are parsed.
 */
function parseInt8(text: string): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value)) throw new Error(`BIGINT ${text} is beyond JavaScript's exact integers.`);
  return value;
}

const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === INT8_OID) return parseInt8;
    if (oid === JSON_OID) return (text: string) => text;
    return pg.types.getTypeParser(oid, format);
  },
} as pg.CustomTypesConfig;

/** Opens a pool with ReadPulse's type parsing; no connection is made until the first query. */
export function openPool(options: PoolOptions): Pool {
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.maxConnections ?? 10,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    idleTimeoutMillis: 30_000,
    types,
    application_name: options.applicationName ?? 'readpulse',
    pipeline: options.pipeline ?? false,
  });
  // Without a listener, an idle connection's error (server restart) would crash the process.
  pool.on('error', (error) => options.onIdleError?.(error));
  return pool;
}
