/** One numbered schema migration, as an engine ships it in its migrations/ folder. */
export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

const MIGRATION_FILE = /^(\d{3,})_[a-z0-9_]+\.sql$/;

/**
 * The migrations among `fileNames` (NNN_name.sql; other files are ignored), in version order,
 * each with the text `read` gives for its file. The same rule for both engines' folders.
 */
export function orderedMigrations(fileNames: readonly string[], read: (fileName: string) => string): Migration[] {
  return fileNames
    .filter((file) => MIGRATION_FILE.test(file))
    .map((file) => ({ version: Number(MIGRATION_FILE.exec(file)![1]), name: file, sql: read(file) }))
    .sort((a, b) => a.version - b.version);
}
