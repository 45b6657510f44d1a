import { Type, type Static } from '@sinclair/typebox';
import {
  ACTION_TYPE_PATTERN,
  CHAPTER_ID_PATTERN,
  DEFAULT_PAGE_LIMIT,
  IRI_PATTERN,
  MAX_ACTIVITY_ID_LENGTH,
  MAX_PAGE_LIMIT,
  MILESTONE_STATUSES,
  ROLES,
} from '../domain/index.js';

/**
 * The API's wire shapes. Each schema is at once the validator, the TypeScript type (Static<>)
 * and the OpenAPI document; the web app imports the types from here.
 */

export const IsoTime = Type.String({ format: 'date-time', examples: ['2026-11-24T18:45:10.123Z'] });

export const UserSchema = Type.Object(
  {
    id: Type.Integer(),
    email: Type.String(),
    name: Type.String(),
    role: Type.Union(ROLES.map((r) => Type.Literal(r))),
    createdAt: IsoTime,
    lastActiveAt: Type.Union([IsoTime, Type.Null()]),
  }
);
export type UserDto = Static<typeof UserSchema>;

export const MilestoneStatusSchema = Type.Union(MILESTONE_STATUSES.map((s) => Type.Literal(s)));
export const ScoreSchema = Type.Union([Type.Integer({ minimum: 0, maximum: 100 }), Type.Null()]);
export const ChapterIdSchema = Type.String({ pattern: CHAPTER_ID_PATTERN });

export const MilestoneSchema = Type.Object(
  { chapterId: Type.String(), status: MilestoneStatusSchema, score: ScoreSchema, updatedAt: IsoTime }
);
export type MilestoneDto = Static<typeof MilestoneSchema>;

// An open object rather than a Record: a Record's key pattern would drop keys with line breaks
// when responses are serialized.
export const MetadataSchema = Type.Union([Type.Object({}, { additionalProperties: true }), Type.Null()], {
  description: 'A JSON object of at most 4 KiB serialized, or null.',
});
export const ActionTypeSchema = Type.String({ pattern: ACTION_TYPE_PATTERN });

export const ActivityEventSchema = Type.Object(
  {
    id: Type.Integer(),
    actionType: Type.String(),
    metadata: MetadataSchema,
    createdAt: IsoTime,
  }
);
export type ActivityEventDto = Static<typeof ActivityEventSchema>;

export const CountsSchema = Type.Object({
  started: Type.Integer(),
  completed: Type.Integer(),
  stuck: Type.Integer(),
});
export const ReaderSummarySchema = Type.Composite([UserSchema, Type.Object({ counts: CountsSchema })]);
export type ReaderSummaryDto = Static<typeof ReaderSummarySchema>;

export const LiveDashboardSchema = Type.Object({
  windowSeconds: Type.Integer(),
  generatedAt: IsoTime,
  onlineCount: Type.Integer({ minimum: 0, description: 'All readers active in the window' }),
  readers: Type.Array(UserSchema, { description: 'The `limit` most recently active of them, most recent first' }),
});

export const DEFAULT_LIVE_LIMIT = 200;
export const MAX_LIVE_LIMIT = 1000;

export const LiveQuerySchema = Type.Object({
  limit: Type.Integer({ minimum: 1, maximum: MAX_LIVE_LIMIT, default: DEFAULT_LIVE_LIMIT }),
});
export type LiveDashboardDto = Static<typeof LiveDashboardSchema>;

export const AuthResultSchema = Type.Object({ user: UserSchema, token: Type.String(), expiresAt: IsoTime });
export type AuthResultDto = Static<typeof AuthResultSchema>;

export const ProblemSchema = Type.Object(
  {
    type: Type.String(),
    title: Type.String(),
    status: Type.Integer(),
    detail: Type.String(),
    code: Type.String(),
  },
  { description: 'RFC 9457 problem details (application/problem+json).' },
);
export type ProblemDto = Static<typeof ProblemSchema>;

/** Unknown query parameters are ignored (cache busters, tracking), unlike unknown body properties. */
export const PageQuerySchema = Type.Object({
  limit: Type.Integer({ minimum: 1, maximum: MAX_PAGE_LIMIT, default: DEFAULT_PAGE_LIMIT }),
  cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
});

/**
 * A stored row's id in a path or a query: a whole number from 1 up to the largest one JavaScript
 * holds exactly (ids are bigint on PostgreSQL). A larger one is a 400, on both engines.
 */
export function rowId(options: { description?: string } = {}) {
  return Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER, ...options });
}

export const ReaderIdParamsSchema = Type.Object({ id: rowId() });

const NextCursorSchema = Type.Union([Type.String(), Type.Null()], {
  description: 'Pass as `cursor` to get the next page; null on the last page.',
});

export const EventsPageSchema = Type.Object({ events: Type.Array(ActivityEventSchema), nextCursor: NextCursorSchema });
export type EventsPageDto = Static<typeof EventsPageSchema>;

/** A stored xAPI statement, exactly as GET /xapi/statements answers it (format=exact). */
export const XapiStatementSchema = Type.Object({}, {
  additionalProperties: true,
  description: 'An xAPI statement as the LRS stores it (with id, stored, authority and version), as GET /xapi/statements returns it.',
});
export const StatementsPageSchema = Type.Object({ statements: Type.Array(XapiStatementSchema), nextCursor: NextCursorSchema });
export type StatementsPageDto = Static<typeof StatementsPageSchema>;

export const ReadersPageSchema = Type.Object({
  readers: Type.Array(ReaderSummarySchema),
  nextCursor: NextCursorSchema,
  total: Type.Optional(Type.Integer({ minimum: 0, description: 'Readers matching the search and cohort over all pages; on the first page only (no cursor)' })),
});
export type ReadersPageDto = Static<typeof ReadersPageSchema>;

export const ChapterSchema = Type.Object({
  id: Type.String(),
  title: Type.String(),
  position: Type.Integer({ minimum: 1 }),
  activityId: Type.Union([Type.String(), Type.Null()], {
    description: 'The xAPI activity IRI that stands for the chapter (statements about it move its milestones), or null.',
  }),
});
/**
 * A chapter as the API answers it. Every response carries `activityId` (the schema requires it);
 * the type leaves it optional for now, so that the web app's own chapter fixtures, which predate
 * the field, still type-check until the program page shows it.
 */
export type ChapterDto = Omit<Static<typeof ChapterSchema>, 'activityId'> & { activityId?: string | null };
export const ChapterTitleSchema = Type.String({ minLength: 1, maxLength: 200, pattern: '\\S' });
/** A chapter's xAPI activity: an IRI with a scheme, or null for none (clears it on PUT). */
export const ActivityIdSchema = Type.Union(
  [Type.String({ minLength: 1, maxLength: MAX_ACTIVITY_ID_LENGTH, pattern: IRI_PATTERN }), Type.Null()],
  {
    description: `An IRI with a scheme (at most ${MAX_ACTIVITY_ID_LENGTH} characters) naming the xAPI activity that stands for the chapter, or null for none. No two chapters share one.`,
    examples: ['https://books.example.test/novel/chapter-1'],
  },
);

export const StuckReaderSchema = Type.Object({ reader: UserSchema, chapterId: Type.String(), since: IsoTime });
export type StuckReaderDto = Static<typeof StuckReaderSchema>;
export const StuckPageSchema = Type.Object({ stuck: Type.Array(StuckReaderSchema), nextCursor: NextCursorSchema });
export type StuckPageDto = Static<typeof StuckPageSchema>;
