import { readerNotFound, cohortNotFound, requireStorableText, type Clock, type Cohort, type CohortsPort } from '../domain/index.js';
import { COHORT_COLUMNS, toCohort, type CohortRow } from '../domain/storage/stored-rows.js';
import type { Database } from './open-database.js';
import type { SqliteWriter } from './sqlite-writer.js';

const NAME_TAKEN = 'A cohort with that name exists already.';

/** Cohorts and their members on SQLite. */
export class SqliteCohorts implements CohortsPort {
  private readonly sql;

  constructor(
    db: Database,
    private readonly clock: Clock,
    private readonly write: SqliteWriter,
  ) {
    this.sql = {
      insert: db.prepare('INSERT INTO cohorts (name, created_at) VALUES (?, ?) RETURNING id'),
      byId: db.prepare(`SELECT ${COHORT_COLUMNS} FROM cohorts c WHERE c.id = ?`),
      all: db.prepare(`SELECT ${COHORT_COLUMNS} FROM cohorts c ORDER BY c.name, c.id`),
      rename: db.prepare('UPDATE cohorts SET name = ? WHERE id = ?'),
      delete: db.prepare('DELETE FROM cohorts WHERE id = ?'),
      exists: db.prepare('SELECT 1 FROM cohorts WHERE id = ?').pluck(),
      readerExists: db.prepare("SELECT 1 FROM users WHERE id = ? AND role = 'reader'").pluck(),
      addMember: db.prepare(
        `INSERT INTO cohort_members (cohort_id, reader_id, added_at) VALUES (?, ?, ?)
         ON CONFLICT (cohort_id, reader_id) DO NOTHING`,
      ),
      removeMember: db.prepare('DELETE FROM cohort_members WHERE cohort_id = ? AND reader_id = ?'),
      memberIds: db.prepare('SELECT reader_id FROM cohort_members WHERE cohort_id = ? ORDER BY reader_id').pluck(),
      cohortsOf: db.prepare('SELECT cohort_id FROM cohort_members WHERE reader_id = ? ORDER BY cohort_id').pluck(),
    };
  }

  createCohort(name: string): Promise<Cohort> {
    const now = this.clock.now();
    return this.write(() => {
      requireStorableText('name', name);
      const { id } = this.sql.insert.get(name, now) as { id: number };
      return this.get(id);
    }, NAME_TAKEN);
  }

  async listCohorts(): Promise<Cohort[]> {
    return (this.sql.all.all() as CohortRow[]).map(toCohort);
  }

  get(id: number): Cohort {
    const row = this.sql.byId.get(id) as CohortRow | undefined;
    if (!row) throw cohortNotFound();
    return toCohort(row);
  }

  /** Throws `not_found` unless the cohort exists; for filters that take a cohort id. */
  requireExists(id: number): void {
    if (!this.sql.exists.get(id)) throw cohortNotFound();
  }

  /** A cohort filter's SQL parameter: null for none; throws `not_found` for an unknown cohort. */
  filter(cohortId: number | undefined): number | null {
    if (cohortId === undefined) return null;
    this.requireExists(cohortId);
    return cohortId;
  }

  renameCohort(id: number, name: string): Promise<Cohort> {
    return this.write(() => {
      requireStorableText('name', name);
      if (this.sql.rename.run(name, id).changes === 0) throw cohortNotFound();
      return this.get(id);
    }, NAME_TAKEN);
  }

  deleteCohort(id: number): Promise<void> {
    return this.write(() => {
      if (this.sql.delete.run(id).changes === 0) throw cohortNotFound();
    });
  }

  addReaderToCohort(cohortId: number, readerId: number): Promise<void> {
    const now = this.clock.now();
    return this.write(() => this.addReaderNow(cohortId, readerId, now));
  }

  /** Inside a write: adds a reader, idempotently. Throws `not_found` for an unknown cohort or reader. */
  addReaderNow(cohortId: number, readerId: number, now: number): void {
    this.requireExists(cohortId);
    if (!this.sql.readerExists.get(readerId)) throw readerNotFound();
    this.sql.addMember.run(cohortId, readerId, now);
  }

  removeReaderFromCohort(cohortId: number, readerId: number): Promise<void> {
    return this.write(() => {
      this.requireExists(cohortId);
      this.sql.removeMember.run(cohortId, readerId);
    });
  }

  async listCohortReaderIds(cohortId: number): Promise<number[]> {
    this.requireExists(cohortId);
    return this.sql.memberIds.all(cohortId) as number[];
  }

  async listReaderCohortIds(readerId: number): Promise<number[]> {
    return this.sql.cohortsOf.all(readerId) as number[];
  }
}
