import type {} from '@fastify/swagger';
import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { RouteDeps } from '../route-deps.js';

/** Health and the API's own description. */
export const operationsRoutes: FastifyPluginAsyncTypebox<RouteDeps> = async (app, { store }) => {
  app.get(
    '/healthz',
    {
      config: { policy: 'public' },
      schema: {
        tags: ['operations'],
        summary: 'Whether the database answers',
        response: {
          200: Type.Object({ status: Type.Literal('ok') }),
          503: Type.Object({ status: Type.Literal('unavailable') }),
        },
      },
    },
    async (request, reply) => {
      try {
        await store.operations.ping();
        return { status: 'ok' as const };
      } catch (error) {
        request.log.error({ err: error }, 'health check failed');
        return reply.code(503).send({ status: 'unavailable' as const });
      }
    },
  );

  app.get(
    '/api/openapi.json',
    { config: { policy: 'public' }, schema: { tags: ['operations'], summary: 'This OpenAPI document', hide: true } },
    async () => app.swagger(),
  );
};
