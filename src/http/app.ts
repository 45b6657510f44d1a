import fastifyCookie from '@fastify/cookie';
import fastifyStatic from '@fastify/static';
import fastifySwagger from '@fastify/swagger';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { randomUUID } from 'node:crypto';
import type { Accounts } from '../auth/accounts.js';
import type { RequestRateLimiter } from '../auth/request-rate-limiter.js';
import type { UseCases } from '../application/use-cases.js';
import type { Config } from '../config.js';
import type { Clock, Store } from '../domain/index.js';
import type { CohortRosters } from '../live/cohort-rosters.js';
import type { AccessRecorder } from '../live/access-recorder.js';
import type { EventHub } from '../live/event-hub.js';
import type { Presence } from '../live/presence.js';
import type { CohortMembers } from './cohort-filter.js';
import { installMetrics, type Metrics } from './metrics.js';
import { handleError, handleNotFound } from './problem.js';
import { installRequestGuards, SECURE_SESSION_COOKIE, SESSION_COOKIE } from './request-guards.js';
import type { LiveDashboard } from './live-dashboard.js';
import type { RouteDeps } from './route-deps.js';
import { attentionRoutes } from './routes/attention-routes.js';
import { analyticsRoutes } from './routes/analytics-routes.js';
import { authRoutes } from './routes/auth-routes.js';
import { chapterRoutes } from './routes/chapter-routes.js';
import { cohortRoutes } from './routes/cohort-routes.js';
import { inviteRoutes } from './routes/invite-routes.js';
import { dashboardRoutes } from './routes/dashboard-routes.js';
import { exportRoutes } from './routes/export-routes.js';
import { myDataRoutes } from './routes/my-data-routes.js';
import { streamRoutes } from './routes/stream-routes.js';
import { myProgressRoutes } from './routes/my-progress-routes.js';
import { operationsRoutes } from './routes/operations-routes.js';
import { readerRoutes } from './routes/reader-routes.js';
import { webAppRoutes } from './routes/web-app-routes.js';
import { installSecurityHeaders } from './security-headers.js';
import { installValidation } from './validation.js';
import { lrsCredentialRoutes } from './routes/lrs-credential-routes.js';
import { xapiOpenApiPaths, xapiOpenApiSecuritySchemes } from '../xapi/xapi-openapi.js';
import { XAPI_BODY_LIMIT_BYTES, xapiPlugin } from '../xapi/xapi-plugin.js';
import { statementsIntoActivity } from '../xapi/statement-mapping.js';

/** What the app serves, all built by the composition root (main.ts); buildApp builds none of it. */
export interface AppDeps {
  /** The ports that queries read; every change goes through `useCases`. */
  readonly store: Store;
  readonly useCases: UseCases;
  /** Authenticates each request's session (the guard on /api). */
  readonly accounts: Accounts;
  readonly config: Config;
  readonly clock: Clock;
  readonly log: FastifyBaseLogger;
  readonly presence: Presence;
  /** Live events behind the consultants' stream. */
  readonly hub: EventHub;
  /** The consultants' live view, shared by the poll route and the stream's snapshot. */
  readonly liveDashboard: LiveDashboard;
  /** Cohort members in memory, for narrowing live views and streams by cohort. */
  readonly rosters: CohortRosters;
  /** Requests per signed-in user and per address on the sign-in routes; absent when rate limits are off. */
  readonly rateLimiters: { readonly perUser?: RequestRateLimiter; readonly perAddress?: RequestRateLimiter };
  /** Milliseconds between the stream's keep-alive comments; 15 s by default. */
  readonly streamKeepAliveMs?: number;
  /** The built web app (web/dist); served at `/`. */
  readonly webRoot: string;
  /** Where the app's metrics are kept; served at /metrics when metrics are on. */
  readonly metrics: Metrics;
  /** The access log's coalescing write path; its timer is started by the caller. */
  readonly accessRecorder: AccessRecorder;
  /** Cohort membership for `?cohort=` in analytics and exports. */
  readonly cohortMembers: CohortMembers;
}

/** Builds the HTTP app without listening: main.ts listens, tests use inject(). */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const { config, presence, hub } = deps;
  const app = Fastify({
    loggerInstance: deps.log,
    bodyLimit: config.bodyLimitBytes,
    // A hop count or the proxies' addresses, never `true` (Fastify's true believes the leftmost,
    // client-written X-Forwarded-For address).
    trustProxy: trustedProxies(config.trustProxy),
    requestTimeout: config.requestTimeoutMs,
    http: {
      // Node checks request timeouts only this often (30 s by default), so a slow client would
      // outlive a short requestTimeout by up to that much.
      connectionsCheckingInterval: Math.min(1000, config.requestTimeoutMs),
      headersTimeout: Math.min(60_000, config.requestTimeoutMs),
    },
    // Errors Fastify raises before routing (a malformed URL, an over-long path parameter) get
    // the same problem+json answer as everything else.
    frameworkErrors: (error, request, reply) => {
      handleError(error, request, reply);
    },
    genReqId: () => randomUUID(),
    requestIdHeader: false,
    // One line per request (in onResponse below) instead of Fastify's two.
    logController: new LogController({ disableRequestLogging: true }),
    ajv: { customOptions: { removeAdditional: false } },
  }).withTypeProvider<TypeBoxTypeProvider>();

  app.decorateRequest('auth', null);
  // Hooks on every request take a callback rather than being async: no promise per hook.
  app.addHook('onSend', (request, reply, payload, done) => {
    reply.header('x-request-id', request.id);
    done(null, payload);
  });
  app.addHook('onResponse', (request, reply, done) => {
    request.log.info(
      { method: request.method, url: request.url, status: reply.statusCode, ms: Math.round(reply.elapsedTime * 10) / 10, userId: request.auth?.user.id },
      'request',
    );
    done();
  });
  app.setErrorHandler(handleError);
  app.setNotFoundHandler(handleNotFound);
  installValidation(app);
  installSecurityHeaders(app);
  await app.register(fastifyCookie);
  await app.register(fastifyStatic, { root: deps.webRoot, serve: false });
  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'ReadPulse API',
        version: '1.0.0',
        description: 'Reading progress for readers; live oversight for consultants. Errors are RFC 9457 problem details.',
        license: { name: 'MIT', url: 'https://opensource.org/licenses/MIT' },
      },
      servers: [{ url: '/', description: 'The server that serves this document' }],
      // The LRS's routes are hidden (they validate by the xAPI specification, by hand): its paths are written out.
      paths: xapiOpenApiPaths(),
      components: {
        securitySchemes: {
          ...xapiOpenApiSecuritySchemes(),
          bearer: { type: 'http', scheme: 'bearer' },
          cookie: {
            type: 'apiKey',
            in: 'cookie',
            name: SESSION_COOKIE,
            description: `Named ${SECURE_SESSION_COOKIE} when the cookie is Secure (over HTTPS).`,
          },
        },
      },
    },
  });
  installRequestGuards(app, {
    accounts: deps.accounts,
    presence,
    userRateLimiter: deps.rateLimiters.perUser,
    addressRateLimiter: deps.rateLimiters.perAddress,
    cookieSecure: config.session.cookieSecure,
  });
  documentPolicies(app);
  if (config.metricsEnabled) {
    deps.metrics.watch({ sseClients: () => hub.subscriberCount });
    installMetrics(app, deps.metrics, config.metricsToken);
  }

  const routeDeps: RouteDeps = {
    store: deps.store,
    useCases: deps.useCases,
    presence,
    hub,
    liveDashboard: deps.liveDashboard,
    rosters: deps.rosters,
    config,
    clock: deps.clock,
    accessRecorder: deps.accessRecorder,
    cohortMembers: deps.cohortMembers,
  };
  await app.register(operationsRoutes, routeDeps);
  await app.register(authRoutes, routeDeps);
  await app.register(myProgressRoutes, routeDeps);
  await app.register(readerRoutes, routeDeps);
  await app.register(dashboardRoutes, routeDeps);
  await app.register(streamRoutes, { ...routeDeps, accounts: deps.accounts, keepAliveMs: deps.streamKeepAliveMs });
  await app.register(chapterRoutes, routeDeps);
  await app.register(cohortRoutes, routeDeps);
  await app.register(inviteRoutes, routeDeps);
  await app.register(attentionRoutes, routeDeps);
  await app.register(analyticsRoutes, routeDeps);
  await app.register(exportRoutes, routeDeps);
  await app.register(myDataRoutes, routeDeps);
  await app.register(lrsCredentialRoutes, routeDeps);
  await app.register(xapiPlugin, {
    prefix: '/xapi',
    statements: deps.store.xapiStatements,
    documents: deps.store.xapiDocuments,
    credentials: deps.store.lrsCredentials,
    clock: deps.clock,
    bodyLimitBytes: Math.max(config.bodyLimitBytes, XAPI_BODY_LIMIT_BYTES),
    onStatementsStored: statementsIntoActivity({
      users: deps.store.users,
      chapters: deps.store.chapters,
      milestones: deps.store.progress,
      statements: deps.store.xapiStatements,
      progress: deps.useCases.progress,
      log: app.log,
    }),
  });
  await app.register(webAppRoutes, { webRoot: deps.webRoot });
  return app;
}

/**
 * Fastify's trustProxy from the configured one: N hops trusts the socket and the N-1 addresses
 * right of it (proxy-addr walks X-Forwarded-For from the right), so the client is the Nth address
 * from the right; a list trusts only those addresses.
 */
function trustedProxies(trust: Config['trustProxy']): false | string[] | ((address: string, hop: number) => boolean) {
  if (trust === false) return false;
  if (typeof trust === 'number') return (_address, hop) => hop < trust;
  return [...trust];
}

/** Writes each route's policy into its OpenAPI entry: who may call it and how to authenticate. */
function documentPolicies(app: FastifyInstance): void {
  app.addHook('onRoute', (route) => {
    const policy = route.config?.policy;
    if (!policy || !route.schema) return;
    const schema = route.schema as Record<string, unknown>;
    if (schema.security) return; // a HEAD route shares its GET route's schema
    schema.security = policy === 'public' ? [] : [{ bearer: [] }, { cookie: [] }];
    schema.operationId ??= operationIdOf(String(route.method), route.url);
    const who = { public: 'anyone', user: 'any signed-in user', consultant: 'consultants only', lrs: 'LRS credentials' }[policy];
    schema.description = [schema.description, `Policy: ${policy} (${who}).`].filter(Boolean).join(' ');
  });
}

/**
 * An operationId for a route that names none, from its method and path, for client generators:
 * GET /api/readers/:id/progress -> getReadersByIdProgress.
 */
export function operationIdOf(method: string, url: string): string {
  const words = url
    .split('/')
    .filter((part) => part !== '' && part !== 'api')
    .flatMap((part) => (part.startsWith(':') ? ['by', part.slice(1)] : part.split(/[^A-Za-z0-9]+/)))
    .filter((word) => word !== '');
  const capitalized = words.map((word) => word[0]!.toUpperCase() + word.slice(1));
  return method.toLowerCase() + capitalized.join('');
}
