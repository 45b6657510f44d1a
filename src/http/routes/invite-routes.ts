import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { INVITE_PREFIX_LENGTH } from '../../domain/index.js';
import { InviteSchema, NewInviteBodySchema, toInviteDto } from '../cohort-schemas.js';
import { requireUserId } from '../request-context.js';
import type { RouteDeps } from '../route-deps.js';
import { NoContent, problemResponses } from '../route-docs.js';
import { PageQuerySchema } from '../schemas.js';

/** A revoke names an invite by the prefix lists show, or by its whole code. */
const InviteRefParams = Type.Object({
  code: Type.String({ pattern: `^[A-Za-z0-9_-]{${INVITE_PREFIX_LENGTH}}([A-Za-z0-9_-]{24})?$` }),
});

/** Invites: links that let a reader register (even when registration is closed) into a cohort. */
export const inviteRoutes: FastifyPluginAsyncTypebox<RouteDeps> = async (app, { store, useCases }) => {
  const { invites } = useCases;
  app.post(
    '/api/invites',
    {
      config: { policy: 'consultant' },
      schema: {
        tags: ['invites'],
        summary: 'Create an invite; the answer holds its whole code, shown this once',
        body: NewInviteBodySchema,
        response: { 201: Type.Object({ invite: InviteSchema }), ...problemResponses(400, 401, 403, 404, 415) },
      },
    },
    async (request, reply) => {
      const { invite, code } = await invites.create({
        cohortId: request.body.cohortId ?? null,
        maxUses: request.body.maxUses ?? 1,
        ...(request.body.expiresInDays === undefined ? {} : { expiresInDays: request.body.expiresInDays }),
        createdBy: requireUserId(request),
      });
      return reply.code(201).send({ invite: toInviteDto(invite, code) });
    },
  );

  app.get(
    '/api/invites',
    {
      config: { policy: 'consultant' },
      schema: {
        tags: ['invites'],
        summary: 'Invites, newest first; each code shown by its first characters only',
        querystring: PageQuerySchema,
        response: {
          200: Type.Object({ invites: Type.Array(InviteSchema), nextCursor: Type.Union([Type.String(), Type.Null()]) }),
          ...problemResponses(400, 401, 403),
        },
      },
    },
    async (request) => {
      const page = await store.invites.listInvites(request.query);
      return { invites: page.items.map((invite) => toInviteDto(invite)), nextCursor: page.nextCursor };
    },
  );

  app.get(
    '/api/invites/:code/status',
    {
      config: { policy: 'public', addressLimited: true },
      schema: {
        tags: ['invites'],
        summary: 'Whether an invite code can register a reader now (for the join page, before the form is filled)',
        description:
          'Public, and limited per client address like registration. It says only what registering with the code would: ' +
          '`valid: true`, or `valid: false` with `reason: "unusable"` whether the code is unknown, revoked, used up or expired. ' +
          'It names no cohort and spends no use.',
        params: Type.Object({ code: Type.String({ minLength: 1, maxLength: 64 }) }),
        response: {
          200: Type.Object(
            {
              valid: Type.Boolean(),
              reason: Type.Union([Type.Literal('unusable'), Type.Null()], { description: 'null when valid' }),
            },
            { additionalProperties: false },
          ),
          ...problemResponses(400, 429),
        },
      },
    },
    async (request) => {
      const valid = await invites.isUsable(request.params.code);
      return { valid, reason: valid ? null : ('unusable' as const) };
    },
  );

  app.delete(
    '/api/invites/:code',
    {
      config: { policy: 'consultant' },
      schema: {
        tags: ['invites'],
        summary: 'Revoke an invite (by the code shown in lists, or the whole code); it stops working at once',
        params: InviteRefParams,
        response: { 204: NoContent, ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      await invites.revoke(request.params.code);
      return reply.code(204).send(null);
    },
  );
};
