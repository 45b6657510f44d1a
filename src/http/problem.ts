import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { AppError, type ErrorCode } from '../domain/index.js';

const STATUS: Record<ErrorCode, number> = {
  invalid_request: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  rate_limited: 429,
  internal: 500,
  unavailable: 503,
};

const TITLE: Record<ErrorCode, string> = {
  invalid_request: 'Invalid request',
  unauthenticated: 'Authentication required',
  forbidden: 'Forbidden',
  not_found: 'Not found',
  conflict: 'Conflict',
  payload_too_large: 'Payload too large',
  unsupported_media_type: 'Unsupported media type',
  rate_limited: 'Too many requests',
  internal: 'Internal error',
  unavailable: 'Service unavailable',
};

const CODE_BY_STATUS = new Map(Object.entries(STATUS).map(([code, status]) => [status, code as ErrorCode]));

/** Sends an RFC 9457 problem for an error code. The one place codes become statuses. */
export function sendProblem(reply: FastifyReply, error: AppError): FastifyReply {
  const status = STATUS[error.code];
  if (error.retryAfterSeconds !== undefined) reply.header('retry-after', String(error.retryAfterSeconds));
  if (status === 401) reply.header('www-authenticate', 'Bearer');
  return reply
    .code(status)
    .type('application/problem+json')
    .send(
      JSON.stringify({
        type: `urn:readpulse:problem:${error.code}`,
        title: TITLE[error.code],
        status,
        detail: error.message,
        code: error.code,
      }),
    );
}

/**
 * Fastify's error handler: AppErrors keep their code; Fastify's own request errors (validation,
 * body parsing, media type, size) become the matching 4xx; anything else is logged in full and
 * answered "Internal error." with no detail of why.
 */
export function handleError(error: FastifyError, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  return sendProblem(reply, toAppError(error, request));
}

export function handleNotFound(request: FastifyRequest, reply: FastifyReply): FastifyReply {
  return sendProblem(reply, new AppError('not_found', `No route for ${request.method} ${request.url.split('?')[0]}.`));
}

/** Echoes a property name back only when it looks like one, never arbitrary client text. */
function nameIfPlain(name: unknown): string {
  return typeof name === 'string' && /^[A-Za-z_][A-Za-z0-9_]{0,63}$/.test(name) ? ` "${name}"` : '';
}

function toAppError(error: FastifyError, request: FastifyRequest): AppError {
  if (error instanceof AppError) {
    if (error.code === 'internal') request.log.error({ err: error }, 'internal error');
    return error.code === 'internal' ? new AppError('internal', 'Internal error.') : error;
  }
  if (error.validation) {
    const where = error.validationContext ?? 'request';
    const first = error.validation[0];
    const path = first?.instancePath ? first.instancePath.replace(/^\//, '').replace(/\//g, '.') : '';
    const what = first?.keyword === 'additionalProperties'
      ? `has an unknown property${nameIfPlain((first.params as { additionalProperty?: unknown }).additionalProperty)}`
      : (first?.message ?? 'is not valid');
    return new AppError('invalid_request', `${where}${path ? `.${path}` : ''} ${what}.`);
  }
  switch (error.code) {
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new AppError('unsupported_media_type', 'Send the body as JSON (Content-Type: application/json).');
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new AppError('payload_too_large', 'The request body is too large.');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new AppError('invalid_request', 'The JSON body is empty.');
    case 'FST_ERR_BAD_URL':
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return new AppError('invalid_request', 'The URL is not valid.');
  }
  const status = error.statusCode ?? 500;
  if (status >= 400 && status < 500) {
    if (error instanceof SyntaxError || error.code === 'FST_ERR_CTP_INVALID_JSON_BODY') {
      return new AppError('invalid_request', 'The body is not valid JSON.');
    }
    const code = CODE_BY_STATUS.get(status) ?? 'invalid_request';
    return new AppError(code, code === 'invalid_request' ? 'The request is not valid.' : TITLE[code] + '.');
  }
  request.log.error({ err: error }, 'internal error');
  return new AppError('internal', 'Internal error.');
}
