import type { Chapter } from '../chapter.js';

/**
 * The reading program's chapters and their order.
 * Methods throw AppError with the codes named in their comments; anything else is `internal`.
 */
export interface ChaptersPort {
  /** The reading program's chapters in order. */
  listChapters(): Promise<Chapter[]>;

  /** Adds a chapter at the end of the program. Throws `conflict` if the id exists. */
  createChapter(input: { id: string; title: string }): Promise<Chapter>;

  /** Renames a chapter. Throws `not_found` for an unknown id. */
  updateChapter(id: string, input: { title: string }): Promise<Chapter>;

  /**
   * Puts the chapters in the given order. Throws `invalid_request` unless `ids` names every
   * chapter exactly once.
   */
  reorderChapters(ids: readonly string[]): Promise<Chapter[]>;
}
