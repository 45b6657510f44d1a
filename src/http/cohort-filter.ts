import { AppError, type ReaderFilter } from '../domain/index.js';

/**
 * The ids of a cohort's readers; throws `not_found` for an unknown cohort. The one seam through
 * which `?cohort=` reaches analytics and exports: the composition root passes the cohort store's
 * lookup, and the Store methods take the ids as a ReaderFilter.
 */
export type CohortMembers = (cohortId: number) => Promise<readonly number[]>;

/** Until cohorts are stored, every cohort id is unknown. */
export const noCohorts: CohortMembers = async () => {
  throw new AppError('not_found', 'No cohort has that id.');
};

/** The filter for an optional `?cohort=`: every reader without one. */
export async function readerFilterFor(members: CohortMembers, cohort: number | undefined): Promise<ReaderFilter> {
  return cohort === undefined ? {} : { readerIds: await members(cohort) };
}
