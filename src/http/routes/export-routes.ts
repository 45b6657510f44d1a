import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply } from 'fastify';
import type { Readable } from 'node:stream';
import { toIsoTime } from '../../domain/index.js';
import { readerFilterFor } from '../cohort-filter.js';
import { csvStream } from '../csv-export.js';
import { CsvSchema, TimeRangeQuerySchema } from '../analytics-schemas.js';
import { CohortQuerySchema } from '../cohort-schemas.js';
import { requireAuth } from '../request-context.js';
import type { RouteDeps } from '../route-deps.js';
import { problemResponses } from '../route-docs.js';
import { parseIsoTime, requireOrdered } from '../time-query.js';

export const PROGRESS_CSV_HEADER = ['reader_id', 'email', 'name', 'chapter_id', 'status', 'score', 'updated_at'] as const;
export const ACTIVITY_CSV_HEADER = ['event_id', 'reader_id', 'email', 'action_type', 'metadata', 'created_at'] as const;

const csvResponse = { 200: { description: 'RFC 4180 CSV with a header row.', content: { 'text/csv': { schema: CsvSchema } } } };

/**
 * The download's file name: `progress.csv` for everyone, `progress-<cohort>.csv` for one cohort, so
 * that two exports of different classes never overwrite each other or get mixed up.
 */
export function exportFileName(what: 'progress' | 'activity', cohortName: string | null): string {
  if (cohortName === null) return `${what}.csv`;
  const slug = cohortName
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60)
    .replace(/-+$/, '');
  return `${what}-${slug === '' ? 'cohort' : slug}.csv`;
}

function sendCsv(reply: FastifyReply, name: string, body: Readable): FastifyReply {
  return reply
    .type('text/csv; charset=utf-8')
    .header('content-disposition', `attachment; filename="${name}"`)
    .header('cache-control', 'no-store')
    .send(body);
}

/**
 * Progress and activity as CSV for spreadsheets, streamed from the database in batches. Each
 * reader an export includes is noted in their access log (coalesced, see AccessRecorder).
 */
export const exportRoutes: FastifyPluginAsyncTypebox<RouteDeps> = async (app, { store, cohortMembers, accessRecorder }) => {
  const cohortNameOf = async (cohort: number | undefined) =>
    cohort === undefined ? null : ((await store.cohorts.listCohorts()).find((c) => c.id === cohort)?.name ?? null);
  app.get(
    '/api/export/progress.csv',
    {
      config: { policy: 'consultant' },
      schema: {
        tags: ['export'],
        operationId: 'exportProgressCsv',
        summary: 'Every milestone of the (cohort\'s) readers as CSV, one row per milestone',
        querystring: CohortQuerySchema,
        response: { ...csvResponse, ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      const consultant = requireAuth(request).user.id;
      const filter = await readerFilterFor(cohortMembers, request.query.cohort);
      const name = exportFileName('progress', await cohortNameOf(request.query.cohort));
      const body = csvStream(
        PROGRESS_CSV_HEADER,
        store.exports.streamProgressExport(filter),
        (r) => [r.readerId, r.email, r.name, r.chapterId, r.status, r.score, toIsoTime(r.updatedAt)],
        (rows) => accessRecorder.recordMany(consultant, new Set(rows.map((r) => r.readerId)), 'export'),
      );
      return sendCsv(reply, name, body);
    },
  );

  app.get(
    '/api/export/activity.csv',
    {
      config: { policy: 'consultant' },
      schema: {
        tags: ['export'],
        operationId: 'exportActivityCsv',
        summary: 'The (cohort\'s) readers\' activity in [from, to) as CSV, oldest first',
        querystring: Type.Composite([CohortQuerySchema, TimeRangeQuerySchema]),
        response: { ...csvResponse, ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      const consultant = requireAuth(request).user.id;
      const from = parseIsoTime(request.query.from, 'from');
      const to = parseIsoTime(request.query.to, 'to');
      requireOrdered(from, to);
      const filter = await readerFilterFor(cohortMembers, request.query.cohort);
      const name = exportFileName('activity', await cohortNameOf(request.query.cohort));
      const body = csvStream(
        ACTIVITY_CSV_HEADER,
        store.exports.streamActivityExport({ ...filter, from, to }),
        (e) => [e.eventId, e.readerId, e.email, e.actionType, e.metadata, toIsoTime(e.createdAt)],
        (rows) => accessRecorder.recordMany(consultant, new Set(rows.map((r) => r.readerId)), 'export'),
      );
      return sendCsv(reply, name, body);
    },
  );
};
