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
 * engines bind (plain SQL both run unchanged: the filters apply to a statement's targets, so a
 * StatementRef matches what the statement it refers to matches).
 */
export function xapiStatementQuery(query: XapiStatementQuery): { text: string; params: Record<string, unknown> } {
  const params: Record<string, unknown> = { limit: query.limit };
  const where = ['s.voided = 0'];
  const targetWhere: string[] = [];
  if (query.since !== null) {
    where.push('s.stored_at > @since');
    params.since = query.since;
  }
  if (query.until !== null) {
    where.push('s.stored_at <= @until');
    params.until = query.until;
  }
  if (query.after !== null) {
    where.push(query.ascending ? 's.seq > @after' : 's.seq < @after');
    params.after = query.after;
  }
  if (query.verbId !== null) {
    targetWhere.push('ts.verb_id = @verbId');
    params.verbId = query.verbId;
  }
  if (query.registration !== null) {
    targetWhere.push('ts.registration = @registration');
    params.registration = query.registration;
  }
  if (query.agentKey !== null) {
    targetWhere.push(
      `EXISTS (SELECT 1 FROM xapi_statement_agents a WHERE a.agent_key = @agentKey AND a.seq = ts.seq${query.relatedAgents ? '' : ' AND a.related = 0'})`,
    );
    params.agentKey = query.agentKey;
  }
  if (query.activityId !== null) {
    targetWhere.push(
      `EXISTS (SELECT 1 FROM xapi_statement_activities a WHERE a.activity_id = @activityId AND a.seq = ts.seq${query.relatedActivities ? '' : ' AND a.related = 0'})`,
    );
    params.activityId = query.activityId;
  }
  if (targetWhere.length > 0) {
    where.push(
      `EXISTS (SELECT 1 FROM xapi_statement_targets t JOIN xapi_statements ts ON ts.seq = t.target_seq WHERE t.seq = s.seq AND ${targetWhere.join(' AND ')})`,
    );
  }
  const text = `SELECT ${XAPI_STATEMENT_COLUMNS} FROM xapi_statements s WHERE ${where.join(' AND ')} ORDER BY s.seq ${query.ascending ? 'ASC' : 'DESC'} LIMIT @limit`;
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
