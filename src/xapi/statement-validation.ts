import { badRequest } from './xapi-error.js';
import {
  isDuration,
  isIri,
  isLanguageTag,
  isObject,
  isUuid,
  timestampMs,
  type Json,
  type JsonObject,
  type XapiVersion,
} from './xapi-values.js';

/** The verb that voids the statement its object names. */
export const VOIDED_VERB = 'http://adlnet.gov/expapi/verbs/voided';
/** The attachment usage type of a statement's JWS signature. */
export const SIGNATURE_USAGE = 'http://adlnet.gov/expapi/attachments/signature';

const INTERACTION_TYPES = new Set([
  'true-false', 'choice', 'fill-in', 'long-fill-in', 'matching', 'performance', 'sequencing', 'likert', 'numeric', 'other',
]);
const COMPONENTS_OF: Record<string, readonly string[]> = {
  choice: ['choices'],
  sequencing: ['choices'],
  likert: ['scale'],
  matching: ['source', 'target'],
  performance: ['steps'],
};
const COMPONENT_LISTS = ['choices', 'scale', 'source', 'target', 'steps'];
const IFIS = ['mbox', 'mbox_sha1sum', 'openid', 'account'] as const;

/**
 * Checks a statement against the data rules of the xAPI specification for `version`: its
 * properties, IRIs, UUIDs, agents' identifiers, language maps, durations, timestamps,
 * interaction components, result and context rules. Throws a 400 XapiError naming the first
 * rule broken. `stored`, `authority` and `version` sent by a client are checked, too.
 */
export function validateStatement(statement: Json, version: XapiVersion): asserts statement is JsonObject {
  new StatementRules(version).statement(statement, 'statement', false);
}

class StatementRules {
  constructor(private readonly version: XapiVersion) {}

  statement(value: Json, path: string, sub: boolean): void {
    const allowed = sub
      ? ['objectType', 'actor', 'verb', 'object', 'result', 'context', 'timestamp', 'attachments']
      : ['id', 'actor', 'verb', 'object', 'result', 'context', 'timestamp', 'stored', 'authority', 'version', 'attachments', 'objectType'];
    const s = this.object(value, path, allowed);
    if (sub) {
      if (s.objectType !== 'SubStatement') throw badRequest(`${path}.objectType must be "SubStatement".`);
    } else if (s.objectType !== undefined) {
      throw badRequest(`${path}.objectType is not a property of a statement.`);
    }
    if (s.id !== undefined && !isUuid(s.id)) throw badRequest(`${path}.id must be a UUID.`);
    this.required(s, path, ['actor', 'verb', 'object']);
    this.actor(s.actor!, `${path}.actor`);
    this.verb(s.verb!, `${path}.verb`);
    this.statementObject(s.object!, `${path}.object`, sub);
    if (s.result !== undefined) this.result(s.result, `${path}.result`);
    if (s.context !== undefined) this.context(s.context, `${path}.context`, s.object as JsonObject);
    if (s.timestamp !== undefined) this.timestamp(s.timestamp, `${path}.timestamp`);
    if (s.stored !== undefined) this.timestamp(s.stored, `${path}.stored`);
    if (s.authority !== undefined) this.authority(s.authority, `${path}.authority`);
    if (s.version !== undefined) this.statementVersion(s.version, `${path}.version`);
    if (s.attachments !== undefined) this.attachments(s.attachments, `${path}.attachments`);
    if (isObject(s.verb) && s.verb.id === VOIDED_VERB && !sub) {
      if (!isObject(s.object) || s.object.objectType !== 'StatementRef') {
        throw badRequest('A voiding statement\'s object must be a StatementRef.');
      }
    }
  }

  private object(value: Json | undefined, path: string, allowed: readonly string[]): JsonObject {
    if (!isObject(value)) throw badRequest(`${path} must be an object.`);
    for (const [key, child] of Object.entries(value)) {
      if (!allowed.includes(key)) throw badRequest(`${path}.${key} is not a property the specification defines here.`);
      if (child === null) throw badRequest(`${path}.${key} must not be null.`);
    }
    return value;
  }

  private required(value: JsonObject, path: string, keys: readonly string[]): void {
    for (const key of keys) if (value[key] === undefined) throw badRequest(`${path}.${key} is required.`);
  }

  private string(value: Json | undefined, path: string): void {
    if (typeof value !== 'string') throw badRequest(`${path} must be a string.`);
  }

  private iri(value: Json | undefined, path: string): void {
    if (!isIri(value)) throw badRequest(`${path} must be an IRI.`);
  }

  private bool(value: Json | undefined, path: string): void {
    if (typeof value !== 'boolean') throw badRequest(`${path} must be true or false.`);
  }

  private languageMap(value: Json | undefined, path: string): void {
    if (!isObject(value)) throw badRequest(`${path} must be a language map.`);
    for (const [tag, text] of Object.entries(value)) {
      if (!isLanguageTag(tag)) throw badRequest(`${path} has "${tag}", which is not a language tag.`);
      if (typeof text !== 'string') throw badRequest(`${path}.${tag} must be a string.`);
    }
  }

  private extensions(value: Json | undefined, path: string): void {
    if (!isObject(value)) throw badRequest(`${path} must be an object.`);
    for (const key of Object.keys(value)) if (!isIri(key)) throw badRequest(`${path} has "${key}", which is not an IRI.`);
  }

  private timestamp(value: Json | undefined, path: string): void {
    if (timestampMs(value, this.version) === null) throw badRequest(`${path} must be an ISO 8601 timestamp with a time zone.`);
  }

  private statementVersion(value: Json, path: string): void {
    const pattern = this.version === '2.0.0' ? /^(1\.0(\.\d+)?|2\.0(\.\d+)?)$/ : /^1\.0(\.\d+)?$/;
    if (typeof value !== 'string' || !pattern.test(value)) throw badRequest(`${path} must be a version this LRS supports.`);
  }

  actor(value: Json, path: string): void {
    if (!isObject(value)) throw badRequest(`${path} must be an Agent or a Group.`);
    if (value.objectType === 'Group') this.group(value, path);
    else this.agent(value, path);
  }

  agent(value: Json, path: string): void {
    const a = this.object(value, path, ['objectType', 'name', ...IFIS]);
    if (a.objectType !== undefined && a.objectType !== 'Agent') throw badRequest(`${path}.objectType must be "Agent".`);
    if (a.name !== undefined) this.string(a.name, `${path}.name`);
    if (this.ifiCount(a, path) !== 1) throw badRequest(`${path} must have exactly one of mbox, mbox_sha1sum, openid and account.`);
  }

  private group(value: Json, path: string): void {
    const g = this.object(value, path, ['objectType', 'name', 'member', ...IFIS]);
    if (g.objectType !== 'Group') throw badRequest(`${path}.objectType must be "Group".`);
    if (g.name !== undefined) this.string(g.name, `${path}.name`);
    const ifis = this.ifiCount(g, path);
    if (ifis > 1) throw badRequest(`${path} must not have more than one of mbox, mbox_sha1sum, openid and account.`);
    if (g.member !== undefined) {
      if (!Array.isArray(g.member)) throw badRequest(`${path}.member must be an array of Agents.`);
      g.member.forEach((member, i) => this.agent(member, `${path}.member[${i}]`));
    }
    if (ifis === 0 && (!Array.isArray(g.member) || g.member.length === 0)) {
      throw badRequest(`${path}: an anonymous Group must list its members.`);
    }
  }

  private ifiCount(a: JsonObject, path: string): number {
    let count = 0;
    if (a.mbox !== undefined) {
      count++;
      if (typeof a.mbox !== 'string' || !/^mailto:[^@\s]+@[^@\s]+$/i.test(a.mbox)) throw badRequest(`${path}.mbox must be "mailto:" and an email address.`);
    }
    if (a.mbox_sha1sum !== undefined) {
      count++;
      if (typeof a.mbox_sha1sum !== 'string' || !/^[0-9a-f]{40}$/i.test(a.mbox_sha1sum)) throw badRequest(`${path}.mbox_sha1sum must be a SHA-1 in hex.`);
    }
    if (a.openid !== undefined) {
      count++;
      this.iri(a.openid, `${path}.openid`);
    }
    if (a.account !== undefined) {
      count++;
      const account = this.object(a.account, `${path}.account`, ['homePage', 'name']);
      this.required(account, `${path}.account`, ['homePage', 'name']);
      this.iri(account.homePage, `${path}.account.homePage`);
      this.string(account.name, `${path}.account.name`);
    }
    return count;
  }

  private verb(value: Json, path: string): void {
    const v = this.object(value, path, ['id', 'display']);
    this.required(v, path, ['id']);
    this.iri(v.id, `${path}.id`);
    if (v.display !== undefined) this.languageMap(v.display, `${path}.display`);
  }

  private statementObject(value: Json, path: string, sub: boolean): void {
    if (!isObject(value)) throw badRequest(`${path} must be an object.`);
    switch (value.objectType ?? 'Activity') {
      case 'Activity':
        return this.activity(value, path);
      case 'Agent':
        return this.agent(value, path);
      case 'Group':
        return this.group(value, path);
      case 'StatementRef':
        return this.statementRef(value, path);
      case 'SubStatement':
        if (sub) throw badRequest(`${path}: a SubStatement must not hold another SubStatement.`);
        return this.statement(value, path, true);
      default:
        throw badRequest(`${path}.objectType is not one the specification defines.`);
    }
  }

  private statementRef(value: Json, path: string): void {
    const ref = this.object(value, path, ['objectType', 'id']);
    if (ref.objectType !== 'StatementRef') throw badRequest(`${path}.objectType must be "StatementRef".`);
    if (!isUuid(ref.id)) throw badRequest(`${path}.id must be a UUID.`);
  }

  activity(value: Json, path: string): void {
    const a = this.object(value, path, ['objectType', 'id', 'definition']);
    if (a.objectType !== undefined && a.objectType !== 'Activity') throw badRequest(`${path}.objectType must be "Activity".`);
    this.required(a, path, ['id']);
    this.iri(a.id, `${path}.id`);
    if (a.definition !== undefined) this.definition(a.definition, `${path}.definition`);
  }

  private definition(value: Json, path: string): void {
    const d = this.object(value, path, [
      'name', 'description', 'type', 'moreInfo', 'extensions', 'interactionType', 'correctResponsesPattern', ...COMPONENT_LISTS,
    ]);
    if (d.name !== undefined) this.languageMap(d.name, `${path}.name`);
    if (d.description !== undefined) this.languageMap(d.description, `${path}.description`);
    if (d.type !== undefined) this.iri(d.type, `${path}.type`);
    if (d.moreInfo !== undefined) this.iri(d.moreInfo, `${path}.moreInfo`);
    if (d.extensions !== undefined) this.extensions(d.extensions, `${path}.extensions`);
    if (d.interactionType !== undefined && (typeof d.interactionType !== 'string' || !INTERACTION_TYPES.has(d.interactionType))) {
      throw badRequest(`${path}.interactionType is not one the specification defines.`);
    }
    if (d.correctResponsesPattern !== undefined) {
      if (d.interactionType === undefined) throw badRequest(`${path}.correctResponsesPattern needs an interactionType.`);
      if (!Array.isArray(d.correctResponsesPattern) || d.correctResponsesPattern.some((p) => typeof p !== 'string')) {
        throw badRequest(`${path}.correctResponsesPattern must be an array of strings.`);
      }
    }
    const allowedLists = COMPONENTS_OF[String(d.interactionType)] ?? [];
    for (const list of COMPONENT_LISTS) {
      if (d[list] === undefined) continue;
      if (d.interactionType === undefined || !allowedLists.includes(list)) {
        throw badRequest(`${path}.${list} is not a component of this interactionType.`);
      }
      this.components(d[list]!, `${path}.${list}`);
    }
  }

  private components(value: Json, path: string): void {
    if (!Array.isArray(value)) throw badRequest(`${path} must be an array.`);
    const ids = new Set<string>();
    value.forEach((component, i) => {
      const c = this.object(component, `${path}[${i}]`, ['id', 'description']);
      this.required(c, `${path}[${i}]`, ['id']);
      this.string(c.id, `${path}[${i}].id`);
      if (ids.has(c.id as string)) throw badRequest(`${path} repeats the id "${String(c.id)}".`);
      ids.add(c.id as string);
      if (c.description !== undefined) this.languageMap(c.description, `${path}[${i}].description`);
    });
  }

  private result(value: Json, path: string): void {
    const r = this.object(value, path, ['score', 'success', 'completion', 'response', 'duration', 'extensions']);
    if (r.score !== undefined) this.score(r.score, `${path}.score`);
    if (r.success !== undefined) this.bool(r.success, `${path}.success`);
    if (r.completion !== undefined) this.bool(r.completion, `${path}.completion`);
    if (r.response !== undefined) this.string(r.response, `${path}.response`);
    if (r.duration !== undefined && !isDuration(r.duration)) throw badRequest(`${path}.duration must be an ISO 8601 duration.`);
    if (r.extensions !== undefined) this.extensions(r.extensions, `${path}.extensions`);
  }

  private score(value: Json, path: string): void {
    const s = this.object(value, path, ['scaled', 'raw', 'min', 'max']);
    for (const key of ['scaled', 'raw', 'min', 'max']) {
      if (s[key] !== undefined && typeof s[key] !== 'number') throw badRequest(`${path}.${key} must be a number.`);
    }
    const { scaled, raw, min, max } = s as Record<string, number | undefined>;
    if (scaled !== undefined && (scaled < -1 || scaled > 1)) throw badRequest(`${path}.scaled must be from -1 to 1.`);
    if (min !== undefined && max !== undefined && min >= max) throw badRequest(`${path}.min must be less than max.`);
    if (raw !== undefined && min !== undefined && raw < min) throw badRequest(`${path}.raw must not be less than min.`);
    if (raw !== undefined && max !== undefined && raw > max) throw badRequest(`${path}.raw must not be more than max.`);
  }

  private context(value: Json, path: string, object: JsonObject): void {
    const keys = ['registration', 'instructor', 'team', 'contextActivities', 'revision', 'platform', 'language', 'statement', 'extensions'];
    if (this.version === '2.0.0') keys.push('contextAgents', 'contextGroups');
    const c = this.object(value, path, keys);
    if (c.registration !== undefined && !isUuid(c.registration)) throw badRequest(`${path}.registration must be a UUID.`);
    if (c.instructor !== undefined) this.actor(c.instructor, `${path}.instructor`);
    if (c.team !== undefined) {
      if (!isObject(c.team) || c.team.objectType !== 'Group') throw badRequest(`${path}.team must be a Group.`);
      this.group(c.team, `${path}.team`);
    }
    if (c.contextActivities !== undefined) this.contextActivities(c.contextActivities, `${path}.contextActivities`);
    const aboutActivity = (object.objectType ?? 'Activity') === 'Activity';
    if (c.revision !== undefined) {
      this.string(c.revision, `${path}.revision`);
      if (!aboutActivity) throw badRequest(`${path}.revision is only for statements about an Activity.`);
    }
    if (c.platform !== undefined) {
      this.string(c.platform, `${path}.platform`);
      if (!aboutActivity) throw badRequest(`${path}.platform is only for statements about an Activity.`);
    }
    if (c.language !== undefined && !isLanguageTag(c.language)) throw badRequest(`${path}.language must be a language tag.`);
    if (c.statement !== undefined) this.statementRef(c.statement, `${path}.statement`);
    if (c.extensions !== undefined) this.extensions(c.extensions, `${path}.extensions`);
    if (c.contextAgents !== undefined) this.contextActors(c.contextAgents, `${path}.contextAgents`, 'contextAgent', 'agent');
    if (c.contextGroups !== undefined) this.contextActors(c.contextGroups, `${path}.contextGroups`, 'contextGroup', 'group');
  }

  private contextActors(value: Json, path: string, objectType: string, key: 'agent' | 'group'): void {
    if (!Array.isArray(value)) throw badRequest(`${path} must be an array.`);
    value.forEach((entry, i) => {
      const e = this.object(entry, `${path}[${i}]`, ['objectType', key, 'relevantTypes']);
      if (e.objectType !== objectType) throw badRequest(`${path}[${i}].objectType must be "${objectType}".`);
      this.required(e, `${path}[${i}]`, [key]);
      if (key === 'agent') this.agent(e.agent!, `${path}[${i}].agent`);
      else if (!isObject(e.group) || e.group.objectType !== 'Group') throw badRequest(`${path}[${i}].group must be a Group.`);
      else this.group(e.group, `${path}[${i}].group`);
      if (e.relevantTypes !== undefined) {
        if (!Array.isArray(e.relevantTypes) || e.relevantTypes.length === 0) throw badRequest(`${path}[${i}].relevantTypes must be a non-empty array of IRIs.`);
        e.relevantTypes.forEach((type, j) => this.iri(type, `${path}[${i}].relevantTypes[${j}]`));
      }
    });
  }

  private contextActivities(value: Json, path: string): void {
    const c = this.object(value, path, ['parent', 'grouping', 'category', 'other']);
    for (const [key, list] of Object.entries(c)) {
      const activities = Array.isArray(list) ? list : [list];
      activities.forEach((activity, i) => this.activity(activity, `${path}.${key}[${i}]`));
    }
  }

  private authority(value: Json, path: string): void {
    this.actor(value, path);
    if (isObject(value) && value.objectType === 'Group') {
      // Only OAuth's three-legged authority is a group: anonymous, the application and the user.
      if (IFIS.some((ifi) => value[ifi] !== undefined)) throw badRequest(`${path}: a Group authority is anonymous.`);
      if (!Array.isArray(value.member) || value.member.length !== 2) throw badRequest(`${path}: a Group authority must have exactly two members.`);
    }
  }

  private attachments(value: Json, path: string): void {
    if (!Array.isArray(value)) throw badRequest(`${path} must be an array.`);
    value.forEach((item, i) => {
      const p = `${path}[${i}]`;
      const a = this.object(item, p, ['usageType', 'display', 'description', 'contentType', 'length', 'sha2', 'fileUrl']);
      this.required(a, p, ['usageType', 'display', 'contentType', 'length', 'sha2']);
      this.iri(a.usageType, `${p}.usageType`);
      this.languageMap(a.display, `${p}.display`);
      if (a.description !== undefined) this.languageMap(a.description, `${p}.description`);
      if (typeof a.contentType !== 'string' || !/^[\w.+-]+\/[\w.+-]+(\s*;.*)?$/.test(a.contentType)) {
        throw badRequest(`${p}.contentType must be an Internet Media Type.`);
      }
      if (typeof a.length !== 'number' || !Number.isInteger(a.length) || a.length < 0) throw badRequest(`${p}.length must be a whole number.`);
      if (typeof a.sha2 !== 'string' || !/^[0-9a-f]{56,128}$/i.test(a.sha2)) throw badRequest(`${p}.sha2 must be a SHA-2 hash in hex.`);
      if (a.fileUrl !== undefined) this.iri(a.fileUrl, `${p}.fileUrl`);
    });
  }
}
