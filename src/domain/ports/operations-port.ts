
/**
 * The database as operators see it: alive, and copied.
 * Methods throw AppError with the codes named in their comments; anything else is `internal`.
 */
export interface OperationsPort {
  /** Resolves when the database answers; throws otherwise. */
  ping(): Promise<void>;

  /** Writes a consistent copy of the live database to `path`. */
  backup(path: string): Promise<void>;

  /** Flushes pending writes and closes the database. */
  close(): Promise<void>;
}
