import type { ProgressRecording } from '../application/progress-recording.js';
import { MAX_METADATA_BYTES, type ActivityInput, type User, type UsersPort } from '../domain/index.js';
import type { StatementsStored } from './statement-resource.js';
import { isObject, type JsonObject } from './xapi-values.js';

/** The action type of the activity event every statement about a reader becomes. */
export const XAPI_ACTION_TYPE = 'XAPI';

export interface StatementMappingDeps {
  readonly users: Pick<UsersPort, 'getUserByEmail'>;
  /** Records the events as the reader's own activity is recorded (stored, then published live). */
  readonly progress: Pick<ProgressRecording, 'recordActivities'>;
}

/**
 * What stored statements do in ReadPulse: a statement whose actor's mbox is a reader's email
 * (case-insensitive) becomes an `XAPI` event in that reader's activity, published to the live
 * stream like the reader's own events. Statements about anyone else change nothing here.
 */
export function statementsIntoActivity(deps: StatementMappingDeps): StatementsStored {
  return async (statements) => {
    const byReader = new Map<User, ActivityInput[]>();
    const readers = new Map<string, User | null>();
    for (const statement of statements) {
      const email = actorEmail(statement);
      if (email === null) continue;
      if (!readers.has(email)) {
        const found = await deps.users.getUserByEmail(email);
        readers.set(email, found && found.user.role === 'reader' ? found.user : null);
      }
      const reader = readers.get(email);
      if (reader === null || reader === undefined) continue;
      const inputs = byReader.get(reader) ?? [];
      inputs.push({ actionType: XAPI_ACTION_TYPE, metadata: activityMetadataOf(statement) });
      byReader.set(reader, inputs);
    }
    for (const [reader, inputs] of byReader) await deps.progress.recordActivities(reader, inputs);
  };
}

/** The email of a statement's actor when it is an Agent named by `mbox`, else null. */
export function actorEmail(statement: JsonObject): string | null {
  const actor = statement.actor;
  if (!isObject(actor) || actor.objectType === 'Group' || typeof actor.mbox !== 'string') return null;
  return actor.mbox.replace(/^mailto:/i, '').toLowerCase();
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
