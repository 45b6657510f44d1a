/**
 * The Learning Record Store's part of the OpenAPI document, written by hand: the /xapi routes
 * validate requests themselves (the xAPI specification's rules and status codes, not TypeBox's),
 * so they are hidden from the generated document and described here instead.
 */

type OpenApiObject = Record<string, unknown>;

/** The security scheme of every /xapi path but /xapi/about: an LRS credential's key and secret. */
export const LRS_SECURITY_SCHEME = 'lrsBasic';

const LRS_SECURITY = [{ [LRS_SECURITY_SCHEME]: [] }];
const TAGS = ['xAPI'];

const header = (description: string, schema: OpenApiObject = { type: 'string' }) => ({ description, schema });
const VERSION_HEADER = header('The xAPI version this answer speaks (1.0.3 or 2.0.0).');
const CONSISTENT_HEADER = header('Every statement stored up to this time is in the answers to queries.', { type: 'string', format: 'date-time' });
const ETAG_HEADER = header("The document's ETag: its SHA-1, quoted.");

const parameter = (name: string, description: string, schema: OpenApiObject = { type: 'string' }, required = false) => ({
  name,
  in: 'query',
  required,
  description,
  schema,
});
const VERSION_PARAMETER = {
  name: 'X-Experience-API-Version',
  in: 'header',
  required: true,
  description: 'The xAPI version of the request: 1.0.x or 2.0.x (anything else is a 400).',
  schema: { type: 'string', example: '2.0.0' },
};
const preconditions = (methods: string) => [
  {
    name: 'If-Match',
    in: 'header',
    required: false,
    description: `The ETag the document must have (${methods}); otherwise 412.`,
    schema: { type: 'string' },
  },
  {
    name: 'If-None-Match',
    in: 'header',
    required: false,
    description: `\`*\`: the document must not exist yet (${methods}); otherwise 412.`,
    schema: { type: 'string' },
  },
];
const AGENT = parameter('agent', 'An Agent or Identified Group as JSON (one of mbox, mbox_sha1sum, openid, account).', { type: 'string' });
const ACTIVITY_ID = parameter('activityId', "The activity's IRI.", { type: 'string', format: 'iri' });
const REGISTRATION = parameter('registration', 'A registration UUID; documents without one are a separate set.', { type: 'string', format: 'uuid' });
const SINCE_DOCUMENTS = parameter('since', 'List only the ids of documents stored after this time (GET without a document id).', {
  type: 'string',
  format: 'date-time',
});

// The bodies, inline: the document's component schemas are the generated routes' own.
const XAPI_ERROR = { type: 'object', required: ['error'], properties: { error: { type: 'string' } } };
const STATEMENT = {
  type: 'object',
  description: 'An xAPI statement (IEEE 9274.1.1), validated as the specification says.',
  required: ['actor', 'verb', 'object'],
  properties: {
    id: { type: 'string', format: 'uuid' },
    actor: { type: 'object', additionalProperties: true },
    verb: { type: 'object', additionalProperties: true },
    object: { type: 'object', additionalProperties: true },
  },
  additionalProperties: true,
};
const STATEMENT_RESULT = {
  type: 'object',
  required: ['statements'],
  properties: {
    statements: { type: 'array', items: STATEMENT },
    more: { type: 'string', description: 'The URL of the next page; empty on the last one.' },
  },
};
const ABOUT = {
  type: 'object',
  required: ['version'],
  properties: { version: { type: 'array', items: { type: 'string' } }, extensions: { type: 'object', additionalProperties: true } },
};

const JSON_ERROR = { content: { 'application/json': { schema: XAPI_ERROR } } };
const error = (description: string) => ({ description, headers: { 'X-Experience-API-Version': VERSION_HEADER }, ...JSON_ERROR });
const ERRORS = {
  '400': error('The request breaks a rule of the specification (the error names it).'),
  '401': error('No or unknown LRS credentials (answered with WWW-Authenticate: Basic).'),
};
const ok = (description: string, content?: OpenApiObject, headers: OpenApiObject = {}) => ({
  description,
  headers: { 'X-Experience-API-Version': VERSION_HEADER, ...headers },
  ...(content ? { content } : {}),
});
const NO_CONTENT = ok('Done.');
const ANY_DOCUMENT = { '*/*': { schema: { type: 'string', format: 'binary' } } };
const JSON_OBJECT = { 'application/json': { schema: { type: 'object', additionalProperties: true } } };

const operation = (operationId: string, summary: string, spec: OpenApiObject, security: unknown[] = LRS_SECURITY) => ({
  operationId,
  summary,
  tags: TAGS,
  security,
  ...spec,
  parameters: [VERSION_PARAMETER, ...((spec.parameters as unknown[]) ?? [])],
  responses: { ...ERRORS, ...(spec.responses as OpenApiObject) },
});

const STATEMENT_BODY = {
  required: true,
  content: {
    'application/json': { schema: { oneOf: [STATEMENT, { type: 'array', items: STATEMENT }] } },
    'multipart/mixed': {
      schema: {
        type: 'string',
        format: 'binary',
        description:
          'The statements as the first part (application/json), then one part per attachment with X-Experience-API-Hash ' +
          '(its SHA-2) and Content-Transfer-Encoding: binary; a signed statement carries its JWS as an attachment.',
      },
    },
  },
};
const CONFLICT = error('A different statement is stored under this id.');

const STATEMENT_QUERY = [
  parameter('statementId', 'One statement by its id (no other filter).', { type: 'string', format: 'uuid' }),
  parameter('voidedStatementId', 'One voided statement by its id (no other filter).', { type: 'string', format: 'uuid' }),
  AGENT,
  parameter('verb', "The verb's IRI.", { type: 'string', format: 'iri' }),
  parameter('activity', "The object activity's IRI.", { type: 'string', format: 'iri' }),
  parameter('registration', 'A registration UUID in the context.', { type: 'string', format: 'uuid' }),
  parameter('related_activities', 'Match activity anywhere in the statement (context, sub-statement), not only its object.', { type: 'boolean', default: false }),
  parameter('related_agents', 'Match agent anywhere in the statement, not only its actor.', { type: 'boolean', default: false }),
  parameter('since', 'Only statements stored after this time; the query is then ordered by stored.', { type: 'string', format: 'date-time' }),
  parameter('until', 'Only statements stored at or before this time; the query is then ordered by stored.', { type: 'string', format: 'date-time' }),
  parameter('limit', 'Statements per page (0: the server\'s largest page).', { type: 'integer', minimum: 0 }),
  parameter('format', 'ids: agents and activities by their identifiers only; exact: as stored; canonical: one language per language map.', {
    type: 'string',
    enum: ['ids', 'exact', 'canonical'],
    default: 'exact',
  }),
  parameter('attachments', 'Answer multipart/mixed with the attachments of the statements.', { type: 'boolean', default: false }),
  parameter('ascending', 'Oldest first.', { type: 'boolean', default: false }),
  parameter('more', 'The continuation token of a `more` link (the rest of a query).', { type: 'string' }),
];

/** The Statement resource: PUT one, POST one or a batch, GET one or a query. */
function statementResource(): OpenApiObject {
  const get = operation('xapiGetStatements', 'One statement, or a page of a query with a `more` link', {
    description:
      'Newest stored first (ascending=true: oldest first); with since or until, in stored order. ' +
      'Every answer, errors included, carries X-Experience-API-Consistent-Through.',
    parameters: STATEMENT_QUERY,
    responses: {
      '200': ok(
        'A statement (statementId, voidedStatementId) or a StatementResult; multipart/mixed with attachments=true.',
        {
          'application/json': {
            schema: { oneOf: [STATEMENT, STATEMENT_RESULT] },
          },
          'multipart/mixed': { schema: { type: 'string', format: 'binary' } },
        },
        { 'X-Experience-API-Consistent-Through': CONSISTENT_HEADER, 'Last-Modified': header('The stored time of a single statement.') },
      ),
      '404': error('No statement with that id (or it is voided, for statementId).'),
    },
  });
  return {
  get,
  put: operation('xapiPutStatement', 'Store one statement under its id', {
    parameters: [parameter('statementId', "The statement's id.", { type: 'string', format: 'uuid' }, true)],
    requestBody: STATEMENT_BODY,
    responses: { '204': NO_CONTENT, '409': CONFLICT },
  }),
  post: operation('xapiPostStatements', 'Store one statement or a batch (all or nothing)', {
    requestBody: STATEMENT_BODY,
    responses: {
      '200': ok('The ids of the statements, in the order sent.', { 'application/json': { schema: { type: 'array', items: { type: 'string', format: 'uuid' } } } }, {
        'X-Experience-API-Consistent-Through': CONSISTENT_HEADER,
      }),
      '409': CONFLICT,
    },
  }),
  };
}

/**
 * A document resource (State, Activity Profile, Agent Profile): GET one or the ids, PUT, POST
 * (JSON merge), DELETE.
 */
function documentResource(name: string, scope: unknown[], idParameter: string, deleteAll: boolean): OpenApiObject {
  const id = (required: boolean) => parameter(idParameter, `The document's id${required ? '' : '; without it, the ids of the documents'}.`, { type: 'string' }, required);
  const PRECONDITION_FAILED = error('If-Match or If-None-Match does not hold.');
  const written = { '204': ok('Stored (GET answers its new ETag).'), '412': PRECONDITION_FAILED };
  return {
    get: operation(`xapiGet${name}`, `A ${name} document, or the ids of the documents`, {
      parameters: [...scope, id(false), SINCE_DOCUMENTS],
      responses: {
        '200': ok('The document as stored (its content type), or a JSON array of ids.', ANY_DOCUMENT, {
          ETag: ETAG_HEADER,
          'Last-Modified': header('When the document was last stored.'),
        }),
        '404': error('No such document.'),
      },
    }),
    put: operation(`xapiPut${name}`, `Store a ${name} document (replacing it)`, {
      parameters: [...scope, id(true), ...preconditions('PUT')],
      requestBody: { required: true, content: ANY_DOCUMENT },
      responses: { ...written, '409': error('The document exists and neither If-Match nor If-None-Match was sent.') },
    }),
    post: operation(`xapiPost${name}`, `Merge a JSON object into a ${name} document`, {
      parameters: [...scope, id(true), ...preconditions('POST')],
      requestBody: { required: true, content: JSON_OBJECT },
      responses: written,
    }),
    delete: operation(`xapiDelete${name}`, deleteAll ? `Delete a ${name} document, or all of them in the scope` : `Delete a ${name} document`, {
      parameters: [...scope, id(!deleteAll), ...preconditions('DELETE')],
      responses: { '204': NO_CONTENT, '412': PRECONDITION_FAILED },
    }),
  };
}

/** The /xapi paths of the OpenAPI document; new objects each call (the swagger plugin adds to them). */
export function xapiOpenApiPaths(): Record<string, OpenApiObject> {
  return {
    '/xapi/statements': statementResource(),
    '/xapi/activities/state': documentResource('State', [{ ...ACTIVITY_ID, required: true }, { ...AGENT, required: true }, REGISTRATION], 'stateId', true),
    '/xapi/activities/profile': documentResource('ActivityProfile', [{ ...ACTIVITY_ID, required: true }], 'profileId', false),
    '/xapi/agents/profile': documentResource('AgentProfile', [{ ...AGENT, required: true }], 'profileId', false),
    '/xapi/activities': {
      get: operation('xapiGetActivity', 'An activity with the definition statements gave it', {
        parameters: [{ ...ACTIVITY_ID, required: true }],
        responses: { '200': ok('The Activity object.', JSON_OBJECT) },
      }),
    },
    '/xapi/agents': {
      get: operation('xapiGetAgent', 'The Person object of an agent', {
        parameters: [{ ...AGENT, required: true }],
        responses: { '200': ok('The Person object.', JSON_OBJECT) },
      }),
    },
    '/xapi/about': {
      get: {
        operationId: 'xapiGetAbout',
        summary: 'The xAPI versions this LRS speaks (no credentials)',
        tags: TAGS,
        security: [],
        responses: { '200': ok('The versions and extensions.', { 'application/json': { schema: ABOUT } }) },
      },
    },
  };
}

/** The security scheme the /xapi paths name: HTTP Basic with an LRS credential. */
export function xapiOpenApiSecuritySchemes() {
  return {
    [LRS_SECURITY_SCHEME]: {
      type: 'http' as const,
      scheme: 'basic',
      description: "An LRS credential's key and secret (POST /api/lrs-credentials).",
    },
  };
}
