import { createHash } from 'node:crypto';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { toIsoTime, type Clock } from '../../domain/index.js';
import { LIVE_WINDOW_MS, type Presence } from '../../live/presence.js';
import { toStuckReaderDto, toUserDto } from '../dto.js';
import type { RouteDeps } from '../route-deps.js';
import { problemResponses } from '../route-docs.js';
import { LiveDashboardSchema, PageQuerySchema, StuckPageSchema, type LiveDashboardDto } from '../schemas.js';

/** The live view's body: the readers active within the window, most recent first. Also the stream's snapshot. */
export async function buildLiveDashboard(presence: Presence, clock: Clock): Promise<LiveDashboardDto> {
  const readers = (await presence.activeReaders()).map(toUserDto);
  return { windowSeconds: LIVE_WINDOW_MS / 1000, generatedAt: toIsoTime(clock.now()), readers };
}

/** The consultants' live view: who is online now. */
export const dashboardRoutes: FastifyPluginAsyncTypebox<RouteDeps> = async (app, { presence, clock, store }) => {
  app.get(
    '/api/consultant/dashboard/live',
    {
      config: { policy: 'consultant' },
      schema: {
        tags: ['dashboard'],
        summary: 'Readers active in the last 60 seconds, most recent first (ETag / 304 when unchanged)',
        response: { 200: LiveDashboardSchema, 304: { type: 'null', description: 'Not modified' }, ...problemResponses(401, 403) },
      },
    },
    async (request, reply) => {
      const body = await buildLiveDashboard(presence, clock);
      // The ETag covers the readers, not generatedAt, so an unchanged room polls as 304.
      const etag = `"${createHash('sha1').update(JSON.stringify(body.readers)).digest('base64url')}"`;
      // no-store: readers' personal data stays out of every cache; clients that keep the ETag
      // themselves still revalidate with If-None-Match and get 304.
      reply.header('etag', etag).header('cache-control', 'no-store');
      if (request.headers['if-none-match'] === etag) return reply.code(304).send(null);
      return body;
    },
  );

  app.get(
    '/api/consultant/stuck',
    {
      config: { policy: 'consultant' },
      schema: {
        tags: ['dashboard'],
        summary: 'Readers with a chapter marked stuck, longest stuck first',
        querystring: PageQuerySchema,
        response: { 200: StuckPageSchema, ...problemResponses(400, 401, 403) },
      },
    },
    async (request) => {
      const page = await store.listStuckReaders(request.query);
      return { stuck: page.items.map(toStuckReaderDto), nextCursor: page.nextCursor };
    },
  );
};
