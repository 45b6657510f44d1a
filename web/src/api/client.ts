/**
 * The one way the app talks to the ReadPulse API. Every call uses the session cookie (never a
 * stored token), sends JSON, and throws ApiError with a showable `detail` when it fails.
 */
import { ApiError, networkError, parseProblem } from './api-error.js';
import type {
  AuthResultDto,
  ChapterDto,
  ChaptersDto,
  EventsPageDto,
  LiveDashboardDto,
  MilestoneDto,
  MilestoneInput,
  PageParams,
  ReaderProgressDto,
  ReadersPageDto,
  StuckPageDto,
  UserDto,
  ActivityEventDto,
} from './types.js';

type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

/** Builds `?a=1&b=2` from the defined, non-empty values; '' when there are none. */
export function buildQuery(params: Readonly<Record<string, string | number | null | undefined>>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined || value === null || value === '') continue;
    search.set(key, String(value));
  }
  const text = search.toString();
  return text === '' ? '' : `?${text}`;
}

export async function request<T>(method: HttpMethod, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  const init: RequestInit = { method, credentials: 'same-origin', headers };
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let response: Response;
  try {
    response = await fetch(path, init);
  } catch {
    throw networkError();
  }
  const text = await response.text().catch(() => '');
  if (!response.ok) throw parseProblem(response.status, text);
  if (response.status === 204 || text === '') return undefined as T;
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new ApiError({
      status: response.status,
      code: 'bad_response',
      title: 'Unreadable response',
      detail: 'The server sent an answer the app could not read. Please try again.',
    });
  }
}

const pageQuery = (page: PageParams): Record<string, string | number | null | undefined> => ({
  limit: page.limit,
  cursor: page.cursor,
});

// Session

export async function fetchCurrentUser(): Promise<UserDto> {
  return (await request<{ user: UserDto }>('GET', '/api/me')).user;
}

export function signIn(email: string, password: string): Promise<AuthResultDto> {
  return request('POST', '/api/auth/login', { email, password });
}

export function registerReader(input: { email: string; password: string; name?: string }): Promise<AuthResultDto> {
  return request('POST', '/api/auth/register', input);
}

export function signOut(): Promise<void> {
  return request('POST', '/api/auth/logout');
}

// Chapters

export async function fetchChapters(): Promise<ChapterDto[]> {
  return (await request<ChaptersDto>('GET', '/api/chapters')).chapters;
}

export async function createChapter(input: { id: string; title: string; activityId?: string }): Promise<ChapterDto> {
  return (await request<{ chapter: ChapterDto }>('POST', '/api/chapters', input)).chapter;
}

/** Changes what is given: the title, and the activity IRI (null takes it away). */
export async function updateChapter(id: string, changes: { title?: string; activityId?: string | null }): Promise<ChapterDto> {
  return (await request<{ chapter: ChapterDto }>('PUT', `/api/chapters/${encodeURIComponent(id)}`, changes)).chapter;
}

export async function reorderChapters(ids: readonly string[]): Promise<ChapterDto[]> {
  return (await request<ChaptersDto>('PUT', '/api/chapter-order', { ids })).chapters;
}

// The signed-in user's own data

export async function fetchMyMilestones(): Promise<MilestoneDto[]> {
  return (await request<{ milestones: MilestoneDto[] }>('GET', '/api/me/milestones')).milestones;
}

export async function saveMyMilestone(chapterId: string, input: MilestoneInput): Promise<MilestoneDto> {
  const path = `/api/me/milestones/${encodeURIComponent(chapterId)}`;
  return (await request<{ milestone: MilestoneDto }>('PUT', path, input)).milestone;
}

export async function recordActivity(
  actionType: string,
  metadata?: Record<string, unknown>,
): Promise<ActivityEventDto> {
  const body = metadata === undefined ? { actionType } : { actionType, metadata };
  return (await request<{ event: ActivityEventDto }>('POST', '/api/me/activity', body)).event;
}

export function fetchMyActivity(page: PageParams): Promise<EventsPageDto> {
  return request('GET', `/api/me/activity${buildQuery(pageQuery(page))}`);
}

// Consultants only

export function fetchLiveDashboard(cohort: number | null = null): Promise<LiveDashboardDto> {
  return request('GET', `/api/consultant/dashboard/live${buildQuery({ cohort })}`);
}

export function fetchStuckReaders(page: PageParams, cohort: number | null = null): Promise<StuckPageDto> {
  return request('GET', `/api/consultant/stuck${buildQuery({ ...pageQuery(page), cohort })}`);
}

export type ReaderSort = 'id' | 'name' | 'last-active' | 'completed';
export type ReaderStatus = 'stuck' | 'not-started' | 'completed-all';

export function fetchReaders(
  search: string,
  page: PageParams,
  cohort: number | null = null,
  order: { readonly sort?: ReaderSort | null; readonly status?: ReaderStatus | null } = {},
): Promise<ReadersPageDto> {
  const sort = order.sort === 'id' ? null : order.sort;
  return request('GET', `/api/readers${buildQuery({ search: search.trim(), cohort, sort, status: order.status, ...pageQuery(page) })}`);
}

export function fetchReaderProgress(readerId: number): Promise<ReaderProgressDto> {
  return request('GET', `/api/readers/${readerId}/progress`);
}

export function fetchReaderActivity(readerId: number, page: PageParams): Promise<EventsPageDto> {
  return request('GET', `/api/readers/${readerId}/activity${buildQuery(pageQuery(page))}`);
}

/** Changes the signed-in user's password; their other sessions end. 401 when `currentPassword` is wrong. */
export function changeMyPassword(currentPassword: string, newPassword: string): Promise<void> {
  return request('POST', '/api/me/password', { currentPassword, newPassword });
}
