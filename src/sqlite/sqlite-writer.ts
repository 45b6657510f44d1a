/**
 * How the store's parts queue a write for the next group commit: `work` runs inside the write
 * transaction; `conflictMessage` words a uniqueness violation as a `conflict`.
 */
export type SqliteWriter = <T>(work: () => T, conflictMessage?: string) => Promise<T>;
