import type { Cohort, CohortsPort } from '../domain/index.js';
import type { CohortRosters } from '../live/cohort-rosters.js';

export interface CohortMembershipDeps {
  readonly cohorts: Pick<CohortsPort, 'createCohort' | 'renameCohort' | 'deleteCohort' | 'addReaderToCohort' | 'removeReaderFromCohort'>;
  /** This process's in-memory rosters, which narrow live views by cohort; updated after each change. */
  readonly rosters: Pick<CohortRosters, 'added' | 'removed' | 'dropped'>;
}

/** Cohorts and who is in them; a change is stored, then the live rosters follow at once. */
export class CohortMembership {
  constructor(private readonly deps: CohortMembershipDeps) {}

  /** Creates a cohort (the name trimmed). Throws `conflict` if the name is taken. */
  create(name: string): Promise<Cohort> {
    return this.deps.cohorts.createCohort(name.trim());
  }

  /** Renames a cohort (the name trimmed). Throws `not_found` for an unknown id and `conflict` if the name is taken. */
  rename(cohortId: number, name: string): Promise<Cohort> {
    return this.deps.cohorts.renameCohort(cohortId, name.trim());
  }

  /** Deletes a cohort; its readers stay. Throws `not_found`. */
  async delete(cohortId: number): Promise<void> {
    await this.deps.cohorts.deleteCohort(cohortId);
    this.deps.rosters.dropped(cohortId);
  }

  /** Puts a reader in a cohort (idempotent). Throws `not_found` for an unknown cohort or reader. */
  async addReader(cohortId: number, readerId: number): Promise<void> {
    await this.deps.cohorts.addReaderToCohort(cohortId, readerId);
    this.deps.rosters.added(cohortId, readerId);
  }

  /** Takes a reader out of a cohort (idempotent). Throws `not_found` for an unknown cohort. */
  async removeReader(cohortId: number, readerId: number): Promise<void> {
    await this.deps.cohorts.removeReaderFromCohort(cohortId, readerId);
    this.deps.rosters.removed(cohortId, readerId);
  }
}
