import { createHash } from 'node:crypto';
import type { Clock, StoredXapiStatement, XapiAttachment, XapiStatementOrder, XapiStatementQuery, XapiStatementRecord, XapiStatementStore } from '../domain/index.js';
import { parseAgentParameter } from './agents.js';
import { boundaryOf, buildMultipart, parseMultipart, type MultipartPart } from './multipart.js';
import { verifySignature } from './signed-statements.js';
import { comparableStatement, mergeDefinitions, prepareStatement } from './statement-records.js';
import { acceptedLanguages, formatStatement, type StatementFormat } from './statement-formats.js';
import { SIGNATURE_USAGE, validateStatement, VOIDED_VERB } from './statement-validation.js';
import { badRequest, XapiError } from './xapi-error.js';
import type { XapiRequest } from './xapi-request.js';
import type { XapiResponse } from './xapi-response.js';
import { isIri, isObject, isUuid, normalizeUuid, timestampMs, type Json, type JsonObject } from './xapi-values.js';

/** Statements per page when a query names no limit (or 0), and the most it may ask for. */
export const STATEMENT_PAGE_SIZE = 100;
const MAX_PAGE_SIZE = 500;

const QUERY_PARAMETERS = new Set([
  'statementId', 'voidedStatementId', 'agent', 'verb', 'activity', 'registration', 'related_activities', 'related_agents',
  'since', 'until', 'limit', 'format', 'attachments', 'ascending', 'more',
]);
const SINGLE_PARAMETERS = new Set(['statementId', 'voidedStatementId', 'format', 'attachments']);

/** Called with the statements just stored (prepared), to move ReadPulse; its failures do not fail the request. */
export type StatementsStored = (statements: readonly JsonObject[]) => Promise<void>;

export interface StatementResourceDeps {
  readonly store: XapiStatementStore;
  readonly clock: Clock;
  readonly onStored?: StatementsStored | undefined;
}

/** The Statement resource: PUT, POST and GET of /xapi/statements. */
export class StatementResource {
  constructor(private readonly deps: StatementResourceDeps) {}

  async put(request: XapiRequest): Promise<XapiResponse> {
    const id = request.params.statementId;
    if (id === undefined) throw badRequest('PUT /statements needs the statementId parameter.');
    if (!isUuid(id)) throw badRequest('statementId must be a UUID.');
    this.onlyParameters(request, ['statementId']);
    const { statements, parts } = this.readBody(request);
    if (statements.length !== 1 || Array.isArray(parseBodyJson(request, parts))) throw badRequest('PUT /statements takes one statement.');
    const statement = statements[0]!;
    if (statement.id !== undefined && normalizeUuid(String(statement.id)) !== normalizeUuid(id)) {
      throw badRequest('The statement\'s id is not the statementId parameter.');
    }
    await this.store(request, [{ ...statement, id: normalizeUuid(id) }], parts);
    return { status: 204 };
  }

  async post(request: XapiRequest): Promise<XapiResponse> {
    this.onlyParameters(request, []);
    const { statements, parts } = this.readBody(request);
    const ids = await this.store(request, statements, parts);
    return { status: 200, json: ids };
  }

  async get(request: XapiRequest, languageHeader: string | undefined): Promise<XapiResponse> {
    const params = request.params;
    for (const name of Object.keys(params)) if (!QUERY_PARAMETERS.has(name)) throw badRequest(`Unknown parameter: ${name}.`);
    const format = formatOf(params.format);
    const withAttachments = booleanOf(params.attachments, 'attachments');
    const languages = acceptedLanguages(languageHeader);
    const headers: Record<string, string> = {};
    if (params.statementId !== undefined || params.voidedStatementId !== undefined) {
      for (const name of Object.keys(params)) {
        if (!SINGLE_PARAMETERS.has(name)) throw badRequest(`${name} cannot be combined with statementId or voidedStatementId.`);
      }
      if (params.statementId !== undefined && params.voidedStatementId !== undefined) throw badRequest('Send statementId or voidedStatementId, not both.');
      const voided = params.voidedStatementId !== undefined;
      const id = params.statementId ?? params.voidedStatementId!;
      if (!isUuid(id)) throw badRequest('A statement id is a UUID.');
      const [found] = await this.deps.store.getStatements([normalizeUuid(id)]);
      if (!found || found.voided !== voided) throw new XapiError(404, 'No such statement.');
      const statement = formatStatement(JSON.parse(found.json) as JsonObject, format, languages);
      headers['last-modified'] = new Date(found.storedAt).toUTCString();
      return this.answer(statement, [statement], withAttachments, headers);
    }
    const query = params.more !== undefined ? decodeMore(params.more) : this.queryOf(params);
    const rows = await this.deps.store.queryStatements({ ...query, limit: query.limit + 1 });
    const page = rows.slice(0, query.limit);
    const statements = page.map((row: StoredXapiStatement) => formatStatement(JSON.parse(row.json) as JsonObject, format, languages));
    const more =
      rows.length > query.limit
        ? `${request.root}/statements?more=${encodeMore(continuing(query, page[page.length - 1]!))}${params.format ? `&format=${params.format}` : ''}${params.attachments ? `&attachments=${params.attachments}` : ''}`
        : '';
    return this.answer({ statements, more }, statements, withAttachments, headers);
  }

  private queryOf(params: Readonly<Record<string, string>>): XapiStatementQuery {
    const limit = params.limit === undefined ? 0 : Number(params.limit);
    if (!Number.isInteger(limit) || limit < 0 || !/^\d+$/.test(params.limit ?? '0')) throw badRequest('limit must be a whole number.');
    const timeOf = (name: 'since' | 'until') => {
      if (params[name] === undefined) return null;
      const ms = timestampMs(params[name], '1.0.3');
      if (ms === null) throw badRequest(`${name} must be an ISO 8601 timestamp.`);
      return ms;
    };
    if (params.verb !== undefined && !isIri(params.verb)) throw badRequest('verb must be an IRI.');
    if (params.activity !== undefined && !isIri(params.activity)) throw badRequest('activity must be an IRI.');
    if (params.registration !== undefined && !isUuid(params.registration)) throw badRequest('registration must be a UUID.');
    const since = timeOf('since');
    const until = timeOf('until');
    return {
      agentKey: params.agent === undefined ? null : parseAgentParameter(params.agent, '2.0.0').key,
      relatedAgents: booleanOf(params.related_agents, 'related_agents'),
      verbId: params.verb ?? null,
      activityId: params.activity ?? null,
      relatedActivities: booleanOf(params.related_activities, 'related_activities'),
      registration: params.registration === undefined ? null : normalizeUuid(params.registration),
      since,
      until,
      ascending: booleanOf(params.ascending, 'ascending'),
      order: orderOf(since, until),
      after: null,
      afterStored: null,
      limit: limit === 0 ? STATEMENT_PAGE_SIZE : Math.min(limit, MAX_PAGE_SIZE),
    };
  }

  private async answer(
    body: JsonObject,
    statements: readonly JsonObject[],
    withAttachments: boolean,
    headers: Record<string, string>,
  ): Promise<XapiResponse> {
    if (!withAttachments) return { status: 200, json: body, headers };
    const hashes = new Set<string>();
    for (const statement of statements) for (const sha2 of attachmentHashes(statement)) hashes.add(sha2);
    const attachments = await this.deps.store.getAttachments([...hashes]);
    const multipart = buildMultipart([
      { headers: { 'Content-Type': 'application/json' }, body: Buffer.from(JSON.stringify(body)) },
      ...attachments.map((attachment) => ({
        headers: { 'Content-Type': attachment.contentType, 'Content-Transfer-Encoding': 'binary', 'X-Experience-API-Hash': attachment.sha2 },
        body: Buffer.from(attachment.content),
      })),
    ]);
    return { status: 200, raw: multipart.body, headers: { ...headers, 'content-type': multipart.contentType } };
  }

  /** Until when every statement stored is visible to queries: now, or the latest `stored` if later. */
  async consistentThrough(): Promise<string> {
    const last = await this.deps.store.lastStoredAt();
    return new Date(Math.max(last ?? 0, this.deps.clock.now())).toISOString();
  }

  private onlyParameters(request: XapiRequest, allowed: readonly string[]): void {
    for (const name of Object.keys(request.params)) {
      if (name !== 'method' && !allowed.includes(name)) throw badRequest(`Unknown parameter: ${name}.`);
    }
  }

  /** The statements of a PUT or POST body (JSON, or the first part of multipart/mixed) and the attachment parts. */
  private readBody(request: XapiRequest): { statements: JsonObject[]; parts: MultipartPart[] | null } {
    const contentType = request.header('content-type') ?? '';
    let parts: MultipartPart[] | null = null;
    if (/^multipart\/mixed/i.test(contentType)) {
      parts = parseMultipart(request.body ?? Buffer.alloc(0), boundaryOf(contentType));
      if (parts.length === 0 || !/^application\/json/i.test(parts[0]!.headers['content-type'] ?? '')) {
        throw badRequest('The first part of a multipart/mixed request is the statements, as application/json.');
      }
    } else if (!/^application\/json\s*(;|$)/i.test(contentType)) {
      throw badRequest('Send statements as application/json or multipart/mixed.');
    }
    const body = parseBodyJson(request, parts);
    const list = Array.isArray(body) ? body : [body];
    for (const statement of list) validateStatement(statement, request.version);
    return { statements: list as JsonObject[], parts };
  }

  private async store(request: XapiRequest, statements: JsonObject[], parts: MultipartPart[] | null): Promise<string[]> {
    const attachments = checkAttachments(statements, parts);
    const ids = statements.map((statement) => (typeof statement.id === 'string' ? normalizeUuid(statement.id) : null));
    const given = ids.filter((id): id is string => id !== null);
    if (new Set(given).size !== given.length) throw badRequest('A batch names one statement id twice.');
    const existing = new Map((await this.deps.store.getStatements(given)).map((row) => [row.id, row]));
    const authority = authorityOf(request);
    const storedAt = this.deps.clock.now();
    const fresh: ReturnType<typeof prepareStatement>[] = [];
    const result: string[] = [];
    for (const statement of statements) {
      const prepared = prepareStatement(statement, { storedAt, authority, credentialId: request.credential.id, version: request.version });
      const before = existing.get(String(prepared.statement.id));
      if (before) {
        if (comparableStatement(JSON.parse(before.json) as JsonObject) !== comparableStatement(prepared.statement)) {
          throw new XapiError(409, `A different statement with the id ${String(prepared.statement.id)} is stored already.`);
        }
      } else {
        fresh.push(prepared);
      }
      result.push(String(prepared.statement.id));
    }
    await this.checkVoiding(fresh.map((p) => p.statement));
    const records = await this.withMergedDefinitions(fresh.map((p) => p.record));
    try {
      await this.deps.store.insertStatements(records, attachments);
    } catch (error) {
      if ((error as { code?: string }).code === 'conflict') throw new XapiError(409, 'A statement with that id was stored meanwhile.');
      throw error;
    }
    if (fresh.length > 0) await this.deps.onStored?.(fresh.map((p) => p.statement));
    return result;
  }

  /** The records with each activity definition merged into the one stored (language maps add up). */
  private async withMergedDefinitions(records: readonly XapiStatementRecord[]): Promise<XapiStatementRecord[]> {
    const known = new Map<string, JsonObject>();
    const result: XapiStatementRecord[] = [];
    for (const record of records) {
      const definitions = [];
      for (const { id, definition } of record.definitions) {
        if (!known.has(id)) {
          const stored = await this.deps.store.getActivityDefinition(id);
          if (stored !== null) known.set(id, JSON.parse(stored) as JsonObject);
        }
        const before = known.get(id);
        const merged = before ? mergeDefinitions(before, JSON.parse(definition) as JsonObject) : (JSON.parse(definition) as JsonObject);
        known.set(id, merged);
        definitions.push({ id, definition: JSON.stringify(merged) });
      }
      result.push({ ...record, definitions });
    }
    return result;
  }

  /** A voiding statement may not target another voiding statement. */
  private async checkVoiding(statements: readonly JsonObject[]): Promise<void> {
    const targets = statements
      .filter((s) => (s.verb as JsonObject).id === VOIDED_VERB)
      .map((s) => normalizeUuid(String((s.object as JsonObject).id)));
    if (targets.length === 0) return;
    for (const target of await this.deps.store.getStatements(targets)) {
      const statement = JSON.parse(target.json) as JsonObject;
      if ((statement.verb as JsonObject).id === VOIDED_VERB) throw badRequest('A voiding statement cannot be voided.');
    }
    for (const statement of statements) {
      if (targets.includes(String(statement.id)) && (statement.verb as JsonObject).id === VOIDED_VERB) throw badRequest('A voiding statement cannot be voided.');
    }
  }
}

function parseBodyJson(request: XapiRequest, parts: MultipartPart[] | null): Json {
  const text = (parts ? parts[0]!.body : (request.body ?? Buffer.alloc(0))).toString('utf8');
  try {
    return JSON.parse(text) as Json;
  } catch {
    throw badRequest('The body is not valid JSON.');
  }
}

/** The authority of statements sent with this request's credential. */
function authorityOf(request: XapiRequest): JsonObject {
  return {
    objectType: 'Agent',
    name: request.credential.name,
    account: { homePage: 'urn:readpulse:lrs-credential', name: request.credential.key },
  };
}

function attachmentHashes(statement: JsonObject): string[] {
  const hashes: string[] = [];
  const collect = (s: JsonObject) => {
    if (Array.isArray(s.attachments)) for (const a of s.attachments) if (isObject(a) && typeof a.sha2 === 'string') hashes.push(a.sha2);
  };
  collect(statement);
  if (isObject(statement.object) && statement.object.objectType === 'SubStatement') collect(statement.object);
  return hashes;
}

/**
 * The attachments sent as parts, checked against the statements: each part's hash is its
 * content's, each part is named by a statement, each attachment without a fileUrl has its part,
 * and signatures verify. Throws 400.
 */
function checkAttachments(statements: readonly JsonObject[], parts: MultipartPart[] | null): XapiAttachment[] {
  const byHash = new Map<string, MultipartPart>();
  for (const part of parts?.slice(1) ?? []) {
    const sha2 = part.headers['x-experience-api-hash'];
    if (!sha2) throw badRequest('Every attachment part needs an X-Experience-API-Hash header.');
    const encoding = part.headers['content-transfer-encoding'];
    if (encoding !== undefined && encoding.toLowerCase() !== 'binary') throw badRequest('Attachment parts use Content-Transfer-Encoding: binary.');
    if (shaOf(part.body, sha2.length) !== sha2.toLowerCase()) throw badRequest('An attachment part\'s content does not match its hash.');
    byHash.set(sha2.toLowerCase(), part);
  }
  const named = new Set<string>();
  for (const statement of statements) {
    if (!Array.isArray(statement.attachments)) continue;
    for (const attachment of statement.attachments as JsonObject[]) {
      const sha2 = String(attachment.sha2).toLowerCase();
      named.add(sha2);
      const part = byHash.get(sha2);
      if (!part && attachment.fileUrl === undefined) throw badRequest('An attachment without a fileUrl must be sent as a part.');
      if (attachment.usageType === SIGNATURE_USAGE) {
        if (attachment.contentType !== 'application/octet-stream') throw badRequest('A signature attachment is application/octet-stream.');
        if (!part) throw badRequest('A signature attachment must be sent as a part.');
        verifySignature(statement, part.body.toString('utf8'));
      }
    }
  }
  for (const sha2 of byHash.keys()) if (!named.has(sha2)) throw badRequest('An attachment part is named by no statement.');
  return [...byHash].map(([sha2, part]) => ({ sha2, contentType: part.headers['content-type'] ?? 'application/octet-stream', content: part.body }));
}

function shaOf(content: Buffer, hexLength: number): string {
  const algorithm = { 56: 'sha224', 64: 'sha256', 96: 'sha384', 128: 'sha512' }[hexLength] ?? 'sha256';
  return createHash(algorithm).update(content).digest('hex');
}

function formatOf(value: string | undefined): StatementFormat {
  if (value === undefined) return 'exact';
  if (value === 'exact' || value === 'ids' || value === 'canonical') return value;
  throw badRequest('format must be exact, ids or canonical.');
}

function booleanOf(value: string | undefined, name: string): boolean {
  if (value === undefined) return false;
  if (value === 'true') return true;
  if (value === 'false') return false;
  throw badRequest(`${name} must be true or false.`);
}

/**
 * The order of a query's result. The specification orders results by `stored`; statements are
 * stored in sequence and `stored` is the LRS's clock when it stored them, so the two agree but
 * for a clock set back or writers racing. A query with a time window is ordered by (stored,
 * seq), which the indexes of the statements' times (and of an agent's or an activity's, with
 * their times) serve from the window's edge; one without, by storage order, which the other
 * indexes serve.
 */
export function orderOf(since: number | null, until: number | null): XapiStatementOrder {
  return since !== null || until !== null ? 'stored' : 'sequence';
}

/** The query of the page after `last`, the final statement of this one. */
function continuing(query: XapiStatementQuery, last: StoredXapiStatement): XapiStatementQuery {
  return { ...query, after: last.sequence, afterStored: query.order === 'stored' ? last.storedAt : null };
}

/** The `more` token: the query itself (so it stays bound to it), base64url JSON. */
function encodeMore(query: XapiStatementQuery): string {
  return Buffer.from(JSON.stringify(query)).toString('base64url');
}

/**
 * The query a `more` token carries. A token made before queries had an order (no `order`) pages
 * on in storage order, as it began; a `stored` one must name the stored time it continues after.
 */
function decodeMore(token: string): XapiStatementQuery {
  const query = parseToken(token);
  if (query !== null && typeof query.limit === 'number' && typeof query.after === 'number') {
    const order = query.order ?? 'sequence';
    const afterStored = query.afterStored ?? null;
    if (order === 'sequence') return { ...(query as unknown as XapiStatementQuery), order, afterStored: null };
    if (order === 'stored' && typeof afterStored === 'number') return { ...(query as unknown as XapiStatementQuery), order, afterStored };
  }
  throw badRequest('The more parameter is not one this LRS gave.');
}

function parseToken(token: string): Partial<Record<keyof XapiStatementQuery, unknown>> | null {
  try {
    const value = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as unknown;
    return isObject(value) ? (value as Partial<Record<keyof XapiStatementQuery, unknown>>) : null;
  } catch {
    return null;
  }
}
