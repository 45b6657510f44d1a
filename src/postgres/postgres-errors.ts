import { AppError } from '../domain/index.js';

/** How long a client should wait before retrying while the database is away. */
const RETRY_AFTER_SECONDS = 2;

/** Errors that mean the server cannot be reached or is going away, not that a statement is bad. */
function isUnreachable(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') {
    // 08: connection exception; 57P01-57P03: admin shutdown, crash shutdown, cannot connect now.
    if (code.startsWith('08') || /^57P0[1-3]$/.test(code)) return true;
    if (['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH'].includes(code)) return true;
  }
  const message = error instanceof Error ? error.message : '';
  return /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error/i.test(
    message,
  );
}

/**
 * Turns PostgreSQL's errors into the domain's codes: constraint violations into conflict,
 * not_found and invalid_request; an unreachable server into `unavailable` with a retry hint; a
 * full disk (53100) into `unavailable` saying so. Everything else stays internal.
 */
export function translatePostgresError(error: unknown, conflictMessage: string, notFound: () => AppError): unknown {
  if (error instanceof AppError) return error;
  const code = (error as { code?: unknown }).code;
  if (code === '23505') return new AppError('conflict', conflictMessage, { cause: error });
  if (code === '23503') return notFound();
  // CHECK, NOT NULL, text with a NUL byte, malformed json: bad input, as SQLite's CHECKs.
  if (code === '23514' || code === '23502' || code === '22021' || code === '22P02' || code === '22P05') {
    return new AppError('invalid_request', 'The data is not valid.', { cause: error });
  }
  if (code === '53100') {
    return new AppError('unavailable', 'The database storage is full. Try again once space is freed.', {
      retryAfterSeconds: 30,
      cause: error,
    });
  }
  if (isUnreachable(error)) {
    return new AppError('unavailable', 'The database is not reachable. Try again in a moment.', {
      retryAfterSeconds: RETRY_AFTER_SECONDS,
      cause: error,
    });
  }
  return error;
}
