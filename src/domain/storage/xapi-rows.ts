import type { StoredXapiStatement, XapiDocument, XapiDocumentScope, XapiStatementQuery, XapiStatementRecord } from '../xapi.js';

/** A row of xapi_statements as both engines return it (PostgreSQL's BIGINTs may arrive as text). */
export interface XapiStatementRow {
  seq: number | string;
  statement_id: string;
  body: string;
  stored_at: number | string;
  voided: number;
}

export const XAPI_STATEMENT_COLUMNS = 's.seq, s.statement_id, s.body, s.stored_at, s.voided';

/**
 * One page of an actor's non-voided statements, newest stored first (a reader's statements):
 * `@agentKey`, `@before` (a sequence; MAX_SAFE_INTEGER for the first page) and `@limit`.
 */
export const XAPI_ACTOR_PAGE = `SELECT ${XAPI_STATEMENT_COLUMNS} FROM xapi_statements s
  WHERE s.actor_key = @agentKey AND s.voided = 0 AND s.seq < @before ORDER BY s.seq DESC LIMIT @limit`;

/** The parameters of XAPI_ACTOR_PAGE. */
export function xapiActorPageParams(agentKey: string, page: { readonly before: number | null; readonly limit: number }): Record<string, unknown> {
  return { agentKey, before: page.before ?? Number.MAX_SAFE_INTEGER, limit: page.limit };
}

export function toStoredXapiStatement(row: XapiStatementRow): StoredXapiStatement {
  return { id: row.statement_id, json: row.body, storedAt: Number(row.stored_at), voided: Number(row.voided) !== 0, sequence: Number(row.seq) };
}

/**
 * The statement query of GET /xapi/statements as one SELECT with `@name` parameters, which both
 * engines bind (plain SQL both run unchanged).
 *
 * The filters other than time apply to a statement's targets (itself and, through StatementRef,
 * what it refers to, recursively), so a StatementRef matches what its target matches. Every
 * statement is its own target, so a statement matches when it does itself (the direct branch,
 * which each engine drives from the index of its most selective filter in the query's order:
 * agents and activities by (key, seq) or, in stored order, (key, stored_at, seq), which carry
 * each statement's time; verb by (verb_id, seq), registration by (registration, seq)) or when one
 * of its other targets does (the referring branch: only a statement that refers to another has
 * other targets, so it reads the few target rows that are not a statement's own). Each branch
 * stops at a page; the page is the first `limit` of the two. An agent or an activity is named
 * once per statement (the records keep one row per key), so the joins add no duplicates.
 *
 * In `stored` order a page continues after (afterStored, after): the rows stored at that time
 * with a later seq, then the later times (earlier, descending), read from the index as a range
 * from afterStored with the few rows of that very time filtered.
 */
export function xapiStatementQuery(query: XapiStatementQuery): { text: string; params: Record<string, unknown> } {
  const params: Record<string, unknown> = { limit: query.limit };
  const byStored = query.order === 'stored';
  const direction = query.ascending ? 'ASC' : 'DESC';
  const beyond = query.ascending ? '>' : '<';
  /** ORDER BY ... LIMIT on the statement, agent or activity row `alias`. */
  const orderOf = (alias: string) =>
    `ORDER BY ${byStored ? `${alias}.stored_at ${direction}, ` : ''}${alias}.seq ${direction} LIMIT @limit`;
  /** The time window and the cursor, on the stored_at and seq of row `alias`. */
  const windowOf = (alias: string) => {
    const conditions: string[] = [];
    if (query.since !== null) conditions.push(`${alias}.stored_at > @since`);
    if (query.until !== null) conditions.push(`${alias}.stored_at <= @until`);
    if (query.after !== null) {
      if (byStored) {
        conditions.push(`${alias}.stored_at ${beyond}= @afterStored`, `(${alias}.stored_at ${beyond} @afterStored OR ${alias}.seq ${beyond} @after)`);
      } else {
        conditions.push(`${alias}.seq ${beyond} @after`);
      }
    }
    return conditions;
  };
  if (query.since !== null) params.since = query.since;
  if (query.until !== null) params.until = query.until;
  if (query.after !== null) {
    params.after = query.after;
    if (byStored) {
      if (query.afterStored === null) throw new Error('A query in stored order continues after a stored time and a seq.');
      params.afterStored = query.afterStored;
    }
  }
  const where = ['s.voided = 0', ...windowOf('s')];
  const filtered = query.verbId !== null || query.registration !== null || query.agentKey !== null || query.activityId !== null;
  if (!filtered && query.since === null && query.until === null) {
    return { text: `SELECT ${XAPI_STATEMENT_COLUMNS} FROM xapi_statements s WHERE ${where.join(' AND ')} ${orderOf('s')}`, params };
  }
  if (!filtered) {
    // A time window: the page's seqs from the index of live statements' times, then their rows.
    const page = `SELECT s.seq FROM xapi_statements s WHERE ${where.join(' AND ')} ${orderOf('s')}`;
    return { text: `SELECT ${XAPI_STATEMENT_COLUMNS} FROM xapi_statements s WHERE s.seq IN (${page}) ${orderOf('s')}`, params };
  }

  /** The filters on statement `alias`, as joins (direct) or EXISTS (referring) on its agents and activities. */
  const targetFilters = (alias: string) => {
    const conditions: string[] = [];
    if (query.verbId !== null) conditions.push(`${alias}.verb_id = @verbId`);
    if (query.registration !== null) conditions.push(`${alias}.registration = @registration`);
    return conditions;
  };
  if (query.verbId !== null) params.verbId = query.verbId;
  if (query.registration !== null) params.registration = query.registration;
  const joins: string[] = [];
  const exists: string[] = [];
  if (query.agentKey !== null) {
    params.agentKey = query.agentKey;
    const related = query.relatedAgents ? '' : ' AND ag.related = 0';
    joins.push(`JOIN xapi_statement_agents ag ON ag.seq = s.seq AND ag.agent_key = @agentKey${related}`);
    exists.push(`EXISTS (SELECT 1 FROM xapi_statement_agents ag WHERE ag.agent_key = @agentKey AND ag.seq = t.target_seq${related})`);
  }
  if (query.activityId !== null) {
    params.activityId = query.activityId;
    const related = query.relatedActivities ? '' : ' AND ac.related = 0';
    joins.push(`JOIN xapi_statement_activities ac ON ac.seq = s.seq AND ac.activity_id = @activityId${related}`);
    exists.push(`EXISTS (SELECT 1 FROM xapi_statement_activities ac WHERE ac.activity_id = @activityId AND ac.seq = t.target_seq${related})`);
  }
  // The direct branch windows, orders and pages by the driving index's own stored_at and seq
  // (agents and activities carry the statement's), which SQLite then reads in order instead of
  // sorting (PostgreSQL knows the joined seqs are equal either way).
  const driver = query.agentKey !== null ? 'ag' : query.activityId !== null ? 'ac' : 's';
  const direct =
    `SELECT ${driver}.seq AS seq FROM xapi_statements s ${joins.join(' ')} ` +
    `WHERE ${['s.voided = 0', ...windowOf(driver), ...targetFilters('s')].join(' AND ')} ${orderOf(driver)}`;
  // The referring branch reads the few target rows that are not a statement's own (a partial
  // index of them, small enough to stay in memory), so an agent's or an activity's statements cost
  // no probe of the whole targets table each; the target's own row only for a verb or a
  // registration. `refers_to IS NOT NULL` says the same as the partial index's condition in a
  // way PostgreSQL estimates (it takes `seq <> target_seq` for nearly every row, and then reads
  // every statement). SELECT DISTINCT names what it is ordered by (PostgreSQL requires it).
  const target = query.verbId !== null || query.registration !== null ? ' JOIN xapi_statements ts ON ts.seq = t.target_seq' : '';
  const referring =
    `SELECT DISTINCT s.seq${byStored ? ', s.stored_at' : ''} FROM xapi_statement_targets t JOIN xapi_statements s ON s.seq = t.seq${target} ` +
    `WHERE s.refers_to IS NOT NULL AND t.seq <> t.target_seq AND ${[...where, ...targetFilters('ts'), ...exists].join(' AND ')} ${orderOf('s')}`;
  const text =
    `SELECT ${XAPI_STATEMENT_COLUMNS} FROM xapi_statements s ` +
    `WHERE s.seq IN (SELECT seq FROM (${direct}) AS d UNION SELECT seq FROM (${referring}) AS r) ${orderOf('s')}`;
  return { text, params };
}

/** A statement's own row, as both engines' insert names its parameters. */
export function xapiStatementParams(record: XapiStatementRecord): Record<string, unknown> {
  const actor = record.agents.find((agent) => !agent.related);
  return {
    id: record.id,
    json: record.json,
    storedAt: record.storedAt,
    verbId: record.verbId,
    registration: record.registration,
    refersTo: record.refersTo,
    voids: record.voids ? 1 : 0,
    actorKey: actor?.key ?? null,
    credentialId: record.credentialId,
  };
}

/** The columns that name one document's scope (state, activity profile or agent profile). */
export const XAPI_DOCUMENT_SCOPE = 'kind = @kind AND activity_id = @activityId AND agent_key = @agentKey AND registration = @registration';

/** A document's row parameters: its scope, id and content (stored as base64 text on both engines). */
export function xapiDocumentParams(scope: XapiDocumentScope, documentId: string, document: XapiDocument): Record<string, unknown> {
  return {
    ...scope,
    documentId,
    contentType: document.contentType,
    content: Buffer.from(document.content).toString('base64'),
    etag: document.etag,
    updatedAt: document.updatedAt,
  };
}

/** A row of xapi_documents (PostgreSQL's BIGINT may arrive as text). */
export interface XapiDocumentRow {
  content_type: string;
  content: string;
  etag: string;
  updated_at: number | string;
}

export function toXapiDocument(row: XapiDocumentRow): XapiDocument {
  return { contentType: row.content_type, content: Buffer.from(row.content, 'base64'), etag: row.etag, updatedAt: Number(row.updated_at) };
}
