/**
 * Moving a whole database from one engine to another (`readpulse copy`), table by table, with
 * every column's value as the source stores it. Engine-neutral: each engine implements one side.
 */
export interface TableSource {
  /** The application's tables, parents before children, without the migrations record. */
  readonly tables: readonly SourceTable[];
  close(): void;
}

export interface SourceTable {
  readonly name: string;
  readonly columns: readonly string[];
  readonly rowCount: number;
  /** The highest id ever handed out (deleted rows included), for tables with generated ids. */
  readonly lastId: number | null;
  /** The rows in primary-key order, `size` at a time, each value in column order. */
  batches(size: number): Iterable<readonly unknown[][]>;
}

/** One line of progress: `copied` of `total` rows of `table`. */
export type CopyProgress = (table: string, copied: number, total: number) => void;

/** What a copy moved: per table, the rows in the source and the rows counted in the target afterwards. */
export interface CopyReport {
  readonly tables: readonly { readonly name: string; readonly source: number; readonly target: number }[];
}
