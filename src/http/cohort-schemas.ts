import { Type, type Static } from '@sinclair/typebox';
import {
  DEFAULT_INVITE_DAYS,
  MAX_COHORT_NAME_LENGTH,
  MAX_INVITE_DAYS,
  MAX_INVITE_USES,
  toIsoTime,
  type Cohort,
  type Invite,
} from '../domain/index.js';
import { toUserDto } from './dto.js';
import { rowId, UserSchema } from './schemas.js';

/** Wire shapes of cohorts and invites, and the conversions to them. */

const IsoTime = Type.String({ format: 'date-time', examples: ['2026-11-24T18:45:10.123Z'] });

export const CohortSchema = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  readerCount: Type.Integer({ minimum: 0 }),
  createdAt: IsoTime,
});
export type CohortDto = Static<typeof CohortSchema>;

export const CohortNameSchema = Type.String({ minLength: 1, maxLength: MAX_COHORT_NAME_LENGTH, pattern: '\\S' });
export const CohortBodySchema = Type.Object({ name: CohortNameSchema }, { additionalProperties: false });
export const CohortIdParamsSchema = Type.Object({ id: rowId() });
export const CohortMemberParamsSchema = Type.Object({ id: rowId(), readerId: rowId() });
/** `?cohort=ID` on the consultants' lists and views. */
export const CohortQuerySchema = Type.Object({
  cohort: Type.Optional(rowId({ description: "Only this cohort's readers; 404 if there is no such cohort" })),
});

export const InviteSchema = Type.Object({
  code: Type.String({
    description: 'The whole code in the answer to POST (shown once); in lists only its first characters, which DELETE also takes.',
  }),
  cohortId: Type.Union([Type.Integer(), Type.Null()]),
  usesLeft: Type.Integer({ minimum: 0 }),
  expiresAt: IsoTime,
  createdAt: IsoTime,
  createdBy: UserSchema,
});
export type InviteDto = Static<typeof InviteSchema>;

export const NewInviteBodySchema = Type.Object(
  {
    cohortId: Type.Optional(rowId()),
    maxUses: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_INVITE_USES, default: 1 })),
    expiresInDays: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_INVITE_DAYS, default: DEFAULT_INVITE_DAYS })),
  },
  { additionalProperties: false },
);

export function toCohortDto(cohort: Cohort): CohortDto {
  return { id: cohort.id, name: cohort.name, readerCount: cohort.readerCount, createdAt: toIsoTime(cohort.createdAt) };
}

/** An invite's wire form; `code` is the whole code only in the answer that creates it. */
export function toInviteDto(invite: Invite, code: string = invite.codePrefix): InviteDto {
  return {
    code,
    cohortId: invite.cohortId,
    usesLeft: invite.usesLeft,
    expiresAt: toIsoTime(invite.expiresAt),
    createdAt: toIsoTime(invite.createdAt),
    createdBy: toUserDto(invite.createdBy),
  };
}
