/** The error codes of ReadPulse; only the HTTP layer maps them to statuses. */
export type ErrorCode =
  | 'invalid_request'
  | 'unauthenticated'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'rate_limited'
  | 'unavailable'
  | 'internal';

/**
 * An error whose message is safe to show to the user who caused it. Anything thrown that is not
 * an AppError is treated as `internal` and answered with "Internal error.".
 */
export class AppError extends Error {
  readonly code: ErrorCode;
  /** Seconds after which a retry may succeed (rate limits, backpressure). */
  readonly retryAfterSeconds: number | undefined;

  constructor(code: ErrorCode, message: string, options?: { retryAfterSeconds?: number; cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.retryAfterSeconds = options?.retryAfterSeconds;
  }
}

/** The code of any thrown value: its own for an AppError, `internal` for everything else. */
export function errorCode(error: unknown): ErrorCode {
  return error instanceof AppError ? error.code : 'internal';
}
