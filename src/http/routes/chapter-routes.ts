import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { RouteDeps } from '../route-deps.js';
import { problemResponses } from '../route-docs.js';
import { ActivityIdSchema, ChapterIdSchema, ChapterSchema, ChapterTitleSchema } from '../schemas.js';

const ChaptersBody = Type.Object({ chapters: Type.Array(ChapterSchema) });

/** The reading program: every signed-in user reads it; consultants shape it. */
export const chapterRoutes: FastifyPluginAsyncTypebox<RouteDeps> = async (app, { store }) => {
  app.get(
    '/api/chapters',
    {
      config: { policy: 'user' },
      schema: { tags: ['chapters'], summary: 'The chapters of the program, in order', response: { 200: ChaptersBody, ...problemResponses(401) } },
    },
    async () => ({ chapters: await store.chapters.listChapters() }),
  );

  app.post(
    '/api/chapters',
    {
      config: { policy: 'consultant' },
      schema: {
        tags: ['chapters'],
        summary: 'Add a chapter at the end of the program; activityId names the xAPI activity that stands for it',
        description: '409 when the id, or the activityId, is another chapter\'s already.',
        body: Type.Object(
          { id: ChapterIdSchema, title: ChapterTitleSchema, activityId: Type.Optional(ActivityIdSchema) },
          { additionalProperties: false },
        ),
        response: { 201: Type.Object({ chapter: ChapterSchema }), ...problemResponses(400, 401, 403, 409, 415) },
      },
    },
    async (request, reply) => {
      const { id, title, activityId } = request.body;
      const chapter = await store.chapters.createChapter({ id, title: title.trim(), activityId: activityId ?? null });
      return reply.code(201).send({ chapter });
    },
  );

  app.put(
    '/api/chapters/:id',
    {
      config: { policy: 'consultant' },
      schema: {
        tags: ['chapters'],
        summary: 'Rename a chapter and/or set its xAPI activityId (null clears it); what the body leaves out stays',
        description: '409 when another chapter carries the activityId already; nothing changes then.',
        params: Type.Object({ id: ChapterIdSchema }),
        body: Type.Object(
          { title: Type.Optional(ChapterTitleSchema), activityId: Type.Optional(ActivityIdSchema) },
          { additionalProperties: false, minProperties: 1 },
        ),
        response: { 200: Type.Object({ chapter: ChapterSchema }), ...problemResponses(400, 401, 403, 404, 409, 415) },
      },
    },
    async (request) => {
      const { title, activityId } = request.body;
      const change = { ...(title === undefined ? {} : { title: title.trim() }), ...(activityId === undefined ? {} : { activityId }) };
      return { chapter: await store.chapters.updateChapter(request.params.id, change) };
    },
  );

  app.put(
    '/api/chapter-order',
    {
      config: { policy: 'consultant' },
      schema: {
        tags: ['chapters'],
        summary: 'Put the chapters in a new order; ids must name every chapter once',
        body: Type.Object(
          { ids: Type.Array(ChapterIdSchema, { maxItems: 1000, uniqueItems: true }) },
          { additionalProperties: false },
        ),
        response: { 200: ChaptersBody, ...problemResponses(400, 401, 403, 415) },
      },
    },
    async (request) => ({ chapters: await store.chapters.reorderChapters(request.body.ids) }),
  );
};
