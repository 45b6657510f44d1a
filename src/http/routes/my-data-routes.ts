import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Readable } from 'node:stream';
import { toIsoTime, type AccessLogEntry, type UserDataStream } from '../../domain/index.js';
import { toActivityEventDto, toMilestoneDto, toUserDto } from '../dto.js';
import { AccessLogPageSchema, UserDataExportSchema } from '../analytics-schemas.js';
import { sessionCookieName, sessionCookieSecure } from '../request-guards.js';
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
export const myDataRoutes: FastifyPluginAsyncTypebox<RouteDeps> = async (app, { useCases, config }) => {
  const { readerData } = useCases;
  app.get(
    '/api/me/export',
    {
      config: { policy: 'user' },
      schema: {
        tags: ['me'],
        operationId: 'exportMyData',
        summary: 'Everything stored about the signed-in user, as a JSON download',
        description: 'Streamed: the activity is read and written in batches, so the server\'s memory does not grow with the history.',
        response: { 200: UserDataExportSchema, ...problemResponses(401) },
      },
    },
    async (request, reply) => {
      const data = await readerData.ownData(requireUserId(request), OWN_EXPORT_BATCH_ROWS);
      reply
        .header('content-disposition', 'attachment; filename="readpulse-my-data.json"')
        .header('cache-control', 'no-store')
        .type('application/json; charset=utf-8');
      // The document the schema describes, written piece by piece (a stream skips the serializer):
      // the next batch is read only when the socket has taken the last one (highWaterMark 1).
      const body = Readable.from(userDataJson(data), { objectMode: false, highWaterMark: 1 });
      return reply.send(body as never);
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
        description:
          '401 if the password is wrong; a wrong one counts toward the same per-account failure limit as sign-in, and past ' +
          'it the answer is 429 with Retry-After (the session stays valid). Every live stream of the user closes.',
        body: Type.Object({ password: Type.String({ minLength: 1, maxLength: 256 }) }, { additionalProperties: false }),
        response: { 204: NoContent, ...problemResponses(400, 401, 415, 429) },
      },
    },
    async (request, reply) => {
      await useCases.accounts.deleteAccount(requireUserId(request), request.body.password, request.ip);
      return reply.code(204).clearCookie(sessionCookieName(config.session.cookieSecure, request), {
        path: '/',
        secure: sessionCookieSecure(config.session.cookieSecure, request),
      }).send(null);
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

/** Events per read of the own export: with metadata up to 4 KiB each, about 1 MiB of text at a time. */
const OWN_EXPORT_BATCH_ROWS = 250;

/** The own export's JSON text in pieces: the head, one piece per activity batch, the tail. */
async function* userDataJson(data: UserDataStream): AsyncGenerator<string> {
  const head = { user: toUserDto(data.user), milestones: data.milestones.map(toMilestoneDto) };
  yield `${JSON.stringify(head).slice(0, -1)},"activity":[`;
  let first = true;
  for await (const batch of data.activity) {
    if (batch.length === 0) continue;
    const items = batch.map((event) => JSON.stringify(toActivityEventDto(event))).join(',');
    yield first ? items : `,${items}`;
    first = false;
  }
  yield `],"accessLog":${JSON.stringify(data.accessLog.map(toAccessLogEntryDto))}}`;
}

