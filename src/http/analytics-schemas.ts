import { Type, type Static } from '@sinclair/typebox';
import { ACCESS_KINDS, ACTIVITY_BUCKET_SIZES, MILESTONE_STATUSES } from '../domain/index.js';
import { CohortQuerySchema } from './cohort-schemas.js';
import { ActivityEventSchema, MilestoneSchema, PageQuerySchema, rowId, UserSchema } from './schemas.js';

/** Wire shapes of analytics and of data going out: exports, a user's own data, the access log. */

const IsoTime = Type.String({ format: 'date-time', examples: ['2026-11-24T18:45:10.123Z'] });
const NextCursorSchema = Type.Union([Type.String(), Type.Null()], {
  description: 'Pass as `cursor` to get the next page; null on the last page.',
});

/** ISO 8601 times; parsed strictly by the handler (see time-query.ts). */
export const TimeRangeQuerySchema = Type.Object({
  from: Type.Optional(Type.String({ maxLength: 40, description: 'ISO 8601 time, inclusive.' })),
  to: Type.Optional(Type.String({ maxLength: 40, description: 'ISO 8601 time, exclusive.' })),
});

export const ActivityQuerySchema = Type.Composite([
  CohortQuerySchema,
  TimeRangeQuerySchema,
  Type.Object({
    bucket: Type.Union(ACTIVITY_BUCKET_SIZES.map((b) => Type.Literal(b)), { default: 'day' }),
    reader: Type.Optional(
      Type.Integer({
        minimum: 1,
        description: "Only this reader's activity (a noted view in their access log); 404 for an unknown reader. With `cohort`, a reader outside it counts nothing.",
      }),
    ),
  }),
]);

export const GridQuerySchema = Type.Composite([CohortQuerySchema, PageQuerySchema]);

export const ChapterFunnelSchema = Type.Object({
  chapterId: Type.String(),
  title: Type.String(),
  notStarted: Type.Integer(),
  started: Type.Integer(),
  completed: Type.Integer(),
  stuck: Type.Integer(),
  medianScore: Type.Union([Type.Number(), Type.Null()]),
  medianMinutesToComplete: Type.Union([Type.Number(), Type.Null()]),
});
export const ChapterFunnelResponseSchema = Type.Object({ chapters: Type.Array(ChapterFunnelSchema) });
export type ChapterFunnelResponseDto = Static<typeof ChapterFunnelResponseSchema>;

export const ActivityBucketsResponseSchema = Type.Object({
  buckets: Type.Array(Type.Object({ start: IsoTime, events: Type.Integer(), activeReaders: Type.Integer() })),
});
export type ActivityBucketsResponseDto = Static<typeof ActivityBucketsResponseSchema>;

export const GridResponseSchema = Type.Object({
  chapters: Type.Array(Type.String()),
  readers: Type.Array(
    Type.Object({
      reader: UserSchema,
      cells: Type.Array(
        Type.Object({
          status: Type.Union([...MILESTONE_STATUSES.map((s) => Type.Literal(s)), Type.Null()]),
          score: Type.Union([Type.Integer(), Type.Null()]),
          updatedAt: Type.Union([Type.String({ format: 'date-time', description: "The milestone's last change" }), Type.Null()]),
        }),
      ),
    }),
  ),
  nextCursor: NextCursorSchema,
});
export type GridResponseDto = Static<typeof GridResponseSchema>;

export const SummaryQuerySchema = Type.Composite([
  CohortQuerySchema,
  Type.Object({
    today: Type.Optional(
      Type.String({
        maxLength: 40,
        description: 'ISO 8601 time: where "today" starts for the one asking (their midnight); within the last 48 hours. Default: the last UTC midnight.',
      }),
    ),
  }),
]);

export const SummaryResponseSchema = Type.Object(
  {
    readers: Type.Integer({ description: 'Readers covered' }),
    activeToday: Type.Integer({ description: 'Readers last active at or after `today`' }),
    activeThisWeek: Type.Integer({ description: 'Readers last active in the last 7 days' }),
    percentCompleted: Type.Union([Type.Number(), Type.Null()], {
      description: "Completed milestones on the program's chapters over readers x chapters, 0-100 with one decimal; null without readers or chapters",
    }),
    medianScore: Type.Union([Type.Number(), Type.Null()], { description: 'Median score of the completed milestones that have one; null when none' }),
    stuckReaders: Type.Integer({ description: "Readers stuck on at least one of the program's chapters" }),
    attention: Type.Object(
      { open: Type.Integer(), claimed: Type.Integer() },
      { description: 'Attention items of these readers not yet resolved (needing attention = open + claimed)' },
    ),
  },
  { additionalProperties: false },
);
export type SummaryResponseDto = Static<typeof SummaryResponseSchema>;

export const AccessLogEntrySchema = Type.Object({
  consultant: Type.Object({ id: Type.Integer(), name: Type.String() }),
  what: Type.Union(ACCESS_KINDS.map((k) => Type.Literal(k))),
  at: IsoTime,
});
export const AccessLogPageSchema = Type.Object({ entries: Type.Array(AccessLogEntrySchema), nextCursor: NextCursorSchema });
export type AccessLogPageDto = Static<typeof AccessLogPageSchema>;

export const UserDataExportSchema = Type.Object({
  user: UserSchema,
  milestones: Type.Array(MilestoneSchema),
  activity: Type.Array(ActivityEventSchema),
  accessLog: Type.Array(AccessLogEntrySchema),
});
export type UserDataExportDto = Static<typeof UserDataExportSchema>;

export const CsvSchema = Type.String({ description: 'RFC 4180 CSV with a header row.' });
