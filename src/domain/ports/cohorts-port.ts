import type { Cohort } from '../cohort.js';

/**
 * Named groups of readers.
 * Methods throw AppError with the codes named in their comments; anything else is `internal`.
 */
export interface CohortsPort {
  /** Creates a cohort with no readers. Throws `conflict` if the name is taken. */
  createCohort(name: string): Promise<Cohort>;

  /** Every cohort, by name. */
  listCohorts(): Promise<Cohort[]>;

  /** Renames a cohort. Throws `not_found` for an unknown id and `conflict` if the name is taken. */
  renameCohort(cohortId: number, name: string): Promise<Cohort>;

  /** Deletes a cohort; its readers stay, and invites into it keep working without a cohort. Throws `not_found`. */
  deleteCohort(cohortId: number): Promise<void>;

  /** Puts a reader in a cohort; idempotent. Throws `not_found` for an unknown cohort or reader. */
  addReaderToCohort(cohortId: number, readerId: number): Promise<void>;

  /** Takes a reader out of a cohort; idempotent. Throws `not_found` for an unknown cohort. */
  removeReaderFromCohort(cohortId: number, readerId: number): Promise<void>;

  /** The ids of a cohort's readers, ascending. Throws `not_found` for an unknown cohort. */
  listCohortReaderIds(cohortId: number): Promise<number[]>;

  /** The ids of the cohorts a user is in, ascending; none for an unknown user. */
  listReaderCohortIds(readerId: number): Promise<number[]>;
}
