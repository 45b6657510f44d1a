/** The API calls for LRS credentials and a reader's xAPI statements (the same request helper as client.ts). */
import { buildQuery, request } from './client.js';
import type { PageParams } from './types.js';
import type { CreatedLrsCredentialDto, LrsCredentialDto, StatementsPageDto } from './xapi-types.js';

export async function fetchLrsCredentials(): Promise<LrsCredentialDto[]> {
  return (await request<{ credentials: LrsCredentialDto[] }>('GET', '/api/lrs-credentials')).credentials;
}

/** Creates a credential; the answer holds its secret, which the server never shows again. */
export function createLrsCredential(name: string): Promise<CreatedLrsCredentialDto> {
  return request('POST', '/api/lrs-credentials', { name });
}

export function deleteLrsCredential(id: number): Promise<void> {
  return request('DELETE', `/api/lrs-credentials/${id}`);
}

export function fetchReaderStatements(readerId: number, page: PageParams): Promise<StatementsPageDto> {
  return request('GET', `/api/readers/${readerId}/statements${buildQuery({ limit: page.limit, cursor: page.cursor })}`);
}

/** Query keys of LRS credentials and statements; a reader's statements sit under the reader's key. */
export const xapiQueryKeys = {
  lrsCredentials: ['lrs-credentials'] as const,
  readerStatements: (readerId: number) => ['readers', readerId, 'statements'] as const,
};

/** The LRS endpoint content players are given: this server's origin and `/xapi`. */
export function lrsEndpoint(origin: string = window.location.origin): string {
  return `${origin}/xapi`;
}
