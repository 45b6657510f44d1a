import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { CohortBodySchema, CohortIdParamsSchema, CohortMemberParamsSchema, CohortSchema, toCohortDto } from '../cohort-schemas.js';
import type { RouteDeps } from '../route-deps.js';
import { NoContent, problemResponses } from '../route-docs.js';

/** Cohorts: named groups of readers that consultants' lists and views narrow to. */
export const cohortRoutes: FastifyPluginAsyncTypebox<RouteDeps> = async (app, { store, useCases }) => {
  const { cohorts } = useCases;
  app.post(
    '/api/cohorts',
    {
      config: { policy: 'consultant' },
      schema: {
        tags: ['cohorts'],
        summary: 'Create a cohort',
        body: CohortBodySchema,
        response: { 201: Type.Object({ cohort: CohortSchema }), ...problemResponses(400, 401, 403, 409, 415) },
      },
    },
    async (request, reply) => reply.code(201).send({ cohort: toCohortDto(await cohorts.create(request.body.name)) }),
  );

  app.get(
    '/api/cohorts',
    {
      config: { policy: 'consultant' },
      schema: {
        tags: ['cohorts'],
        summary: 'Every cohort, by name',
        response: { 200: Type.Object({ cohorts: Type.Array(CohortSchema) }), ...problemResponses(401, 403) },
      },
    },
    async () => ({ cohorts: (await store.cohorts.listCohorts()).map(toCohortDto) }),
  );

  app.put(
    '/api/cohorts/:id',
    {
      config: { policy: 'consultant' },
      schema: {
        tags: ['cohorts'],
        summary: 'Rename a cohort',
        params: CohortIdParamsSchema,
        body: CohortBodySchema,
        response: { 200: Type.Object({ cohort: CohortSchema }), ...problemResponses(400, 401, 403, 404, 409, 415) },
      },
    },
    async (request) => ({ cohort: toCohortDto(await cohorts.rename(request.params.id, request.body.name)) }),
  );

  app.delete(
    '/api/cohorts/:id',
    {
      config: { policy: 'consultant' },
      schema: {
        tags: ['cohorts'],
        summary: 'Delete a cohort; its readers stay, only the grouping goes',
        params: CohortIdParamsSchema,
        response: { 204: NoContent, ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      await cohorts.delete(request.params.id);
      return reply.code(204).send(null);
    },
  );

  app.put(
    '/api/cohorts/:id/readers/:readerId',
    {
      config: { policy: 'consultant' },
      schema: {
        tags: ['cohorts'],
        summary: 'Put a reader in a cohort (idempotent)',
        params: CohortMemberParamsSchema,
        response: { 204: NoContent, ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      await cohorts.addReader(request.params.id, request.params.readerId);
      return reply.code(204).send(null);
    },
  );

  app.delete(
    '/api/cohorts/:id/readers/:readerId',
    {
      config: { policy: 'consultant' },
      schema: {
        tags: ['cohorts'],
        summary: 'Take a reader out of a cohort (idempotent)',
        params: CohortMemberParamsSchema,
        response: { 204: NoContent, ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      await cohorts.removeReader(request.params.id, request.params.readerId);
      return reply.code(204).send(null);
    },
  );
};
