import { createHash } from 'node:crypto';
import type { Clock, XapiDocument, XapiDocumentKind, XapiDocumentScope, XapiDocumentStore, XapiStatementStore } from '../domain/index.js';
import { parseAgentParameter, personOf } from './agents.js';
import { badRequest, XapiError } from './xapi-error.js';
import type { XapiRequest } from './xapi-request.js';
import type { XapiResponse } from './xapi-response.js';
import { isIri, isObject, isUuid, normalizeUuid, timestampMs, type JsonObject } from './xapi-values.js';

interface Shape {
  readonly kind: XapiDocumentKind;
  readonly idParameter: 'stateId' | 'profileId';
  readonly activity: boolean;
  readonly agent: boolean;
  readonly registration: boolean;
}

const SHAPES: Record<XapiDocumentKind, Shape> = {
  state: { kind: 'state', idParameter: 'stateId', activity: true, agent: true, registration: true },
  'activity-profile': { kind: 'activity-profile', idParameter: 'profileId', activity: true, agent: false, registration: false },
  'agent-profile': { kind: 'agent-profile', idParameter: 'profileId', activity: false, agent: true, registration: false },
};

export interface DocumentResourceDeps {
  readonly documents: XapiDocumentStore;
  readonly statements: XapiStatementStore;
  readonly clock: Clock;
}

/**
 * The State, Activity Profile and Agent Profile resources (ETag preconditions, JSON merge on
 * POST, lists of ids with `since`), and the Activities and Agents resources.
 */
export class DocumentResources {
  constructor(private readonly deps: DocumentResourceDeps) {}

  async handle(kind: XapiDocumentKind, request: XapiRequest): Promise<XapiResponse> {
    const shape = SHAPES[kind];
    const scope = this.scopeOf(shape, request);
    const documentId = request.params[shape.idParameter];
    const method = request.method;
    if (documentId === undefined && (method === 'PUT' || method === 'POST')) throw badRequest(`${shape.idParameter} is required.`);
    if (documentId === undefined && method === 'DELETE' && kind !== 'state') throw badRequest(`${shape.idParameter} is required.`);
    const allowed = ['activityId', 'agent', 'registration', shape.idParameter, 'since', 'method'];
    for (const name of Object.keys(request.params)) if (!allowed.includes(name)) throw badRequest(`Unknown parameter: ${name}.`);
    if (request.params.since !== undefined && (documentId !== undefined || method !== 'GET')) throw badRequest('since is only for listing documents.');
    if (method === 'GET') return documentId === undefined ? this.list(scope, request) : this.get(scope, documentId);
    if (method === 'DELETE') return documentId === undefined ? this.deleteAll(scope) : this.delete(scope, documentId, request);
    if (method === 'PUT') return this.put(shape, scope, documentId!, request);
    if (method === 'POST') return this.post(scope, documentId!, request);
    throw new XapiError(405, 'Method not allowed.');
  }

  /** GET /activities?activityId=: the activity with the latest definition the LRS was given. */
  async activity(request: XapiRequest): Promise<XapiResponse> {
    const activityId = request.params.activityId;
    if (activityId === undefined || !isIri(activityId)) throw badRequest('activityId must be an IRI.');
    for (const name of Object.keys(request.params)) if (name !== 'activityId') throw badRequest(`Unknown parameter: ${name}.`);
    const definition = await this.deps.statements.getActivityDefinition(activityId);
    const activity: JsonObject = { objectType: 'Activity', id: activityId };
    if (definition !== null) activity.definition = JSON.parse(definition) as JsonObject;
    return { status: 200, json: activity };
  }

  /** GET /agents?agent=: the Person object of the agent. */
  async agent(request: XapiRequest): Promise<XapiResponse> {
    if (request.params.agent === undefined) throw badRequest('agent is required.');
    for (const name of Object.keys(request.params)) if (name !== 'agent') throw badRequest(`Unknown parameter: ${name}.`);
    return { status: 200, json: personOf(parseAgentParameter(request.params.agent, request.version).agent) };
  }

  private scopeOf(shape: Shape, request: XapiRequest): XapiDocumentScope {
    const { activityId, agent, registration } = request.params;
    if (shape.activity && (activityId === undefined || !isIri(activityId))) throw badRequest('activityId must be an IRI.');
    if (shape.agent && agent === undefined) throw badRequest('agent is required.');
    if (!shape.registration && registration !== undefined) throw badRequest('Unknown parameter: registration.');
    if (registration !== undefined && !isUuid(registration)) throw badRequest('registration must be a UUID.');
    return {
      kind: shape.kind,
      activityId: shape.activity ? activityId! : '',
      agentKey: shape.agent ? parseAgentParameter(agent!, request.version).key : '',
      registration: registration === undefined ? '' : normalizeUuid(registration),
    };
  }

  private async list(scope: XapiDocumentScope, request: XapiRequest): Promise<XapiResponse> {
    let since: number | null = null;
    if (request.params.since !== undefined) {
      since = timestampMs(request.params.since, '1.0.3');
      if (since === null) throw badRequest('since must be an ISO 8601 timestamp.');
    }
    return { status: 200, json: await this.deps.documents.listDocumentIds(scope, since) };
  }

  private async get(scope: XapiDocumentScope, documentId: string): Promise<XapiResponse> {
    const document = await this.deps.documents.getDocument(scope, documentId);
    if (!document) throw new XapiError(404, 'No such document.');
    return {
      status: 200,
      raw: Buffer.from(document.content),
      headers: { 'content-type': document.contentType, etag: document.etag, 'last-modified': new Date(document.updatedAt).toUTCString() },
    };
  }

  private async put(shape: Shape, scope: XapiDocumentScope, documentId: string, request: XapiRequest): Promise<XapiResponse> {
    const existing = await this.deps.documents.getDocument(scope, documentId);
    checkPreconditions(existing, request);
    const guarded = request.header('if-match') !== undefined || request.header('if-none-match') !== undefined;
    const strict = shape.kind !== 'state' || request.version === '2.0.0';
    if (existing && !guarded && strict) {
      throw new XapiError(409, 'The document exists: send If-Match with its ETag (or If-None-Match: *) to say what you expect.');
    }
    if (!existing && !guarded && shape.kind !== 'state' && request.version === '1.0.3') {
      throw badRequest('xAPI 1.0.3 asks a profile PUT to send If-Match or If-None-Match.');
    }
    const content = request.body ?? Buffer.alloc(0);
    const contentType = request.header('content-type') ?? 'application/octet-stream';
    if (isJsonType(contentType)) parseJsonDocument(content);
    await this.deps.documents.putDocument(scope, documentId, this.documentOf(contentType, content));
    return { status: 204 };
  }

  private async post(scope: XapiDocumentScope, documentId: string, request: XapiRequest): Promise<XapiResponse> {
    const existing = await this.deps.documents.getDocument(scope, documentId);
    checkPreconditions(existing, request);
    const content = request.body ?? Buffer.alloc(0);
    const contentType = request.header('content-type') ?? 'application/octet-stream';
    let stored = content;
    if (existing) {
      if (!isJsonType(contentType) || !isJsonType(existing.contentType)) {
        throw badRequest('POST merges JSON objects: the document and the new content must both be application/json.');
      }
      const before = parseJsonObject(Buffer.from(existing.content));
      const after = parseJsonObject(content);
      stored = Buffer.from(JSON.stringify({ ...before, ...after }));
    } else if (isJsonType(contentType)) {
      parseJsonObject(content);
    }
    await this.deps.documents.putDocument(scope, documentId, this.documentOf(existing ? 'application/json' : contentType, stored));
    return { status: 204 };
  }

  private async delete(scope: XapiDocumentScope, documentId: string, request: XapiRequest): Promise<XapiResponse> {
    const existing = await this.deps.documents.getDocument(scope, documentId);
    checkPreconditions(existing, request);
    await this.deps.documents.deleteDocument(scope, documentId);
    return { status: 204 };
  }

  private async deleteAll(scope: XapiDocumentScope): Promise<XapiResponse> {
    await this.deps.documents.deleteDocuments(scope);
    return { status: 204 };
  }

  private documentOf(contentType: string, content: Buffer): XapiDocument {
    return { contentType, content, etag: `"${createHash('sha1').update(content).digest('hex')}"`, updatedAt: this.deps.clock.now() };
  }
}

/** If-Match (an ETag or `*`) and If-None-Match (`*` or ETags), as RFC 9110 has them; 412 when one fails. */
function checkPreconditions(existing: XapiDocument | null, request: XapiRequest): void {
  const ifMatch = request.header('if-match');
  const ifNoneMatch = request.header('if-none-match');
  const tags = (header: string) => header.split(',').map((tag) => tag.trim().replace(/^W\//, ''));
  if (ifMatch !== undefined) {
    const ok = existing !== null && (ifMatch.trim() === '*' || tags(ifMatch).includes(existing.etag));
    if (!ok) throw new XapiError(412, 'The document is not the one If-Match names.');
  }
  if (ifNoneMatch !== undefined && existing !== null) {
    if (ifNoneMatch.trim() === '*' || tags(ifNoneMatch).includes(existing.etag)) throw new XapiError(412, 'The document exists (If-None-Match).');
  }
}

function isJsonType(contentType: string): boolean {
  return /^application\/json\s*(;|$)/i.test(contentType);
}

function parseJsonDocument(content: Buffer): unknown {
  try {
    return JSON.parse(content.toString('utf8'));
  } catch {
    throw badRequest('The document is sent as application/json but is not valid JSON.');
  }
}

function parseJsonObject(content: Buffer): JsonObject {
  const value = parseJsonDocument(content);
  if (!isObject(value as never)) throw badRequest('POST merges JSON objects: the document must be a JSON object.');
  return value as JsonObject;
}
