export const MILESTONE_STATUSES = ['started', 'completed', 'stuck'] as const;
export type MilestoneStatus = (typeof MILESTONE_STATUSES)[number];

export const CHAPTER_ID_PATTERN = '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$';
export const ACTION_TYPE_PATTERN = '^[A-Z][A-Z0-9_]{0,31}$';
/** Largest serialized size of an activity event's metadata, in bytes. */
export const MAX_METADATA_BYTES = 4096;

/** A reader's current state in one chapter: one per reader and chapter. */
export interface Milestone {
  readonly chapterId: string;
  readonly status: MilestoneStatus;
  readonly score: number | null;
  /** Epoch milliseconds. */
  readonly updatedAt: number;
}

export interface MilestoneInput {
  readonly chapterId: string;
  readonly status: MilestoneStatus;
  readonly score: number | null;
}

export type ActivityMetadata = Readonly<Record<string, unknown>>;

const metadataTexts = new WeakMap<ActivityMetadata, string>();

/**
 * Metadata's JSON text, as stored. Serialized once per object and remembered, so that the 4 KiB
 * check on a request and the store's insert share one JSON.stringify.
 */
export function metadataJson(metadata: ActivityMetadata): string {
  let text = metadataTexts.get(metadata);
  if (text === undefined) {
    text = JSON.stringify(metadata);
    metadataTexts.set(metadata, text);
  }
  return text;
}

/** One entry of a reader's activity stream. */
export interface ActivityEvent {
  readonly id: number;
  readonly actionType: string;
  readonly metadata: ActivityMetadata | null;
  /** Epoch milliseconds. */
  readonly createdAt: number;
}

export interface ActivityInput {
  readonly actionType: string;
  readonly metadata: ActivityMetadata | null;
}
