import { readerNotFound, cohortNotFound, requireStorableText, type Clock, type Cohort, type CohortsPort } from '../domain/index.js';
import { COHORT_COLUMNS, toCohort, type CohortRow } from '../domain/storage/stored-rows.js';
import type { PostgresWriter, Sql } from './pg-sql.js';

const NAME_TAKEN = 'A cohort with that name exists already.';

/** Cohorts and their members on PostgreSQL, as SqliteCohorts. */
export class PostgresCohorts implements CohortsPort {
  constructor(
    private readonly read: Sql,
    private readonly clock: Clock,
    private readonly write: PostgresWriter,
  ) {}

  createCohort(name: string): Promise<Cohort> {
    const now = this.clock.now();
    return this.write(async (sql) => {
      requireStorableText('name', name);
      const { id } = (await sql.get<{ id: number }>('INSERT INTO cohorts (name, created_at) VALUES (?, ?) RETURNING id', [name, now]))!;
      return this.getOn(sql, id);
    }, NAME_TAKEN);
  }

  async listCohorts(): Promise<Cohort[]> {
    return (await this.read.all<CohortRow>(`SELECT ${COHORT_COLUMNS} FROM cohorts c ORDER BY c.name, c.id`)).map(toCohort);
  }

  get(id: number): Promise<Cohort> {
    return this.getOn(this.read, id);
  }

  /** Throws `not_found` unless the cohort exists; for filters that take a cohort id. */
  async requireExists(id: number, sql: Sql = this.read): Promise<void> {
    if (!(await sql.get('SELECT 1 FROM cohorts WHERE id = ?', [id]))) throw cohortNotFound();
  }

  /** A cohort filter's parameter: null for none; throws `not_found` for an unknown cohort. */
  async filter(cohortId: number | undefined): Promise<number | null> {
    if (cohortId === undefined) return null;
    await this.requireExists(cohortId);
    return cohortId;
  }

  renameCohort(id: number, name: string): Promise<Cohort> {
    return this.write(async (sql) => {
      requireStorableText('name', name);
      if ((await sql.run('UPDATE cohorts SET name = ? WHERE id = ?', [name, id])) === 0) throw cohortNotFound();
      return this.getOn(sql, id);
    }, NAME_TAKEN);
  }

  deleteCohort(id: number): Promise<void> {
    return this.write(async (sql) => {
      if ((await sql.run('DELETE FROM cohorts WHERE id = ?', [id])) === 0) throw cohortNotFound();
    });
  }

  addReaderToCohort(cohortId: number, readerId: number): Promise<void> {
    const now = this.clock.now();
    return this.write(async (sql) => {
      await this.requireExists(cohortId, sql);
      if (!(await sql.get("SELECT 1 FROM users WHERE id = ? AND role = 'reader'", [readerId]))) {
        throw readerNotFound();
      }
      await sql.run(
        `INSERT INTO cohort_members (cohort_id, reader_id, added_at) VALUES (?, ?, ?)
         ON CONFLICT (cohort_id, reader_id) DO NOTHING`,
        [cohortId, readerId, now],
      );
    });
  }

  removeReaderFromCohort(cohortId: number, readerId: number): Promise<void> {
    return this.write(async (sql) => {
      await this.requireExists(cohortId, sql);
      await sql.run('DELETE FROM cohort_members WHERE cohort_id = ? AND reader_id = ?', [cohortId, readerId]);
    });
  }

  async listCohortReaderIds(cohortId: number): Promise<number[]> {
    await this.requireExists(cohortId);
    const rows = await this.read.all<{ reader_id: number }>(
      'SELECT reader_id FROM cohort_members WHERE cohort_id = ? ORDER BY reader_id',
      [cohortId],
    );
    return rows.map((r) => r.reader_id);
  }

  async listReaderCohortIds(readerId: number): Promise<number[]> {
    const rows = await this.read.all<{ cohort_id: number }>(
      'SELECT cohort_id FROM cohort_members WHERE reader_id = ? ORDER BY cohort_id',
      [readerId],
    );
    return rows.map((r) => r.cohort_id);
  }

  private async getOn(sql: Sql, id: number): Promise<Cohort> {
    const row = await sql.get<CohortRow>(`SELECT ${COHORT_COLUMNS} FROM cohorts c WHERE c.id = ?`, [id]);
    if (!row) throw cohortNotFound();
    return toCohort(row);
  }
}
