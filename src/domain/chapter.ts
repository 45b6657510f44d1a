/** One chapter of the reading program, in the order readers take them. */
export interface Chapter {
  readonly id: string;
  readonly title: string;
  /** 1-based place in the program. */
  readonly position: number;
}

/** A reader with a chapter marked stuck, for the consultant's "Stuck" list. */
export interface StuckReader {
  readonly reader: import('./user.js').User;
  readonly chapterId: string;
  /** Epoch milliseconds since which the chapter has been stuck. */
  readonly since: number;
}
