import { AppError } from './app-error.js';
import { requireStorableText } from './stored-text.js';

/** One chapter of the reading program, in the order readers take them. */
export interface Chapter {
  readonly id: string;
  readonly title: string;
  /** 1-based place in the program. */
  readonly position: number;
  /**
   * The xAPI activity (an IRI) that stands for this chapter: statements about it move the
   * chapter's milestones. Null when none is set. No two chapters share one.
   */
  readonly activityId: string | null;
}

/** The longest activityId a chapter takes. */
export const MAX_ACTIVITY_ID_LENGTH = 2048;

/**
 * An IRI as xAPI names activities: a scheme, a colon, and no whitespace or characters that
 * cannot appear in an IRI. The LRS validates statements' IRIs with the same pattern, so a
 * chapter's activityId is always one a statement can name.
 */
export const IRI_PATTERN = '^[A-Za-z][A-Za-z0-9+.-]*:[^\\s<>"{}|\\\\^`]*$';
const IRI = new RegExp(IRI_PATTERN, 'u');

/**
 * Throws `invalid_request` unless `activityId` is null or an IRI with a scheme of at most
 * MAX_ACTIVITY_ID_LENGTH characters that can be stored. Both engines check it before a write.
 */
export function checkActivityId(activityId: string | null | undefined): void {
  if (activityId === null || activityId === undefined) return;
  if (activityId.length > MAX_ACTIVITY_ID_LENGTH) {
    throw new AppError('invalid_request', `activityId must be at most ${MAX_ACTIVITY_ID_LENGTH} characters.`);
  }
  requireStorableText('activityId', activityId);
  if (!IRI.test(activityId)) throw new AppError('invalid_request', 'activityId must be an IRI with a scheme, such as https://example.org/chapter-1.');
}

/** The error for an activityId another chapter carries already. */
export function activityIdTaken(otherChapterId: string): AppError {
  return new AppError('conflict', `activityId is already the activity of chapter "${otherChapterId}"; a chapter's activityId must be its own.`);
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
