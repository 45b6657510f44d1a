import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import {
  AttentionFilterQuerySchema,
  AttentionItemSchema,
  AttentionRulesChangeSchema,
  AttentionRulesSchema,
  AttentionStateQuerySchema,
  ResolveBodySchema,
  toAttentionItemDto,
} from '../attention-schemas.js';
import { CohortQuerySchema } from '../cohort-schemas.js';
import { requireUserId } from '../request-context.js';
import type { RouteDeps } from '../route-deps.js';
import { problemResponses } from '../route-docs.js';
import { PageQuerySchema, rowId } from '../schemas.js';

const ItemParams = Type.Object({ id: rowId() });
const ItemAnswer = Type.Object({ item: AttentionItemSchema });

/** The shared attention queue: items the rules open, which consultants claim, release and resolve. */
export const attentionRoutes: FastifyPluginAsyncTypebox<RouteDeps> = async (app, { store, useCases }) => {
  const { attention } = useCases;

  app.get(
    '/api/attention',
    {
      config: { policy: 'consultant' },
      schema: {
        tags: ['attention'],
        summary: 'Attention items in one state (open by default), oldest first; optionally one reason and one reader',
        querystring: Type.Composite([PageQuerySchema, AttentionStateQuerySchema, AttentionFilterQuerySchema, CohortQuerySchema]),
        response: {
          200: Type.Object({ items: Type.Array(AttentionItemSchema), nextCursor: Type.Union([Type.String(), Type.Null()]) }),
          ...problemResponses(400, 401, 403, 404),
        },
      },
    },
    async (request) => {
      const { state, cohort, reason, reader, limit, cursor } = request.query;
      const page = await store.attention.listAttention({ state: state ?? 'open', cohortId: cohort, reason, readerId: reader, limit, cursor });
      return { items: page.items.map(toAttentionItemDto), nextCursor: page.nextCursor };
    },
  );

  app.get(
    '/api/attention/counts',
    {
      config: { policy: 'consultant' },
      schema: {
        tags: ['attention'],
        summary: 'How many items are open and claimed (the count in the navigation)',
        querystring: CohortQuerySchema,
        response: {
          200: Type.Object({ open: Type.Integer({ minimum: 0 }), claimed: Type.Integer({ minimum: 0 }) }),
          ...problemResponses(400, 401, 403, 404),
        },
      },
    },
    async (request) => store.attention.countAttention(request.query.cohort),
  );

  app.post(
    '/api/attention/:id/claim',
    {
      config: { policy: 'consultant' },
      schema: {
        tags: ['attention'],
        summary: 'Claim an item: you follow it up. 409 if another consultant holds it (the detail says who)',
        params: ItemParams,
        response: { 200: ItemAnswer, ...problemResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request) => ({ item: toAttentionItemDto(await attention.claim(request.params.id, requireUserId(request))) }),
  );

  app.post(
    '/api/attention/:id/release',
    {
      config: { policy: 'consultant' },
      schema: {
        tags: ['attention'],
        summary: 'Release an item you hold: it is open again',
        params: ItemParams,
        response: { 200: ItemAnswer, ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (request) => ({ item: toAttentionItemDto(await attention.release(request.params.id, requireUserId(request))) }),
  );

  app.post(
    '/api/attention/:id/resolve',
    {
      config: { policy: 'consultant' },
      schema: {
        tags: ['attention'],
        summary: 'Resolve an item, with an optional note. 409 if it is resolved or another consultant holds it',
        params: ItemParams,
        body: ResolveBodySchema,
        response: { 200: ItemAnswer, ...problemResponses(400, 401, 403, 404, 409, 415) },
      },
    },
    async (request) => ({
      item: toAttentionItemDto(await attention.resolve(request.params.id, requireUserId(request), request.body?.note ?? null)),
    }),
  );

  app.get(
    '/api/attention/rules',
    {
      config: { policy: 'consultant' },
      schema: {
        tags: ['attention'],
        summary: 'The rules that open attention items',
        response: { 200: Type.Object({ rules: AttentionRulesSchema }), ...problemResponses(401, 403) },
      },
    },
    async () => ({ rules: await store.attention.getAttentionRules() }),
  );

  app.put(
    '/api/attention/rules',
    {
      config: { policy: 'consultant' },
      schema: {
        tags: ['attention'],
        summary: 'Change some of the rules; the answer holds them all',
        body: AttentionRulesChangeSchema,
        response: { 200: Type.Object({ rules: AttentionRulesSchema }), ...problemResponses(400, 401, 403, 415) },
      },
    },
    async (request) => ({ rules: await store.attention.setAttentionRules(request.body) }),
  );
};
