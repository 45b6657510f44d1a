import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { SignedIn } from '../../auth/accounts.js';
import { toIsoTime } from '../../domain/index.js';
import { toUserDto } from '../dto.js';
import { sessionCookieName, sessionCookieSecure } from '../request-guards.js';
import { requireAuth } from '../request-context.js';
import type { RouteDeps } from '../route-deps.js';
import { NoContent, problemResponses } from '../route-docs.js';
import { AuthResultSchema, UserSchema } from '../schemas.js';

const Email = Type.String({ minLength: 3, maxLength: 254, pattern: '^[^\\s@]+@[^\\s@]+$' });
const NewPassword = Type.String({ minLength: 8, maxLength: 256 });
const AnyPassword = Type.String({ minLength: 1, maxLength: 256 });

/** Registration, sign-in and sign-out, the signed-in user, and password changes. */
export const authRoutes: FastifyPluginAsyncTypebox<RouteDeps> = async (app, { config, useCases }) => {
  const { accounts } = useCases;
  const cookieOptions = (request: FastifyRequest) => ({
    path: '/',
    httpOnly: true,
    sameSite: 'lax' as const,
    secure: sessionCookieSecure(config.session.cookieSecure, request),
  });
  const cookieName = (request: FastifyRequest) => sessionCookieName(config.session.cookieSecure, request);
  const sendSignedIn = (request: FastifyRequest, reply: FastifyReply, signedIn: SignedIn, status: number) =>
    reply
      .code(status)
      .setCookie(cookieName(request), signedIn.token, { ...cookieOptions(request), maxAge: config.session.maxAgeMs / 1000 })
      .send({ user: toUserDto(signedIn.user), token: signedIn.token, expiresAt: toIsoTime(signedIn.expiresAt) });

  app.post(
    '/api/auth/register',
    {
      config: { policy: 'public' },
      schema: {
        tags: ['auth'],
        summary: 'Create a reader account and sign in',
        body: Type.Object(
          {
            email: Email,
            password: NewPassword,
            name: Type.Optional(Type.String({ maxLength: 100 })),
            invite: Type.Optional(
              Type.String({
                maxLength: 64,
                description: 'An invite code: registers even when self-registration is closed and joins its cohort',
              }),
            ),
          },
          { additionalProperties: false },
        ),
        response: { 201: AuthResultSchema, ...problemResponses(400, 403, 409, 415) },
      },
    },
    async (request, reply) => {
      return sendSignedIn(request, reply, await accounts.register(request.body), 201);
    },
  );

  app.post(
    '/api/auth/login',
    {
      config: { policy: 'public' },
      schema: {
        tags: ['auth'],
        summary: 'Sign in',
        body: Type.Object(
          { email: Type.String({ minLength: 1, maxLength: 254 }), password: AnyPassword },
          { additionalProperties: false },
        ),
        response: { 200: AuthResultSchema, ...problemResponses(400, 401, 415, 429) },
      },
    },
    async (request, reply) => sendSignedIn(request, reply, await accounts.signIn(request.body, request.ip), 200),
  );

  app.post(
    '/api/auth/logout',
    {
      config: { policy: 'user' },
      schema: { tags: ['auth'], summary: 'Revoke this session', response: { 204: NoContent, ...problemResponses(401) } },
    },
    async (request, reply) => {
      await accounts.signOut(requireAuth(request).session.tokenHash);
      return reply.code(204).clearCookie(cookieName(request), cookieOptions(request)).send(null);
    },
  );

  app.get(
    '/api/me',
    {
      config: { policy: 'user' },
      schema: {
        tags: ['me'],
        summary: 'The signed-in user',
        response: { 200: Type.Object({ user: UserSchema }), ...problemResponses(401) },
      },
    },
    async (request) => ({ user: toUserDto(requireAuth(request).user) }),
  );

  app.post(
    '/api/me/password',
    {
      config: { policy: 'user' },
      schema: {
        tags: ['me'],
        summary: "Change the password; ends the user's other sessions",
        body: Type.Object({ currentPassword: AnyPassword, newPassword: NewPassword }, { additionalProperties: false }),
        description:
          '401 if `currentPassword` is wrong; a wrong one counts toward the same per-account failure limit as sign-in, ' +
          'and past it the answer is 429 with Retry-After (the session stays valid). Live streams of the other sessions close.',
        response: { 204: NoContent, ...problemResponses(400, 401, 415, 429) },
      },
    },
    async (request, reply) => {
      const auth = requireAuth(request);
      await accounts.changePassword(auth.user.id, auth.session.tokenHash, request.body, request.ip);
      return reply.code(204).send(null);
    },
  );
};
