import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { toStuckReaderDto } from '../dto.js';
import { CohortQuerySchema } from '../cohort-schemas.js';
import type { RouteDeps } from '../route-deps.js';
import { problemResponses } from '../route-docs.js';
import { LiveDashboardSchema, LiveQuerySchema, PageQuerySchema, StuckPageSchema } from '../schemas.js';

/** The consultants' live view: who is online now. */
export const dashboardRoutes: FastifyPluginAsyncTypebox<RouteDeps> = async (app, { liveDashboard, store, rosters }) => {
  app.get(
    '/api/consultant/dashboard/live',
    {
      config: { policy: 'consultant' },
      schema: {
        tags: ['dashboard'],
        summary: 'Readers active in the last 60 seconds (or a cohort\'s): how many, and the `limit` most recent (ETag / 304 when unchanged)',
        querystring: Type.Composite([LiveQuerySchema, CohortQuerySchema]),
        response: {
          200: LiveDashboardSchema,
          304: { type: 'null', description: 'Not modified' },
          ...problemResponses(400, 401, 403, 404),
        },
      },
    },
    async (request, reply) => {
      const { cohort, limit } = request.query;
      const { json, etag } =
        cohort === undefined ? await liveDashboard.current(limit) : await liveDashboard.narrowed(await rosters.members(cohort), cohort, limit);
      // no-store: readers' personal data stays out of every cache; clients that keep the ETag
      // themselves still revalidate with If-None-Match and get 304.
      reply.header('etag', etag).header('cache-control', 'no-store');
      // send() with no payload: a 304 carries no body and no Content-Length.
      if (request.headers['if-none-match'] === etag) return reply.code(304).send(undefined as never);
      return reply.type('application/json; charset=utf-8').send(json);
    },
  );

  app.get(
    '/api/consultant/stuck',
    {
      config: { policy: 'consultant' },
      schema: {
        tags: ['dashboard'],
        summary: 'Readers with a chapter marked stuck, longest stuck first',
        querystring: Type.Composite([PageQuerySchema, CohortQuerySchema]),
        response: { 200: StuckPageSchema, ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const { cohort, ...pageQuery } = request.query;
      const page = await store.readers.listStuckReaders({ ...pageQuery, cohortId: cohort });
      return { stuck: page.items.map(toStuckReaderDto), nextCursor: page.nextCursor };
    },
  );
};
