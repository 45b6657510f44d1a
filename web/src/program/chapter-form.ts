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
