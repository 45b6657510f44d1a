import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { toIsoTime, type AccessLogEntry } from '../../domain/index.js';
import { toActivityEventDto, toMilestoneDto, toUserDto } from '../dto.js';
import { AccessLogPageSchema, UserDataExportSchema } from '../analytics-schemas.js';
import { SESSION_COOKIE } from '../request-guards.js';
import { requireUserId } from '../request-context.js';
import type { RouteDeps } from '../route-deps.js';
import { NoContent, problemResponses } from '../route-docs.js';
import { PageQuerySchema, ReaderIdParamsSchema } from '../schemas.js';

export function toAccessLogEntryDto(entry: AccessLogEntry) {
  return { consultant: { ...entry.consultant }, what: entry.what, at: toIsoTime(entry.at) };
}

/**
 * What a user is owed about their own data: all of it as a download, who viewed it, and the
 * deletion of their account. Also the consultants' view of one reader's access log.
 */
export const myDataRoutes: FastifyPluginAsyncTypebox<RouteDeps> = async (app, { useCases }) => {
  const { readerData } = useCases;
  app.get(
    '/api/me/export',
    {
      config: { policy: 'user' },
      schema: {
        tags: ['me'],
        operationId: 'exportMyData',
        summary: 'Everything stored about the signed-in user, as a JSON download',
        response: { 200: UserDataExportSchema, ...problemResponses(401) },
      },
    },
    async (request, reply) => {
      const data = await readerData.ownData(requireUserId(request));
      reply.header('content-disposition', 'attachment; filename="readpulse-my-data.json"').header('cache-control', 'no-store');
      return {
        user: toUserDto(data.user),
        milestones: data.milestones.map(toMilestoneDto),
        activity: data.activity.map(toActivityEventDto),
        accessLog: data.accessLog.map(toAccessLogEntryDto),
      };
    },
  );

  app.delete(
    '/api/me',
    {
      config: { policy: 'user' },
      schema: {
        tags: ['me'],
        operationId: 'deleteMyAccount',
        summary: 'Delete the signed-in user\'s account and all their data; every session ends',
        description: '401 if the password is wrong.',
        body: Type.Object({ password: Type.String({ minLength: 1, maxLength: 256 }) }, { additionalProperties: false }),
        response: { 204: NoContent, ...problemResponses(400, 401, 415) },
      },
    },
    async (request, reply) => {
      await useCases.accounts.deleteAccount(requireUserId(request), request.body.password);
      return reply.code(204).clearCookie(SESSION_COOKIE, { path: '/' }).send(null);
    },
  );

  app.get(
    '/api/me/access-log',
    {
      config: { policy: 'user' },
      schema: {
        tags: ['me'],
        operationId: 'listMyAccessLog',
        summary: 'Which consultants viewed my data (progress, activity, exports), newest first',
        querystring: PageQuerySchema,
        response: { 200: AccessLogPageSchema, ...problemResponses(400, 401) },
      },
    },
    async (request) => {
      // A bad cursor is refused before the flush: a rejected request changes nothing.
      const page = await readerData.ownAccessLog(requireUserId(request), request.query);
      return { entries: page.items.map(toAccessLogEntryDto), nextCursor: page.nextCursor };
    },
  );

  app.get(
    '/api/readers/:id/access-log',
    {
      config: { policy: 'consultant' },
      schema: {
        tags: ['readers'],
        operationId: 'listReaderAccessLog',
        summary: 'Which consultants viewed a reader\'s data, newest first',
        params: ReaderIdParamsSchema,
        querystring: PageQuerySchema,
        response: { 200: AccessLogPageSchema, ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const page = await readerData.readerAccessLog(request.params.id, request.query);
      return { entries: page.items.map(toAccessLogEntryDto), nextCursor: page.nextCursor };
    },
  );
};
