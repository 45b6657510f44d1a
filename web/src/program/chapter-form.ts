import { isApiError } from '../api/api-error.js';

/** Same rule as the server's chapter id: letters, digits, '.', '_' and '-', 1 to 64 long. */
const CHAPTER_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
export const MAX_CHAPTER_TITLE_LENGTH = 200;

/** Why a chapter id cannot be used, or null if it can. */
export function chapterIdProblem(id: string): string | null {
  if (id.trim() === '') return 'Enter an ID for the chapter.';
  if (!CHAPTER_ID_PATTERN.test(id.trim())) {
    return 'The ID may use letters, digits, dots, dashes and underscores (up to 64), starting with a letter or digit.';
  }
  return null;
}

/** Why a chapter title cannot be used, or null if it can. */
export function chapterTitleProblem(title: string): string | null {
  if (title.trim() === '') return 'Enter a title for the chapter.';
  if (title.trim().length > MAX_CHAPTER_TITLE_LENGTH) {
    return `The title can be at most ${MAX_CHAPTER_TITLE_LENGTH} characters.`;
  }
  return null;
}

/** The longest activity IRI a chapter may carry (as the server's schema). */
export const MAX_ACTIVITY_ID_LENGTH = 2048;

/**
 * An absolute IRI: a scheme (a letter, then letters, digits, '+', '-' or '.'), a colon, and
 * something after it, with no spaces or the characters an IRI may not hold. The same rule as the
 * LRS applies to statements' activity ids, so what a chapter carries can match them.
 */
const ABSOLUTE_IRI_PATTERN = /^[A-Za-z][A-Za-z0-9+.-]*:[^\s<>"{}|\\^`]+$/u;

/** Why an activity IRI cannot be used, or null if it can; an empty field means the chapter has none. */
export function activityIdProblem(iri: string): string | null {
  const value = iri.trim();
  if (value === '') return null;
  if (value.length > MAX_ACTIVITY_ID_LENGTH) return `The activity IRI can be at most ${MAX_ACTIVITY_ID_LENGTH} characters.`;
  if (!ABSOLUTE_IRI_PATTERN.test(value)) {
    return 'Enter an absolute IRI with a scheme, e.g. https://books.example/ch-07 (no spaces).';
  }
  return null;
}

/** The message beside the IRI field when the server says another chapter already uses it. */
export const ACTIVITY_ID_TAKEN = 'This IRI is already used by another chapter.';

/**
 * Whether a failed save was refused because another chapter carries the IRI: a 409 to a request
 * that sent one, whose problem speaks of the activity IRI (a 409 for a taken chapter ID does not).
 */
export function isActivityIdTaken(error: unknown, sentActivityId: string | null): boolean {
  if (!isApiError(error, 409) || sentActivityId === null || sentActivityId === '') return false;
  return /activity/i.test(`${error.code} ${error.detail}`);
}

/**
 * The ids with the one at `index` moved by `offset` places (-1 up, +1 down). Moving past either
 * end leaves the order as it was.
 */
export function moveId(ids: readonly string[], index: number, offset: number): string[] {
  const target = index + offset;
  const moved = [...ids];
  if (index < 0 || index >= ids.length || target < 0 || target >= ids.length) return moved;
  const [item] = moved.splice(index, 1);
  if (item !== undefined) moved.splice(target, 0, item);
  return moved;
}
