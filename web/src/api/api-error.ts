import type { ProblemDto } from './types.js';

/** Codes the app adds for failures that never reached a server answer. */
export type ClientErrorCode = 'network' | 'bad_response';

/**
 * A failed API call. `detail` is safe and meant to be shown to people; `status` is 0 when the
 * server could not be reached.
 */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly title: string;
  readonly detail: string;

  constructor(problem: Pick<ProblemDto, 'status' | 'code' | 'title' | 'detail'>) {
    super(problem.detail);
    this.name = 'ApiError';
    this.status = problem.status;
    this.code = problem.code;
    this.title = problem.title;
    this.detail = problem.detail;
  }
}

const FALLBACK_DETAIL_BY_STATUS: Readonly<Record<number, string>> = {
  400: 'The request was not accepted. Check what you entered and try again.',
  401: 'You are not signed in, or your session has ended. Please sign in again.',
  403: 'You are not allowed to do that.',
  404: 'That could not be found.',
  409: 'That conflicts with something that already exists.',
  413: 'That is too large to send.',
  415: 'The request was sent in a format the server does not accept.',
  429: 'Too many attempts. Please wait a little and try again.',
  500: 'Something went wrong on the server. Please try again.',
  502: 'The server is not answering right now. Please try again shortly.',
  503: 'The service is unavailable right now. Please try again shortly.',
};

const CODE_BY_STATUS: Readonly<Record<number, string>> = {
  400: 'invalid_request',
  401: 'unauthenticated',
  403: 'forbidden',
  404: 'not_found',
  409: 'conflict',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  429: 'rate_limited',
  500: 'internal',
};

function fallbackDetail(status: number): string {
  return FALLBACK_DETAIL_BY_STATUS[status] ?? `The server answered with an unexpected status (${status}).`;
}

function nonEmptyString(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value : undefined;
}

/**
 * Turns a failed response's status and body text into an ApiError. A problem+json body gives
 * its own `detail`; anything else (an HTML error page from a proxy, an empty body) gets a plain
 * sentence chosen by status.
 */
export function parseProblem(status: number, bodyText: string): ApiError {
  let body: unknown = null;
  try {
    body = bodyText === '' ? null : JSON.parse(bodyText);
  } catch {
    body = null;
  }
  const fields = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
  const detail = nonEmptyString(fields.detail) ?? nonEmptyString(fields.title) ?? fallbackDetail(status);
  return new ApiError({
    status,
    code: nonEmptyString(fields.code) ?? CODE_BY_STATUS[status] ?? (status >= 500 ? 'internal' : 'bad_response'),
    title: nonEmptyString(fields.title) ?? `HTTP ${status}`,
    detail,
  });
}

/** The error for a request that never got an answer (offline, server down, DNS). */
export function networkError(): ApiError {
  return new ApiError({
    status: 0,
    code: 'network' satisfies ClientErrorCode,
    title: 'Network error',
    detail: 'Could not reach ReadPulse. Check your connection and try again.',
  });
}

/** A plain sentence for any error, for showing on screen. */
export function describeError(error: unknown): string {
  if (error instanceof ApiError) return error.detail;
  return 'Something unexpected went wrong. Please try again.';
}

export function isApiError(error: unknown, status?: number): error is ApiError {
  return error instanceof ApiError && (status === undefined || error.status === status);
}
