import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { READER_SORTS, READER_STATUSES } from '../../domain/index.js';
import { toActivityEventDto, toMilestoneDto, toReaderSummaryDto, toUserDto } from '../dto.js';
import { CohortQuerySchema, CohortSchema, toCohortDto } from '../cohort-schemas.js';
import { requireUserId } from '../request-context.js';
import type { RouteDeps } from '../route-deps.js';
import { problemResponses } from '../route-docs.js';
import {
  EventsPageSchema,
  MilestoneSchema,
  PageQuerySchema,
  ReaderIdParamsSchema,
  ReadersPageSchema,
  StatementsPageSchema,
  UserSchema,
} from '../schemas.js';

/**
 * Consultants' view of every reader. The target reader comes from the URL; a view of one
 * reader's progress or activity is noted in that reader's access log.
 */
export const readerRoutes: FastifyPluginAsyncTypebox<RouteDeps> = async (app, { store, useCases }) => {
  const { readerData } = useCases;
  app.get(
    '/api/readers',
    {
      config: { policy: 'consultant' },
      schema: {
        tags: ['readers'],
        summary: 'All readers (or one cohort\'s) with their milestone counts; search matches email or name; the first page says the total',
        querystring: Type.Composite([
          PageQuerySchema,
          CohortQuerySchema,
          Type.Object({
            search: Type.Optional(Type.String({ maxLength: 100 })),
            sort: Type.Optional(
              Type.Union(READER_SORTS.map((s) => Type.Literal(s)), {
                description: 'id (default); name; last-active (most recent first, never last); completed (most completed chapters first); id breaks ties',
              }),
            ),
            status: Type.Optional(
              Type.Union(READER_STATUSES.map((s) => Type.Literal(s)), {
                description: 'stuck: stuck on some chapter; not-started: no milestone at all; completed-all: every chapter of the program completed',
              }),
            ),
          }),
        ]),
        response: { 200: ReadersPageSchema, ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const search = request.query.search?.trim() || undefined;
      const { cohort, ...query } = request.query;
      const page = await store.readers.listReaders({ ...query, search, cohortId: cohort });
      const total = query.cursor === undefined ? { total: await store.readers.countReaders({ search, cohortId: cohort, status: query.status }) } : {};
      return { readers: page.items.map(toReaderSummaryDto), nextCursor: page.nextCursor, ...total };
    },
  );

  app.get(
    '/api/readers/:id/progress',
    {
      config: { policy: 'consultant' },
      schema: {
        tags: ['readers'],
        summary: "A reader and their milestones",
        params: ReaderIdParamsSchema,
        response: {
          200: Type.Object({ reader: UserSchema, milestones: Type.Array(MilestoneSchema) }),
          ...problemResponses(400, 401, 403, 404),
        },
      },
    },
    async (request) => {
      const { reader, milestones } = await readerData.readerProgress(requireUserId(request), request.params.id);
      return { reader: toUserDto(reader), milestones: milestones.map(toMilestoneDto) };
    },
  );

  app.get(
    '/api/readers/:id/cohorts',
    {
      config: { policy: 'consultant' },
      schema: {
        tags: ['readers'],
        summary: 'The cohorts a reader is in, by name',
        params: ReaderIdParamsSchema,
        response: { 200: Type.Object({ cohorts: Type.Array(CohortSchema) }), ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const reader = await store.readers.getReader(request.params.id);
      const ids = new Set(await store.cohorts.listReaderCohortIds(reader.id));
      return { cohorts: (await store.cohorts.listCohorts()).filter((c) => ids.has(c.id)).map(toCohortDto) };
    },
  );

  app.get(
    '/api/readers/:id/activity',
    {
      config: { policy: 'consultant' },
      schema: {
        tags: ['readers'],
        summary: "A reader's activity, newest first",
        params: ReaderIdParamsSchema,
        querystring: PageQuerySchema,
        response: { 200: EventsPageSchema, ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const page = await readerData.readerActivity(requireUserId(request), request.params.id, request.query);
      return { events: page.items.map(toActivityEventDto), nextCursor: page.nextCursor };
    },
  );

  app.get(
    '/api/readers/:id/statements',
    {
      config: { policy: 'consultant' },
      schema: {
        tags: ['readers'],
        summary: "The xAPI statements a reader made (actor mbox = mailto: + their email), newest stored first",
        description:
          'The stored statements that are not voided, each exactly as GET /xapi/statements returns it; noted in the reader\'s access log as a view of their activity.',
        params: ReaderIdParamsSchema,
        querystring: PageQuerySchema,
        response: { 200: StatementsPageSchema, ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const page = await readerData.readerStatements(requireUserId(request), request.params.id, request.query);
      return { statements: page.items.map((statement) => JSON.parse(statement.json) as Record<string, unknown>), nextCursor: page.nextCursor };
    },
  );
};
