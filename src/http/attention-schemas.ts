import { Type, type Static } from '@sinclair/typebox';
import {
  ATTENTION_REASONS,
  ATTENTION_RULE_LIMITS,
  ATTENTION_STATES,
  MAX_ATTENTION_NOTE_LENGTH,
  toIsoTime,
  toIsoTimeOrNull,
  type AttentionItem,
} from '../domain/index.js';
import { toUserDto } from './dto.js';
import { rowId, UserSchema } from './schemas.js';

/** Wire shapes of the attention queue, and the conversion to them. */

const IsoTime = Type.String({ format: 'date-time', examples: ['2026-11-24T18:45:10.123Z'] });
const StringOrNull = Type.Union([Type.String(), Type.Null()]);
const TimeOrNull = Type.Union([IsoTime, Type.Null()]);
const UserOrNull = Type.Union([UserSchema, Type.Null()]);

export const AttentionItemSchema = Type.Object({
  id: Type.Integer(),
  reader: UserSchema,
  reason: Type.Union(ATTENTION_REASONS.map((r) => Type.Literal(r))),
  chapterId: StringOrNull,
  since: IsoTime,
  state: Type.Union(ATTENTION_STATES.map((s) => Type.Literal(s))),
  claimedBy: UserOrNull,
  claimedAt: TimeOrNull,
  resolvedBy: UserOrNull,
  resolvedAt: TimeOrNull,
  note: StringOrNull,
});
export type AttentionItemDto = Static<typeof AttentionItemSchema>;

const rule = (key: keyof typeof ATTENTION_RULE_LIMITS, description: string) =>
  Type.Integer({ minimum: ATTENTION_RULE_LIMITS[key][0], maximum: ATTENTION_RULE_LIMITS[key][1], description });

export const AttentionRulesSchema = Type.Object({
  stuckMinutes: rule('stuckMinutes', 'A chapter stuck this long opens a "stuck" item'),
  inactiveDays: rule('inactiveDays', 'A reader who started and shows no activity this long opens "inactive"'),
  lowScore: rule('lowScore', 'A completed chapter scored below this opens "low_score"'),
});
export type AttentionRulesDto = Static<typeof AttentionRulesSchema>;
export const AttentionRulesChangeSchema = Type.Partial(AttentionRulesSchema, { additionalProperties: false });

export const AttentionStateQuerySchema = Type.Object({
  state: Type.Optional(Type.Union(ATTENTION_STATES.map((s) => Type.Literal(s)), { default: 'open' })),
});
/** GET /api/attention's narrowing to one reason and one reader (404 when no reader has the id). */
export const AttentionFilterQuerySchema = Type.Object({
  reason: Type.Optional(Type.Union(ATTENTION_REASONS.map((r) => Type.Literal(r)), { description: 'Only items for this reason' })),
  reader: Type.Optional(rowId({ description: "Only this reader's items; 404 if no reader has the id" })),
});
export const ResolveBodySchema = Type.Object(
  { note: Type.Optional(Type.String({ maxLength: MAX_ATTENTION_NOTE_LENGTH })) },
  { additionalProperties: false },
);

export function toAttentionItemDto(item: AttentionItem): AttentionItemDto {
  return {
    id: item.id,
    reader: toUserDto(item.reader),
    reason: item.reason,
    chapterId: item.chapterId,
    since: toIsoTime(item.since),
    state: item.state,
    claimedBy: item.claimedBy ? toUserDto(item.claimedBy) : null,
    claimedAt: toIsoTimeOrNull(item.claimedAt),
    resolvedBy: item.resolvedBy ? toUserDto(item.resolvedBy) : null,
    resolvedAt: toIsoTimeOrNull(item.resolvedAt),
    note: item.note,
  };
}
