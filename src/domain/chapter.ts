import { AppError } from './app-error.js';

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

/**
 * A new order of the program: `ids` must name every current chapter exactly once. Throws
 * `invalid_request` otherwise; both engines check it inside the reorder's transaction.
 */
export function checkChapterOrder(current: readonly string[], ids: readonly string[]): void {
  const given = new Set(ids);
  if (given.size !== ids.length || ids.length !== current.length || !current.every((id) => given.has(id))) {
    throw new AppError('invalid_request', 'ids must name every chapter exactly once.');
  }
}

/** The error for a chapter id that names no chapter. */
export function chapterNotFound(): AppError {
  return new AppError('not_found', 'No chapter has that id.');
}
