import type { Pool, PoolClient } from './open-pool.js';

/** Parameters by position (`?`) or by name (`@name`), as the SQLite statements take them. */
export type Params = readonly unknown[] | Readonly<Record<string, unknown>>;

/** Queries on a pool (reads) or on the batched writer's transaction (writes). */
export interface Sql {
  all<R = Record<string, unknown>>(text: string, params?: Params): Promise<R[]>;
  get<R = Record<string, unknown>>(text: string, params?: Params): Promise<R | undefined>;
  /** Runs a statement and returns how many rows it changed. */
  run(text: string, params?: Params): Promise<number>;
}

/** How the store's parts queue a write: `work` runs inside the batch's transaction. */
export type PostgresWriter = <T>(work: (sql: Sql) => Promise<T>, conflictMessage?: string) => Promise<T>;

/**
 * Rewrites `?` and `@name` placeholders into PostgreSQL's `$n`, so a statement reads as its
 * SQLite twin does; a name used twice is one parameter.
 */
export function bind(text: string, params: Params = []): { text: string; values: unknown[] } {
  if (Array.isArray(params)) {
    let n = 0;
    return { text: text.replace(/\?/g, () => `$${++n}`), values: [...params] };
  }
  const named = params as Readonly<Record<string, unknown>>;
  const order: string[] = [];
  const rewritten = text.replace(/@([A-Za-z_][A-Za-z0-9_]*)/g, (_, name: string) => {
    if (!(name in named)) throw new Error(`No value for @${name}.`);
    let index = order.indexOf(name);
    if (index < 0) index = order.push(name) - 1;
    return `$${index + 1}`;
  });
  return { text: rewritten, values: order.map((name) => named[name]) };
}

/** Sql on a pool or a checked-out client. */
export function sqlOn(db: Pick<Pool | PoolClient, 'query'>): Sql {
  const query = async (text: string, params?: Params) => {
    const bound = bind(text, params);
    return db.query(bound.text, bound.values);
  };
  return {
    all: async <R>(text: string, params?: Params) => (await query(text, params)).rows as R[],
    get: async <R>(text: string, params?: Params) => (await query(text, params)).rows[0] as R | undefined,
    run: async (text: string, params?: Params) => (await query(text, params)).rowCount ?? 0,
  };
}
