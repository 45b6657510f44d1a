import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { AppError, MAX_METADATA_BYTES, metadataJson, type ActivityMetadata } from '../../domain/index.js';
import { toActivityEventDto, toMilestoneDto } from '../dto.js';
import { requireAuth, requireUserId } from '../request-context.js';
import type { RouteDeps } from '../route-deps.js';
import { problemResponses } from '../route-docs.js';
import {
  ActionTypeSchema,
  ActivityEventSchema,
  ChapterIdSchema,
  EventsPageSchema,
  MetadataSchema,
  MilestoneSchema,
  MilestoneStatusSchema,
  PageQuerySchema,
  ScoreSchema,
} from '../schemas.js';

const MAX_BATCH_EVENTS = 100;
const ActivityInputSchema = Type.Object(
  { actionType: ActionTypeSchema, metadata: Type.Optional(MetadataSchema) },
  { additionalProperties: false },
);

/**
 * The signed-in user's own milestones and activity. The user id comes from the session and
 * nowhere else: no path, query or body field names a user. A reader's writes are published to
 * the consultants' live stream once stored.
 */
export const myProgressRoutes: FastifyPluginAsyncTypebox<RouteDeps> = async (app, { store, useCases }) => {
  const { progress } = useCases;

  app.put(
    '/api/me/milestones/:chapterId',
    {
      config: { policy: 'user' },
      schema: {
        tags: ['me'],
        summary: 'Record the status (and score) of a chapter; one milestone per chapter',
        params: Type.Object({ chapterId: ChapterIdSchema }),
        body: Type.Object(
          { status: MilestoneStatusSchema, score: Type.Optional(ScoreSchema) },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ milestone: MilestoneSchema }), ...problemResponses(400, 401, 415) },
      },
    },
    async (request) => {
      const { milestone } = await progress.recordMilestone(requireAuth(request).user, {
        chapterId: request.params.chapterId,
        status: request.body.status,
        score: request.body.score ?? null,
      });
      return { milestone: toMilestoneDto(milestone) };
    },
  );

  app.get(
    '/api/me/milestones',
    {
      config: { policy: 'user' },
      schema: {
        tags: ['me'],
        summary: 'My milestones, by chapter',
        response: { 200: Type.Object({ milestones: Type.Array(MilestoneSchema) }), ...problemResponses(401) },
      },
    },
    async (request) => ({ milestones: (await store.progress.getMyMilestones(requireUserId(request))).map(toMilestoneDto) }),
  );

  app.post(
    '/api/me/activity',
    {
      config: { policy: 'user' },
      schema: {
        tags: ['me'],
        summary: 'Record an activity event',
        body: ActivityInputSchema,
        response: { 201: Type.Object({ event: ActivityEventSchema }), ...problemResponses(400, 401, 413, 415, 503) },
      },
    },
    async (request, reply) => {
      const metadata = checkedMetadata(request.body.metadata);
      const event = await progress.recordActivity(requireAuth(request).user, { actionType: request.body.actionType, metadata });
      return reply.code(201).send({ event: toActivityEventDto(event) });
    },
  );

  app.post(
    '/api/me/activity/batch',
    {
      config: { policy: 'user' },
      schema: {
        tags: ['me'],
        summary: 'Record up to 100 events at once (for clients that buffer offline), all or nothing',
        body: Type.Object(
          { events: Type.Array(ActivityInputSchema, { minItems: 1, maxItems: MAX_BATCH_EVENTS }) },
          { additionalProperties: false },
        ),
        response: { 201: Type.Object({ events: Type.Array(ActivityEventSchema) }), ...problemResponses(400, 401, 413, 415, 503) },
      },
    },
    async (request, reply) => {
      const inputs = request.body.events.map((e) => ({ actionType: e.actionType, metadata: checkedMetadata(e.metadata) }));
      const events = await progress.recordActivities(requireAuth(request).user, inputs);
      return reply.code(201).send({ events: events.map(toActivityEventDto) });
    },
  );

  app.get(
    '/api/me/activity',
    {
      config: { policy: 'user' },
      schema: {
        tags: ['me'],
        summary: 'My activity, newest first',
        querystring: PageQuerySchema,
        response: { 200: EventsPageSchema, ...problemResponses(400, 401) },
      },
    },
    async (request) => {
      const page = await store.activity.listActivity(requireUserId(request), request.query);
      return { events: page.items.map(toActivityEventDto), nextCursor: page.nextCursor };
    },
  );
};

/**
 * Metadata as stored: null when absent. Throws `payload_too_large` past 4 KiB serialized and
 * `invalid_request` past MAX_METADATA_DEPTH levels of nesting.
 */
export function checkedMetadata(metadata: Record<string, unknown> | null | undefined): ActivityMetadata | null {
  if (metadata === undefined || metadata === null) return null;
  // Depth first: serializing (or anything else that recurses) 5,000 levels overflows the stack.
  if (nestsDeeperThan(metadata, MAX_METADATA_DEPTH)) {
    throw new AppError('invalid_request', `metadata must nest at most ${MAX_METADATA_DEPTH} levels deep.`);
  }
  if (Buffer.byteLength(metadataJson(metadata), 'utf8') > MAX_METADATA_BYTES) {
    throw new AppError('payload_too_large', `metadata must be at most ${MAX_METADATA_BYTES} bytes as JSON.`);
  }
  return metadata;
}

/** Far beyond any real use, and well under SQLite's JSON limit of 1,000 levels. */
const MAX_METADATA_DEPTH = 32;

/** Whether objects and arrays nest more than `levels` deep; recurses at most `levels` + 1 calls deep, whatever the input. */
function nestsDeeperThan(value: unknown, levels: number): boolean {
  if (value === null || typeof value !== 'object') return false;
  if (levels === 0) return true;
  for (const child of Object.values(value)) if (nestsDeeperThan(child, levels - 1)) return true;
  return false;
}
