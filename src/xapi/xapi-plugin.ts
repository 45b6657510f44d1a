import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Clock, LrsCredentialStore, XapiDocumentKind, XapiDocumentStore, XapiStatementStore } from '../domain/index.js';
import { DocumentResources } from './document-resources.js';
import { authenticateLrsCredential } from './lrs-credentials.js';
import { StatementResource, type StatementsStored } from './statement-resource.js';
import { XapiError } from './xapi-error.js';
import { readXapiRequest, versionOf, type XapiRequest } from './xapi-request.js';
import type { XapiResponse } from './xapi-response.js';
import type { XapiVersion } from './xapi-values.js';

/** The ports and settings of the LRS. */
export interface XapiPluginOptions {
  readonly statements: XapiStatementStore;
  readonly documents: XapiDocumentStore;
  readonly credentials: LrsCredentialStore;
  readonly clock: Clock;
  /** The largest request body /xapi takes (attachments included). */
  readonly bodyLimitBytes: number;
  /** Moves ReadPulse after statements are stored (the milestone and activity mapping). */
  readonly onStatementsStored?: StatementsStored;
}

/** Statements with attachments are larger than /api's bodies. */
export const XAPI_BODY_LIMIT_BYTES = 16 * 1024 * 1024;

const METHODS = ['GET', 'PUT', 'POST', 'DELETE'] as const;
const XAPI_ROUTE = { config: { policy: 'lrs' as const }, schema: { hide: true } };

/**
 * The Learning Record Store, registered under a prefix (`/xapi`): statements, documents,
 * activities, agents and `about`. Authenticates LRS credentials (HTTP Basic) itself; answers
 * every response with X-Experience-API-Version and every error with the status the xAPI
 * specification names and a JSON `{error}` body.
 */
export async function xapiPlugin(app: FastifyInstance, options: XapiPluginOptions): Promise<void> {
  const mapStatements = options.onStatementsStored;
  // The statements are stored whatever happens next: a failure to move ReadPulse is logged, not answered.
  const onStored = mapStatements
    ? async (stored: Parameters<typeof mapStatements>[0]) => {
        try {
          await mapStatements(stored);
        } catch (error) {
          app.log.error({ err: error }, 'xAPI statements were stored but not mapped into ReadPulse');
        }
      }
    : undefined;
  const statements = new StatementResource({ store: options.statements, clock: options.clock, onStored });
  const documents = new DocumentResources({ documents: options.documents, statements: options.statements, clock: options.clock });
  const checkCredential = (authorization: string | undefined) => authenticateLrsCredential(options.credentials, authorization);
  // The version each credential last spoke, for answering a request that names none.
  const spokenVersions = new Map<number, XapiVersion>();

  // Any body is read as bytes: statements, multipart attachments and documents of any type.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: options.bodyLimitBytes }, (_request, body, done) => done(null, body));
  app.addHook('onRequest', (request, reply, done) => {
    reply.header('x-experience-api-version', versionOf(request.headers['x-experience-api-version'] as string | undefined) ?? '2.0.0');
    done();
  });
  app.setErrorHandler((error: Error & { statusCode?: number }, request, reply) => {
    if (error instanceof XapiError) {
      for (const [name, value] of Object.entries(error.headers)) reply.header(name, value);
      return answerError(reply, error.status, error.message);
    }
    const status = error.statusCode;
    if (status !== undefined && status >= 400 && status < 500) return answerError(reply, status, error.message);
    request.log.error({ err: error }, 'xAPI request failed');
    return answerError(reply, 500, 'Internal error.');
  });
  app.setNotFoundHandler((_request, reply) => answerError(reply, 404, 'No such xAPI resource.'));

  const route = (url: string, handle: (request: XapiRequest, raw: FastifyRequest) => Promise<XapiResponse>) => {
    app.route({
      method: [...METHODS],
      url,
      ...XAPI_ROUTE,
      handler: async (request, reply) => {
        const root = request.url.slice(0, request.url.indexOf(url));
        if (url === '/statements' && (request.method === 'GET' || request.method === 'HEAD' || request.method === 'POST')) {
          // Every answer to a statement query names how far it is consistent, errors included.
          reply.header('x-experience-api-consistent-through', await statements.consistentThrough());
        }
        const xapiRequest = await readXapiRequest(request, checkCredential, root, spokenVersions);
        reply.header('x-experience-api-version', xapiRequest.version);
        const response = await handle(xapiRequest, request);
        return send(reply, response);
      },
    });
  };

  app.get('/about', XAPI_ROUTE, async (_request, reply) =>
    send(reply, { status: 200, json: { version: ['1.0.3', '2.0.0'], extensions: {} } }),
  );
  route('/statements', async (request, raw) => {
    if (request.method === 'PUT') return statements.put(request);
    if (request.method === 'POST') return statements.post(request);
    if (request.method === 'GET') return statements.get(request, raw.headers['accept-language'] as string | undefined);
    throw new XapiError(405, 'Statements cannot be deleted.');
  });
  const documentRoute = (url: string, kind: XapiDocumentKind) => route(url, (request) => documents.handle(kind, request));
  documentRoute('/activities/state', 'state');
  documentRoute('/activities/profile', 'activity-profile');
  documentRoute('/agents/profile', 'agent-profile');
  route('/activities', async (request) => {
    if (request.method !== 'GET') throw new XapiError(405, 'Only GET.');
    return documents.activity(request);
  });
  route('/agents', async (request) => {
    if (request.method !== 'GET') throw new XapiError(405, 'Only GET.');
    return documents.agent(request);
  });
}

function send(reply: FastifyReply, response: XapiResponse): FastifyReply {
  reply.code(response.status);
  for (const [name, value] of Object.entries(response.headers ?? {})) reply.header(name, value);
  if (response.raw !== undefined) return reply.send(response.raw);
  if (response.json !== undefined) return reply.type('application/json').send(JSON.stringify(response.json));
  return reply.send();
}

function answerError(reply: FastifyReply, status: number, message: string): FastifyReply {
  if (status === 401) reply.header('www-authenticate', 'Basic realm="xAPI"');
  return reply.code(status).type('application/json').send(JSON.stringify({ error: message }));
}
