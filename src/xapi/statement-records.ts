import { randomUUID } from 'node:crypto';
import type { XapiStatementRecord } from '../domain/index.js';
import { agentKeyOf } from './agents.js';
import { VOIDED_VERB } from './statement-validation.js';
import { isObject, normalizeUuid, type Json, type JsonObject, type XapiVersion } from './xapi-values.js';

/** What the LRS adds to every statement it stores. */
export interface StoringContext {
  readonly storedAt: number;
  readonly authority: JsonObject;
  readonly credentialId: number | null;
  readonly version: XapiVersion;
}

/**
 * The statement as it is stored (an id if it had none, `stored`, `timestamp` if absent,
 * `authority`, `version`) and the record the store keeps of it. The statement must be valid.
 */
export function prepareStatement(statement: JsonObject, context: StoringContext): { statement: JsonObject; record: XapiStatementRecord } {
  const stored = new Date(context.storedAt).toISOString();
  const prepared: JsonObject = {
    ...withActivityArrays(statement),
    id: typeof statement.id === 'string' ? normalizeUuid(statement.id) : randomUUID(),
    timestamp: statement.timestamp ?? stored,
    stored,
    authority: context.authority,
    version: statement.version ?? (context.version === '2.0.0' ? '2.0.0' : '1.0.0'),
  };
  return { statement: prepared, record: recordOf(prepared, context) };
}

function recordOf(statement: JsonObject, context: StoringContext): XapiStatementRecord {
  const object = statement.object as JsonObject;
  const verbId = String((statement.verb as JsonObject).id);
  const isRef = object.objectType === 'StatementRef';
  const agents = new Map<string, boolean>();
  const activities = new Map<string, boolean>();
  const definitions = new Map<string, string>();
  const addAgent = (agent: Json | undefined, related: boolean) => {
    if (!isObject(agent)) return;
    const key = agentKeyOf(agent);
    if (key !== null && (agents.get(key) ?? true)) agents.set(key, related);
    if (Array.isArray(agent.member)) for (const member of agent.member) addAgent(member, true);
  };
  const addActivity = (activity: Json | undefined, related: boolean) => {
    if (!isObject(activity) || typeof activity.id !== 'string') return;
    if (activities.get(activity.id) ?? true) activities.set(activity.id, related);
    if (isObject(activity.definition)) definitions.set(activity.id, JSON.stringify(activity.definition));
  };
  const addContext = (context: Json | undefined) => {
    if (!isObject(context)) return;
    addAgent(context.instructor, true);
    addAgent(context.team, true);
    if (Array.isArray(context.contextAgents)) for (const entry of context.contextAgents) if (isObject(entry)) addAgent(entry.agent, true);
    if (Array.isArray(context.contextGroups)) for (const entry of context.contextGroups) if (isObject(entry)) addAgent(entry.group, true);
    if (isObject(context.contextActivities)) {
      for (const list of Object.values(context.contextActivities)) {
        for (const activity of Array.isArray(list) ? list : [list]) addActivity(activity, true);
      }
    }
  };
  const addObject = (target: JsonObject, related: boolean) => {
    const type = target.objectType ?? 'Activity';
    if (type === 'Activity') addActivity(target, related);
    else if (type === 'Agent' || type === 'Group') addAgent(target, related);
  };

  addAgent(statement.actor, false);
  addObject(object, false);
  addContext(statement.context);
  addAgent(statement.authority, true);
  if (object.objectType === 'SubStatement') {
    addAgent(object.actor, true);
    addObject(object.object as JsonObject, true);
    addContext(object.context);
  }
  const context0 = isObject(statement.context) ? statement.context : {};
  return {
    id: String(statement.id),
    json: JSON.stringify(statement),
    storedAt: context.storedAt,
    verbId,
    registration: typeof context0.registration === 'string' ? normalizeUuid(context0.registration) : null,
    refersTo: isRef ? normalizeUuid(String(object.id)) : null,
    voids: isRef && verbId === VOIDED_VERB,
    agents: [...agents].map(([key, related]) => ({ key, related })),
    activities: [...activities].map(([id, related]) => ({ id, related })),
    definitions: [...definitions].map(([id, definition]) => ({ id, definition })),
    credentialId: context.credentialId,
  };
}

/** The statement with each context activity list as an array (a single activity may be sent bare; it is returned in an array). */
function withActivityArrays(statement: JsonObject): JsonObject {
  const out: JsonObject = { ...statement };
  if (isObject(statement.context) && isObject(statement.context.contextActivities)) {
    const lists: JsonObject = {};
    for (const [key, list] of Object.entries(statement.context.contextActivities)) lists[key] = Array.isArray(list) ? list : [list];
    out.context = { ...statement.context, contextActivities: lists };
  }
  if (isObject(statement.object) && statement.object.objectType === 'SubStatement') out.object = withActivityArrays(statement.object);
  return out;
}

/**
 * An activity's definition after another statement gave one: language maps (name, description)
 * merged, every other property replaced by the newer one's.
 */
export function mergeDefinitions(older: JsonObject, newer: JsonObject): JsonObject {
  const merged: JsonObject = { ...older, ...newer };
  for (const key of ['name', 'description']) {
    if (isObject(older[key]) && isObject(newer[key])) merged[key] = { ...(older[key] as JsonObject), ...(newer[key] as JsonObject) };
  }
  return merged;
}

/** The parts of two statements that decide whether they are the same statement (a re-send, not a conflict). */
export function comparableStatement(statement: JsonObject): string {
  const { stored: _stored, authority: _authority, version: _version, timestamp: _timestamp, ...rest } = statement;
  return canonicalJson(withComparableDurations(rest));
}

/** Durations compare to the hundredth of a second (xAPI 2.0: more precision is not compared). */
function withComparableDurations(statement: JsonObject): JsonObject {
  const out: JsonObject = { ...statement };
  if (isObject(statement.result) && typeof statement.result.duration === 'string') {
    const duration = statement.result.duration.replace(/(\d+)\.(\d{1,2})\d*S$/, '$1.$2S');
    out.result = { ...statement.result, duration };
  }
  if (isObject(statement.object) && statement.object.objectType === 'SubStatement') out.object = withComparableDurations(statement.object);
  return out;
}

function canonicalJson(value: Json): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (isObject(value)) {
    return `{${Object.keys(value)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonicalJson(value[key]!)}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}
