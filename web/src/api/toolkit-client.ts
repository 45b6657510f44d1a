/** The API calls for cohorts, invites and the attention queue (the same request helper as client.ts). */
import { buildQuery, request } from './client.js';
import type { AuthResultDto, PageParams } from './types.js';
import type { AttentionItemDto, AttentionReason, AttentionRulesDto, AttentionState, CohortDto, InviteDto } from './toolkit-types.js';

export async function fetchCohorts(): Promise<CohortDto[]> {
  return (await request<{ cohorts: CohortDto[] }>('GET', '/api/cohorts')).cohorts;
}

export async function createCohort(name: string): Promise<CohortDto> {
  return (await request<{ cohort: CohortDto }>('POST', '/api/cohorts', { name })).cohort;
}

export async function renameCohort(id: number, name: string): Promise<CohortDto> {
  return (await request<{ cohort: CohortDto }>('PUT', `/api/cohorts/${id}`, { name })).cohort;
}

export function deleteCohort(id: number): Promise<void> {
  return request('DELETE', `/api/cohorts/${id}`);
}

export function addReaderToCohort(cohortId: number, readerId: number): Promise<void> {
  return request('PUT', `/api/cohorts/${cohortId}/readers/${readerId}`);
}

export function removeReaderFromCohort(cohortId: number, readerId: number): Promise<void> {
  return request('DELETE', `/api/cohorts/${cohortId}/readers/${readerId}`);
}

export async function createInvite(input: { cohortId?: number; maxUses: number; expiresInDays: number }): Promise<InviteDto> {
  return (await request<{ invite: InviteDto }>('POST', '/api/invites', input)).invite;
}

export function fetchInvites(page: PageParams): Promise<{ invites: InviteDto[]; nextCursor: string | null }> {
  return request('GET', `/api/invites${buildQuery({ limit: page.limit, cursor: page.cursor })}`);
}

export function revokeInvite(code: string): Promise<void> {
  return request('DELETE', `/api/invites/${encodeURIComponent(code)}`);
}

export function registerWithInvite(input: { email: string; password: string; name?: string; invite: string }): Promise<AuthResultDto> {
  return request('POST', '/api/auth/register', input);
}

/** The cohorts a reader is in, by name. */
export async function fetchReaderCohorts(readerId: number): Promise<CohortDto[]> {
  return (await request<{ cohorts: CohortDto[] }>('GET', `/api/readers/${readerId}/cohorts`)).cohorts;
}

/** Whether an invite code can register a reader now (public; says nothing more, names no cohort). */
export function fetchInviteStatus(code: string): Promise<{ valid: boolean; reason: 'unusable' | null }> {
  return request('GET', `/api/invites/${encodeURIComponent(code)}/status`);
}

export function fetchAttention(
  state: AttentionState,
  cohort: number | null,
  page: PageParams,
  filter: { readonly reason?: AttentionReason | null; readonly reader?: number | null } = {},
): Promise<{ items: AttentionItemDto[]; nextCursor: string | null }> {
  return request(
    'GET',
    `/api/attention${buildQuery({ state, cohort, reason: filter.reason, reader: filter.reader, limit: page.limit, cursor: page.cursor })}`,
  );
}

/** Every item of a state (and filter), page after page, up to `maxPages` pages of 200; `complete` says whether all came. */
export async function fetchAllAttention(
  state: AttentionState,
  cohort: number | null,
  filter: { readonly reason?: AttentionReason | null; readonly reader?: number | null } = {},
  maxPages = 10,
): Promise<{ items: AttentionItemDto[]; complete: boolean }> {
  const items: AttentionItemDto[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < maxPages; page += 1) {
    const answer = await fetchAttention(state, cohort, { limit: 200, cursor }, filter);
    items.push(...answer.items);
    if (answer.nextCursor === null) return { items, complete: true };
    cursor = answer.nextCursor;
  }
  return { items, complete: false };
}

export function fetchAttentionCounts(cohort: number | null): Promise<{ open: number; claimed: number }> {
  return request('GET', `/api/attention/counts${buildQuery({ cohort })}`);
}

export async function actOnAttention(id: number, action: 'claim' | 'release' | 'resolve', note?: string): Promise<AttentionItemDto> {
  const body = action === 'resolve' ? (note === undefined || note.trim() === '' ? {} : { note }) : undefined;
  return (await request<{ item: AttentionItemDto }>('POST', `/api/attention/${id}/${action}`, body)).item;
}

export async function fetchAttentionRules(): Promise<AttentionRulesDto> {
  return (await request<{ rules: AttentionRulesDto }>('GET', '/api/attention/rules')).rules;
}

export async function saveAttentionRules(rules: Partial<AttentionRulesDto>): Promise<AttentionRulesDto> {
  return (await request<{ rules: AttentionRulesDto }>('PUT', '/api/attention/rules', rules)).rules;
}
