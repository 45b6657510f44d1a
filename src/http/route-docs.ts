import { Type } from '@sinclair/typebox';
import { ProblemSchema } from './schemas.js';

const DESCRIPTIONS: Record<number, string> = {
  400: 'invalid_request: the input is not valid',
  401: 'unauthenticated: no valid session',
  403: 'forbidden: the role or origin may not do this',
  404: 'not_found',
  409: 'conflict',
  413: 'payload_too_large',
  415: 'unsupported_media_type: the body is not JSON',
  429: 'rate_limited: see Retry-After',
  503: 'unavailable: the server is busy or the database does not answer; see Retry-After',
};

/** Problem responses for the OpenAPI document, keyed by status. */
export function problemResponses(...statuses: number[]) {
  return Object.fromEntries(
    statuses.map((status) => [status, { ...ProblemSchema, description: DESCRIPTIONS[status] }]),
  );
}

/** A 204 response for the OpenAPI document. */
export const NoContent = Type.Null({ description: 'No content' });
