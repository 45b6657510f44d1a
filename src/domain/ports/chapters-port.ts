import type { Chapter } from '../chapter.js';

/**
 * The reading program's chapters and their order.
 * Methods throw AppError with the codes named in their comments; anything else is `internal`.
 */
export interface ChaptersPort {
  /** The reading program's chapters in order. */
  listChapters(): Promise<Chapter[]>;

  /**
   * Adds a chapter at the end of the program, with the xAPI activity that stands for it (none
   * unless given). Throws `conflict` if the id exists or another chapter carries the activityId,
   * `invalid_request` for an activityId that is not an IRI (see checkActivityId).
   */
  createChapter(input: { id: string; title: string; activityId?: string | null }): Promise<Chapter>;

  /**
   * Renames a chapter and/or sets its activityId (null clears it); what `input` leaves out stays.
   * Throws `not_found` for an unknown id, `conflict` if another chapter carries the activityId,
   * `invalid_request` for an activityId that is not an IRI. A refused change changes nothing.
   */
  updateChapter(id: string, input: { title?: string; activityId?: string | null }): Promise<Chapter>;

  /**
   * Puts the chapters in the given order. Throws `invalid_request` unless `ids` names every
   * chapter exactly once.
   */
  reorderChapters(ids: readonly string[]): Promise<Chapter[]>;
}
