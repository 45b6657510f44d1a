/**
 * Calls for program insight (consultants) and a user's own data. Downloads (CSV, the JSON export)
 * are plain links: the browser sends the session cookie and saves the file itself.
 */
import { buildQuery, request } from './client.js';
import type { AccessLogPageDto, ActivityBucketsResponseDto, ChapterFunnelResponseDto, GridResponseDto, SummaryResponseDto } from './types.js';

export interface InsightFilter {
  readonly cohort?: string | undefined;
}

export function fetchChapterFunnel(filter: InsightFilter): Promise<ChapterFunnelResponseDto> {
  return request('GET', `/api/analytics/chapters${buildQuery({ cohort: filter.cohort })}`);
}

export function fetchActivityBuckets(
  filter: InsightFilter & { from?: string | undefined; to?: string | undefined; bucket: 'hour' | 'day'; reader?: number | undefined },
): Promise<ActivityBucketsResponseDto> {
  return request(
    'GET',
    `/api/analytics/activity${buildQuery({ cohort: filter.cohort, from: filter.from, to: filter.to, bucket: filter.bucket, reader: filter.reader })}`,
  );
}

/** The class at a glance, counted by the server; `today` is where the viewer's day starts. */
export function fetchClassSummary(cohort: number | null, today: string): Promise<SummaryResponseDto> {
  return request('GET', `/api/analytics/summary${buildQuery({ cohort, today })}`);
}

export function fetchGridPage(filter: InsightFilter, cursor: string | undefined, limit = 200): Promise<GridResponseDto> {
  return request('GET', `/api/analytics/grid${buildQuery({ cohort: filter.cohort, limit, cursor })}`);
}

export function fetchMyAccessLog(cursor: string | undefined): Promise<AccessLogPageDto> {
  return request('GET', `/api/me/access-log${buildQuery({ limit: 50, cursor })}`);
}

export function deleteMyAccount(password: string): Promise<void> {
  return request('DELETE', '/api/me', { password });
}

/** Where the CSV downloads are, with the same filter as the page that offers them. */
export function exportUrl(what: 'progress' | 'activity', filter: InsightFilter & { from?: string; to?: string }): string {
  return `/api/export/${what}.csv${buildQuery({ cohort: filter.cohort, from: filter.from, to: filter.to })}`;
}

export const MY_DATA_URL = '/api/me/export';
