import type { ProgressRecording } from '../application/progress-recording.js';
import {
  AppError,
  MAX_METADATA_BYTES,
  type ActivityInput,
  type ChaptersPort,
  type MilestoneInput,
  type MilestoneStatus,
  type ProgressPort,
  type User,
  type UsersPort,
  type XapiStatementStore,
} from '../domain/index.js';
import type { StatementsStored } from './statement-resource.js';
import { isObject, type Json, type JsonObject } from './xapi-values.js';

/** The action type of the activity event every statement about a reader becomes. */
export const XAPI_ACTION_TYPE = 'XAPI';

/** What a verb does to the milestone of a chapter a statement is about. */
export type MilestoneEffect = 'start' | 'complete' | 'fail';

/**
 * THE verb table: the verbs that move milestones, by name. `start` applies to a chapter that is
 * the statement's object or in its context's parent or grouping activities; `complete` and `fail`
 * only to the chapter that is the object itself. docs/xapi.md shows the same table.
 */
const MILESTONE_VERB_NAMES: Readonly<Record<string, MilestoneEffect>> = {
  launched: 'start',
  initialized: 'start',
  attempted: 'start',
  experienced: 'start',
  progressed: 'start',
  answered: 'start',
  interacted: 'start',
  completed: 'complete',
  passed: 'complete',
  failed: 'fail',
};

/** Each verb name is taken in the ADL vocabulary's IRI and in its w3id.org form, which some content sends. */
const VERB_NAMESPACES = ['http://adlnet.gov/expapi/verbs/', 'https://w3id.org/xapi/adl/verbs/'];

/** Verb IRI -> what it does to a milestone. */
export const MILESTONE_VERBS: ReadonlyMap<string, MilestoneEffect> = new Map(
  VERB_NAMESPACES.flatMap((namespace) => Object.entries(MILESTONE_VERB_NAMES).map(([name, effect]) => [`${namespace}${name}`, effect] as const)),
);

/** Where a statement names a chapter's activity: as its object, or only in its context (parent, grouping). */
export type ChapterMatch = 'object' | 'context';

export interface StatementMappingDeps {
  readonly users: Pick<UsersPort, 'getUserByEmail'>;
  /** The chapters, read once per batch for their activityIds. */
  readonly chapters: Pick<ChaptersPort, 'listChapters'>;
  /** A reader's milestones as they stand, read once per reader and batch. */
  readonly milestones: Pick<ProgressPort, 'getMyMilestones'>;
  /** Whether a statement just stored is voided (its voiding statement may have come first). */
  readonly statements: Pick<XapiStatementStore, 'getStatements'>;
  /** Records the events and milestones as the reader's own are recorded (stored, then published live). */
  readonly progress: Pick<ProgressRecording, 'recordActivities' | 'recordMilestone'>;
  /** Told of a write the use case refused; the statement stays stored and the request succeeds. */
  readonly log?: { warn(details: object, message: string): void };
}

/**
 * What stored statements do in ReadPulse. A statement whose actor's mbox is a reader's email
 * (case-insensitive) becomes an `XAPI` event in that reader's activity, published to the live
 * stream like the reader's own events; and when it is about a chapter (its object, parent or
 * grouping activity is the chapter's activityId) and its verb is in MILESTONE_VERBS, it moves the
 * reader's milestone on that chapter through the same use case as PUT /api/me/milestones, in
 * statement order. Voiding and voided statements move no milestone. Statements about anyone else
 * change nothing here.
 */
export function statementsIntoActivity(deps: StatementMappingDeps): StatementsStored {
  return async (statements) => {
    const about = await readersOf(deps, statements);
    const byReader = new Map<User, ActivityInput[]>();
    for (const { statement, reader } of about) {
      const inputs = byReader.get(reader) ?? [];
      inputs.push({ actionType: XAPI_ACTION_TYPE, metadata: activityMetadataOf(statement) });
      byReader.set(reader, inputs);
    }
    for (const [reader, inputs] of byReader) {
      await refusalsLogged(deps, { readerId: reader.id }, () => deps.progress.recordActivities(reader, inputs));
    }
    await moveMilestones(deps, about);
  };
}

/** The statements whose actor is a reader, each with that reader, in statement order. */
async function readersOf(deps: StatementMappingDeps, statements: readonly JsonObject[]): Promise<{ statement: JsonObject; reader: User }[]> {
  const readers = new Map<string, User | null>();
  const about: { statement: JsonObject; reader: User }[] = [];
  for (const statement of statements) {
    const email = actorEmail(statement);
    if (email === null) continue;
    if (!readers.has(email)) {
      const found = await deps.users.getUserByEmail(email);
      readers.set(email, found && found.user.role === 'reader' ? found.user : null);
    }
    const reader = readers.get(email);
    if (reader) about.push({ statement, reader });
  }
  return about;
}

/** Moves the milestones the statements about readers call for, in statement order. */
async function moveMilestones(deps: StatementMappingDeps, about: readonly { statement: JsonObject; reader: User }[]): Promise<void> {
  const moving = about.filter(({ statement }) => MILESTONE_VERBS.has(verbOf(statement)));
  if (moving.length === 0) return;
  const chapterOfActivity = new Map<string, string>();
  for (const chapter of await deps.chapters.listChapters()) if (chapter.activityId !== null) chapterOfActivity.set(chapter.activityId, chapter.id);
  const moves = moving
    .map(({ statement, reader }) => ({ statement, reader, chapters: chaptersAbout(statement, chapterOfActivity) }))
    .filter((move) => move.chapters.size > 0);
  if (moves.length === 0) return;
  // A statement voided already (its voiding statement came first, or in the same batch) moves nothing.
  const stored = await deps.statements.getStatements(moves.map((move) => String(move.statement.id)));
  const voided = new Set(stored.filter((row) => row.voided).map((row) => row.id));
  const statuses = new Map<number, Map<string, MilestoneStatus>>();
  for (const { statement, reader, chapters } of moves) {
    if (voided.has(String(statement.id))) continue;
    let mine = statuses.get(reader.id);
    if (!mine) {
      mine = new Map((await deps.milestones.getMyMilestones(reader.id)).map((m) => [m.chapterId, m.status]));
      statuses.set(reader.id, mine);
    }
    const effect = MILESTONE_VERBS.get(verbOf(statement))!;
    for (const [chapterId, match] of chapters) {
      const input = milestoneFor(effect, match, mine.get(chapterId) ?? null, statement.result);
      if (input === null) continue;
      const recorded = await refusalsLogged(deps, { readerId: reader.id, chapterId, statementId: statement.id }, () =>
        deps.progress.recordMilestone(reader, { chapterId, ...input }),
      );
      if (recorded) mine.set(chapterId, recorded.milestone.status);
    }
  }
}

/**
 * The milestone a statement's verb calls for on one chapter, given the reader's status there
 * (null: none yet), or null for no write:
 * - `start` marks `started` unless the chapter is completed, or started already;
 * - `complete` on the chapter itself marks `completed` with the statement's score (scoreOf);
 * - `fail` on the chapter itself marks `stuck` unless the chapter is completed, or stuck already
 *   (a second failure does not restart the time the chapter has been stuck).
 * `complete` and `fail` on an activity inside the chapter (context only) change nothing.
 */
export function milestoneFor(
  effect: MilestoneEffect,
  match: ChapterMatch,
  current: MilestoneStatus | null,
  result: Json | undefined,
): Omit<MilestoneInput, 'chapterId'> | null {
  if (effect === 'start') return current === 'completed' || current === 'started' ? null : { status: 'started', score: null };
  if (match !== 'object') return null;
  if (effect === 'complete') return { status: 'completed', score: scoreOf(result) };
  return current === 'completed' || current === 'stuck' ? null : { status: 'stuck', score: null };
}

/**
 * A statement result's score as a milestone takes it (0..100): round(100 × scaled), or, without
 * `scaled`, `raw` placed between `min` and `max` (both given, max above min); clamped to 0..100.
 * Null when the result gives neither.
 */
export function scoreOf(result: Json | undefined): number | null {
  if (!isObject(result) || !isObject(result.score)) return null;
  const { scaled, raw, min, max } = result.score;
  let fraction: number | null = null;
  if (typeof scaled === 'number') fraction = scaled;
  else if (typeof raw === 'number' && typeof min === 'number' && typeof max === 'number' && max > min) fraction = (raw - min) / (max - min);
  if (fraction === null || !Number.isFinite(fraction)) return null;
  return Math.min(100, Math.max(0, Math.round(100 * fraction)));
}

/** The chapters a statement is about (chapter id -> how), by the activityIds chapters carry. */
export function chaptersAbout(statement: JsonObject, chapterOfActivity: ReadonlyMap<string, string>): Map<string, ChapterMatch> {
  const found = new Map<string, ChapterMatch>();
  const object = statement.object;
  if (isObject(object) && (object.objectType === undefined || object.objectType === 'Activity') && typeof object.id === 'string') {
    const chapterId = chapterOfActivity.get(object.id);
    if (chapterId !== undefined) found.set(chapterId, 'object');
  }
  const contextActivities = isObject(statement.context) && isObject(statement.context.contextActivities) ? statement.context.contextActivities : {};
  for (const kind of ['parent', 'grouping'] as const) {
    const list = contextActivities[kind];
    for (const activity of Array.isArray(list) ? list : list === undefined ? [] : [list]) {
      if (!isObject(activity) || typeof activity.id !== 'string') continue;
      const chapterId = chapterOfActivity.get(activity.id);
      if (chapterId !== undefined && !found.has(chapterId)) found.set(chapterId, 'context');
    }
  }
  return found;
}

/** The email of a statement's actor when it is an Agent named by `mbox`, else null. */
export function actorEmail(statement: JsonObject): string | null {
  const actor = statement.actor;
  if (!isObject(actor) || actor.objectType === 'Group' || typeof actor.mbox !== 'string') return null;
  return actor.mbox.replace(/^mailto:/i, '').toLowerCase();
}

function verbOf(statement: JsonObject): string {
  return isObject(statement.verb) && typeof statement.verb.id === 'string' ? statement.verb.id : '';
}

/**
 * Runs one write for a reader; a refusal by the use case (an AppError: the reader was deleted
 * meanwhile, say) is logged and answered undefined, so the statements stay stored and the rest of
 * the batch still applies. Anything else fails the mapping (the LRS logs it).
 */
async function refusalsLogged<T>(deps: StatementMappingDeps, details: object, write: () => Promise<T>): Promise<T | undefined> {
  try {
    return await write();
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    deps.log?.warn({ ...details, code: error.code, reason: error.message }, 'An xAPI statement was stored, but ReadPulse refused what it asked for');
    return undefined;
  }
}

/** The event's metadata: the statement id, verb, object and result, cut to fit the metadata limit. */
function activityMetadataOf(statement: JsonObject): Record<string, unknown> {
  const object = isObject(statement.object) ? statement.object : {};
  const metadata: Record<string, unknown> = {
    statementId: statement.id,
    verb: isObject(statement.verb) ? statement.verb.id : null,
    object: { objectType: object.objectType ?? 'Activity', id: object.id ?? null },
  };
  if (isObject(statement.result)) {
    const { score, success, completion, duration } = statement.result;
    metadata.result = Object.fromEntries(Object.entries({ score, success, completion, duration }).filter(([, value]) => value !== undefined));
  }
  // Ids and IRIs are short in practice; a pathological one must not make the event unstorable.
  return Buffer.byteLength(JSON.stringify(metadata)) <= MAX_METADATA_BYTES ? metadata : { statementId: statement.id, truncated: true };
}
