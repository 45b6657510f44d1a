import type { ActivityEventDto } from '../api/types.js';
import type { XapiResult } from '../api/xapi-types.js';
import { lastSegment, resultParts } from '../xapi/statement-summary.js';

const KNOWN_ACTIONS: Readonly<Record<string, string>> = {
  PAGE_VIEW: 'Viewed a page',
  LOGIN: 'Signed in',
  LOGOUT: 'Signed out',
  SUBMIT: 'Submitted',
  REGISTER: 'Created an account',
  CHAPTER_STARTED: 'Started a chapter',
  CHAPTER_COMPLETED: 'Completed a chapter',
  CHAPTER_STUCK: 'Stuck on a chapter',
  XAPI: 'Learning record (xAPI)',
};

/** "CHAPTER_OPENED" → "Chapter opened". */
export function humanizeActionType(actionType: string): string {
  const known = KNOWN_ACTIONS[actionType];
  if (known !== undefined) return known;
  const words = actionType.toLowerCase().split('_').filter((word) => word !== '').join(' ');
  return words === '' ? actionType : words.charAt(0).toUpperCase() + words.slice(1);
}

const MAX_DETAIL_FIELDS = 3;
const MAX_VALUE_LENGTH = 60;

function shortValue(value: unknown): string | null {
  if (typeof value === 'string') {
    return value.length > MAX_VALUE_LENGTH ? `${value.slice(0, MAX_VALUE_LENGTH - 1)}…` : value;
  }
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return null;
}

/** Finds a chapter's title by id, or undefined when the program does not list it. */
export type ChapterTitleLookup = (chapterId: string) => string | undefined;

/**
 * A one-line summary of an event's metadata: the path of a page view, otherwise the chapter (by
 * title when known) and up to three simple `key: value` pairs. '' when there is nothing to show.
 */
export function summarizeMetadata(event: ActivityEventDto, chapterTitleOf?: ChapterTitleLookup): string {
  // The wire type is an open object (`{}`); its keys are read as unknowns.
  const metadata = event.metadata as Readonly<Record<string, unknown>> | null;
  if (metadata === null) return '';
  const path = shortValue(metadata.path);
  if (event.actionType === 'PAGE_VIEW' && path !== null) return path;
  if (event.actionType === 'XAPI') return summarizeStatementEvent(metadata);
  const parts: string[] = [];
  const chapterId = metadata.chapterId;
  if (typeof chapterId === 'string') {
    parts.push(shortValue(chapterTitleOf?.(chapterId)) ?? `Chapter ${shortValue(chapterId)}`);
  }
  for (const [key, value] of Object.entries(metadata)) {
    if (key === 'chapterId') continue;
    const text = shortValue(value);
    if (text === null) continue;
    parts.push(`${key}: ${text}`);
    if (parts.length === MAX_DETAIL_FIELDS) break;
  }
  return parts.join(' · ');
}

/**
 * An `XAPI` event (a statement about the reader, as the LRS records it): the verb's last IRI
 * segment, the object's id and the result, e.g. "completed · https://books.example/ch-3 · Score 85%".
 */
function summarizeStatementEvent(metadata: Readonly<Record<string, unknown>>): string {
  const parts: string[] = [];
  if (typeof metadata.verb === 'string') parts.push(lastSegment(metadata.verb));
  const object = metadata.object as { readonly id?: unknown } | null | undefined;
  const objectId = typeof object === 'object' && object !== null ? shortValue(object.id) : null;
  if (objectId !== null) parts.push(objectId);
  const result = metadata.result;
  if (typeof result === 'object' && result !== null) parts.push(...resultParts(result as XapiResult));
  return parts.join(' · ');
}
