/**
 * The wire types the app uses. They come from the server's schemas (type-only, so nothing of the
 * server ends up in the bundle); the few envelopes the schemas do not name are composed here.
 */
export type {
  ActivityEventDto,
  AuthResultDto,
  EventsPageDto,
  LiveDashboardDto,
  ProblemDto,
  ReaderSummaryDto,
  ReadersPageDto,
  StuckPageDto,
  StuckReaderDto,
} from '../../../src/http/schemas.js';
export type {
  AccessLogPageDto,
  ActivityBucketsResponseDto,
  ChapterFunnelResponseDto,
  GridResponseDto,
  SummaryResponseDto,
} from '../../../src/http/analytics-schemas.js';
import type { ChapterDto, MilestoneDto, UserDto } from '../../../src/http/schemas.js';

export type { ChapterDto, MilestoneDto, UserDto };

export type MilestoneStatus = MilestoneDto['status'];
export type Role = UserDto['role'];

export interface ChaptersDto {
  readonly chapters: ChapterDto[];
}

export interface ReaderProgressDto {
  readonly reader: UserDto;
  readonly milestones: MilestoneDto[];
}

/** The body of PUT /api/me/milestones/:chapterId. */
export interface MilestoneInput {
  readonly status: MilestoneStatus;
  readonly score?: number;
}

/** A request for one page of a cursor-paginated list. */
export interface PageParams {
  readonly limit?: number;
  readonly cursor?: string | null;
}
