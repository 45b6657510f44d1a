import type {} from '@fastify/cookie';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Accounts, Authenticated } from '../auth/accounts.js';
import { ROUTE_POLICIES, requirePolicy, type RoutePolicy } from '../auth/policy.js';
import { AppError } from '../domain/index.js';
import type { Presence } from '../live/presence.js';
import type { RequestRateLimiter } from '../auth/request-rate-limiter.js';
import type { RequestAuth } from './request-context.js';

export const SESSION_COOKIE = 'readpulse_session';
/** The session cookie's name when it is Secure: the browser then keeps it host-only, Path=/, HTTPS-set. */
export const SECURE_SESSION_COOKIE = `__Host-${SESSION_COOKIE}`;

/** Whether a request's session cookie is (to be) Secure under the configured setting. */
export function sessionCookieSecure(setting: 'auto' | 'always' | 'never', request: FastifyRequest): boolean {
  return setting === 'always' || (setting === 'auto' && request.protocol === 'https');
}

/** The session cookie's name for a request: `__Host-` prefixed when it is Secure. */
export function sessionCookieName(setting: 'auto' | 'always' | 'never', request: FastifyRequest): string {
  return sessionCookieSecure(setting, request) ? SECURE_SESSION_COOKIE : SESSION_COOKIE;
}

const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * Installs the guards every request passes: each route must declare a policy (registration
 * fails otherwise); one onRequest hook checks the origin of credential-less or cookie-borne
 * writes, authenticates, records the heartbeat, applies the policy and refuses non-JSON writes.
 */
export interface RequestGuardDeps {
  readonly accounts: Accounts;
  readonly presence: Presence;
  /** Per signed-in user; absent when rate limits are off. */
  readonly userRateLimiter?: RequestRateLimiter | undefined;
  /** Per client address, on public writes (sign-in, registration); absent when limits are off. */
  readonly addressRateLimiter?: RequestRateLimiter | undefined;
  /** READPULSE_COOKIE_SECURE: which cookie name carries the session (see sessionCookieName). */
  readonly cookieSecure?: 'auto' | 'always' | 'never';
}

export function installRequestGuards(app: FastifyInstance, deps: RequestGuardDeps): void {
  app.addHook('onRoute', (route) => {
    const policy = route.config?.policy;
    if (policy === undefined || !ROUTE_POLICIES.includes(policy)) {
      throw new Error(`Route ${String(route.method)} ${route.url} declares no policy (config.policy).`);
    }
  });

  // A callback hook, not an async one: a request on a cached session passes without a promise.
  app.addHook('onRequest', (request, _reply, done) => {
    const policy = request.routeOptions.config.policy;
    if (policy === undefined) return done(); // no route matched: the not-found handler answers
    if (policy === 'lrs') return done(); // the LRS authenticates its own credentials
    const writes = STATE_CHANGING.has(request.method);
    const bearer = bearerToken(request);
    if (writes && bearer === undefined) refuseCrossSite(request);
    if (policy === 'public') {
      if (writes || request.routeOptions.config.addressLimited === true) deps.addressRateLimiter?.take(request.ip);
      if (writes) requireJsonBody(request);
      return done();
    }
    const token = bearer ?? request.cookies[sessionCookieName(deps.cookieSecure ?? 'auto', request)];
    const via = bearer ? 'bearer' : 'cookie';
    const cached = token ? deps.accounts.authenticateCached(token) : null;
    if (cached !== undefined) {
      admit(request, policy, cached, via, writes, deps);
      return done();
    }
    // Not in the session cache: the store is asked.
    deps.accounts.authenticate(token!).then((auth) => {
      try {
        admit(request, policy, auth, via, writes, deps);
      } catch (error) {
        return done(error as Error);
      }
      done();
    }, done);
  });
}

/** Lets an authenticated request in: the heartbeat, the route's policy, the rate limit, JSON. */
function admit(
  request: FastifyRequest,
  policy: RoutePolicy,
  auth: Authenticated | null,
  via: RequestAuth['via'],
  writes: boolean,
  deps: RequestGuardDeps,
): void {
  if (!auth) throw new AppError('unauthenticated', 'Sign in to continue. The session is missing or has expired.');
  // Fire-and-forget heartbeat: recorded in memory, flushed in batches (see live/presence.ts).
  const at = deps.presence.touch(auth.user, auth.session.tokenHash);
  request.auth = { user: { ...auth.user, lastActiveAt: at }, session: auth.session, via };
  requirePolicy(policy, request.auth.user);
  deps.userRateLimiter?.take(String(auth.user.id));
  if (writes) requireJsonBody(request);
}

function bearerToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (header === undefined) return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  // A malformed Authorization header is a failed bearer attempt, not a fall-back to the cookie.
  return match ? match[1]! : '';
}

/**
 * A browser sends cookies on cross-site requests; a write carrying them (or none, as a sign-in)
 * from another origin is refused, so no other site can act with a user's session.
 */
function refuseCrossSite(request: FastifyRequest): void {
  if (request.headers['sec-fetch-site'] === 'cross-site') {
    throw new AppError('forbidden', 'Cross-site requests are not allowed.');
  }
  const origin = request.headers.origin;
  if (origin === undefined) return;
  // Both sides through the URL parser, so an explicit default port (:80, :443) compares equal.
  if (originOf(origin) !== originOf(`${request.protocol}://${request.host}`)) {
    throw new AppError('forbidden', 'Cross-site requests are not allowed.');
  }
}

function originOf(url: string): string | undefined {
  try {
    return new URL(url).origin;
  } catch {
    return undefined;
  }
}

/** Writes carry JSON or nothing at all; a body of any other type is 415 on every route. */
function requireJsonBody(request: FastifyRequest): void {
  const type = request.headers['content-type'];
  const hasBody = Number(request.headers['content-length'] ?? 0) > 0 || request.headers['transfer-encoding'] !== undefined;
  if (type === undefined ? hasBody : !/^application\/json\s*(;|$)/i.test(type)) {
    throw new AppError('unsupported_media_type', 'Send the body as JSON (Content-Type: application/json).');
  }
}
