import { isObject, type Json, type JsonObject } from './xapi-values.js';

export type StatementFormat = 'exact' | 'ids' | 'canonical';

/**
 * A stored statement in the requested format: `exact` as stored; `ids` with agents, groups,
 * activities and verbs cut to what identifies them; `canonical` with each language map cut to
 * the one language the client prefers (its Accept-Language, else the map's first).
 */
export function formatStatement(statement: JsonObject, format: StatementFormat, languages: readonly string[]): JsonObject {
  if (format === 'exact') return statement;
  if (format === 'ids') return idsOf(statement);
  return canonicalOf(statement, languages) as JsonObject;
}

const IFI_KEYS = ['mbox', 'mbox_sha1sum', 'openid', 'account'];

function idsOfAgent(agent: Json): Json {
  if (!isObject(agent)) return agent;
  const out: JsonObject = {};
  if (agent.objectType !== undefined) out.objectType = agent.objectType;
  for (const key of IFI_KEYS) if (agent[key] !== undefined) out[key] = agent[key]!;
  const identified = IFI_KEYS.some((key) => agent[key] !== undefined);
  if (agent.objectType === 'Group' && !identified && Array.isArray(agent.member)) out.member = agent.member.map(idsOfAgent);
  return out;
}

function idsOfActivity(activity: Json): Json {
  if (!isObject(activity)) return activity;
  return { id: activity.id! };
}

function idsOfObject(object: Json): Json {
  if (!isObject(object)) return object;
  const type = object.objectType ?? 'Activity';
  if (type === 'Activity') return idsOfActivity(object);
  if (type === 'Agent' || type === 'Group') return idsOfAgent(object);
  if (type === 'SubStatement') return idsOf(object);
  return object;
}

function idsOfContext(context: Json): Json {
  if (!isObject(context)) return context;
  const out: JsonObject = { ...context };
  if (context.instructor !== undefined) out.instructor = idsOfAgent(context.instructor);
  if (context.team !== undefined) out.team = idsOfAgent(context.team);
  if (isObject(context.contextActivities)) {
    const lists: JsonObject = {};
    for (const [key, list] of Object.entries(context.contextActivities)) {
      lists[key] = Array.isArray(list) ? list.map(idsOfActivity) : idsOfActivity(list);
    }
    out.contextActivities = lists;
  }
  return out;
}

function idsOf(statement: JsonObject): JsonObject {
  const out: JsonObject = { ...statement };
  out.actor = idsOfAgent(statement.actor!);
  out.verb = { id: (statement.verb as JsonObject).id! };
  out.object = idsOfObject(statement.object!);
  if (statement.context !== undefined) out.context = idsOfContext(statement.context);
  if (statement.authority !== undefined) out.authority = idsOfAgent(statement.authority);
  return out;
}

const LANGUAGE_MAPS = new Set(['display', 'name', 'description']);

function canonicalOf(value: Json, languages: readonly string[], key?: string): Json {
  if (Array.isArray(value)) return value.map((item) => canonicalOf(item, languages));
  if (!isObject(value)) return value;
  if (key !== undefined && LANGUAGE_MAPS.has(key) && Object.values(value).every((text) => typeof text === 'string')) {
    return pickLanguage(value, languages);
  }
  const out: JsonObject = {};
  for (const [childKey, child] of Object.entries(value)) {
    out[childKey] = childKey === 'extensions' ? child : canonicalOf(child, languages, childKey);
  }
  return out;
}

function pickLanguage(map: JsonObject, languages: readonly string[]): JsonObject {
  const tags = Object.keys(map);
  if (tags.length <= 1) return map;
  for (const wanted of languages) {
    const exact = tags.find((tag) => tag.toLowerCase() === wanted.toLowerCase());
    if (exact) return { [exact]: map[exact]! };
    const prefix = tags.find((tag) => tag.toLowerCase().split('-')[0] === wanted.toLowerCase().split('-')[0]);
    if (prefix) return { [prefix]: map[prefix]! };
  }
  return { [tags[0]!]: map[tags[0]!]! };
}

/** The languages of an Accept-Language header, most wanted first. */
export function acceptedLanguages(header: string | undefined): string[] {
  if (!header) return [];
  return header
    .split(',')
    .map((part) => {
      const [tag, ...params] = part.trim().split(';');
      const q = params.map((p) => /^\s*q=([\d.]+)/.exec(p)?.[1]).find((v) => v !== undefined);
      return { tag: tag!.trim(), q: q === undefined ? 1 : Number(q) };
    })
    .filter((entry) => entry.tag !== '' && entry.tag !== '*' && entry.q > 0)
    .sort((a, b) => b.q - a.q)
    .map((entry) => entry.tag);
}
