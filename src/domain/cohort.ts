/** A named group of readers (a class, a book club); a reader may be in several. */
export interface Cohort {
  readonly id: number;
  readonly name: string;
  /** How many readers the cohort holds now. */
  readonly readerCount: number;
  /** Epoch milliseconds. */
  readonly createdAt: number;
}

/** Longest cohort name, in characters. */
export const MAX_COHORT_NAME_LENGTH = 100;
