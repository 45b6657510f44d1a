import {
  toIsoTime,
  toIsoTimeOrNull,
  type ActivityEvent,
  type Milestone,
  type ReaderSummary,
  type StuckReader,
  type User,
} from '../domain/index.js';
import type { ActivityEventDto, MilestoneDto, ReaderSummaryDto, StuckReaderDto, UserDto } from './schemas.js';

/** Domain objects to their wire form: epoch milliseconds become ISO 8601 strings. */
export function toUserDto(user: User): UserDto {
  return {
    id: user.id,
    email: user.email,
    name: user.name,
    role: user.role,
    createdAt: toIsoTime(user.createdAt),
    lastActiveAt: toIsoTimeOrNull(user.lastActiveAt),
  };
}

export function toReaderSummaryDto(reader: ReaderSummary): ReaderSummaryDto {
  return { ...toUserDto(reader), counts: { ...reader.counts } };
}

export function toMilestoneDto(milestone: Milestone): MilestoneDto {
  return {
    chapterId: milestone.chapterId,
    status: milestone.status,
    score: milestone.score,
    updatedAt: toIsoTime(milestone.updatedAt),
  };
}

export function toActivityEventDto(event: ActivityEvent): ActivityEventDto {
  return {
    id: event.id,
    actionType: event.actionType,
    metadata: event.metadata === null ? null : { ...event.metadata },
    createdAt: toIsoTime(event.createdAt),
  };
}

export function toStuckReaderDto(stuck: StuckReader): StuckReaderDto {
  return { reader: toUserDto(stuck.reader), chapterId: stuck.chapterId, since: toIsoTime(stuck.since) };
}
