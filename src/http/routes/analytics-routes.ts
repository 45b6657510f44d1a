import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { AppError, BUCKET_MS, toIsoTime, toIsoTimeOrNull } from '../../domain/index.js';
import { readerFilterFor } from '../cohort-filter.js';
import { CohortQuerySchema } from '../cohort-schemas.js';
import { toUserDto } from '../dto.js';
import {
  ActivityBucketsResponseSchema,
  ActivityQuerySchema,
  ChapterFunnelResponseSchema,
  GridQuerySchema,
  GridResponseSchema,
  SummaryQuerySchema,
  SummaryResponseSchema,
} from '../analytics-schemas.js';
import { requireUserId } from '../request-context.js';
import type { RouteDeps } from '../route-deps.js';
import { problemResponses } from '../route-docs.js';
import { parseIsoTime, requireOrdered } from '../time-query.js';

/** Buckets shown when `from` is not given: 30 days, or 48 hours. */
const DEFAULT_BUCKETS = { day: 30, hour: 48 } as const;

/** Program-wide pictures for consultants: chapter funnel, activity over time, the progress grid. */
export const analyticsRoutes: FastifyPluginAsyncTypebox<RouteDeps> = async (app, { store, clock, cohortMembers, useCases }) => {
  app.get(
    '/api/analytics/chapters',
    {
      config: { policy: 'consultant' },
      schema: {
        tags: ['analytics'],
        operationId: 'getChapterFunnel',
        summary: 'Per chapter, in program order: readers not started, started, completed, stuck; median score and minutes to complete',
        querystring: CohortQuerySchema,
        response: { 200: ChapterFunnelResponseSchema, ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (request) => ({ chapters: await store.analytics.getChapterFunnel(await readerFilterFor(cohortMembers, request.query.cohort)) }),
  );

  app.get(
    '/api/analytics/activity',
    {
      config: { policy: 'consultant' },
      schema: {
        tags: ['analytics'],
        operationId: 'getActivityBuckets',
        summary: 'Events and active readers per hour or day (UTC), at most 1,000 buckets; for a cohort or one reader',
        description: '`from` is rounded down and `to` up to the bucket; `to` defaults to now, `from` to 30 days (48 hours) before it.',
        querystring: ActivityQuerySchema,
        response: { 200: ActivityBucketsResponseSchema, ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const { bucket } = request.query;
      const to = parseIsoTime(request.query.to, 'to') ?? clock.now();
      const from = parseIsoTime(request.query.from, 'from') ?? to - DEFAULT_BUCKETS[bucket] * BUCKET_MS[bucket];
      requireOrdered(from, to);
      let filter = await readerFilterFor(cohortMembers, request.query.cohort);
      if (request.query.reader !== undefined) {
        const reader = await useCases.readerData.readerActivityTrend(requireUserId(request), request.query.reader);
        filter = { readerIds: filter.readerIds === undefined || filter.readerIds.includes(reader.id) ? [reader.id] : [] };
      }
      const buckets = await store.analytics.getActivityBuckets({ ...filter, from, to, bucket });
      return { buckets: buckets.map((b) => ({ start: toIsoTime(b.start), events: b.events, activeReaders: b.activeReaders })) };
    },
  );

  app.get(
    '/api/analytics/summary',
    {
      config: { policy: 'consultant' },
      schema: {
        tags: ['analytics'],
        operationId: 'getClassSummary',
        summary: 'The class at a glance: readers, active today and this week, percent of the program completed, median score, stuck readers, attention items',
        description: 'Counted in SQL; the same figures the whole progress grid and the attention counts give for the same readers.',
        querystring: SummaryQuerySchema,
        response: { 200: SummaryResponseSchema, ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const now = clock.now();
      const today = parseIsoTime(request.query.today, 'today') ?? now - (now % BUCKET_MS.day);
      if (today > now || today < now - 2 * BUCKET_MS.day) throw new AppError('invalid_request', 'today must be within the last 48 hours.');
      const filter = await readerFilterFor(cohortMembers, request.query.cohort);
      const summary = await store.analytics.getClassSummary({ ...filter, activeTodaySince: today, activeWeekSince: now - 7 * BUCKET_MS.day });
      return { ...summary, attention: await store.attention.countAttention(request.query.cohort) };
    },
  );

  app.get(
    '/api/analytics/grid',
    {
      config: { policy: 'consultant' },
      schema: {
        tags: ['analytics'],
        operationId: 'getProgressGrid',
        summary: 'Readers x chapters: one cell per chapter in program order, readers by id',
        querystring: GridQuerySchema,
        response: { 200: GridResponseSchema, ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const { cohort, ...page } = request.query;
      const grid = await store.analytics.getProgressGrid({ ...(await readerFilterFor(cohortMembers, cohort)), ...page });
      return {
        chapters: [...grid.chapters],
        readers: grid.readers.map((row) => ({ reader: toUserDto(row.reader), cells: row.cells.map((c) => ({ status: c.status, score: c.score, updatedAt: toIsoTimeOrNull(c.updatedAt) })) })),
        nextCursor: grid.nextCursor,
      };
    },
  );
};
