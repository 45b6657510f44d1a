import { AppError } from '../domain/index.js';

const ISO_TIME = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2}))?$/;

/**
 * Parses an optional ISO 8601 time (a date, or a date and time with a zone) to epoch ms.
 * Throws `invalid_request` naming the parameter for anything else.
 */
export function parseIsoTime(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const ms = ISO_TIME.test(value) ? Date.parse(value) : Number.NaN;
  if (!Number.isFinite(ms)) throw new AppError('invalid_request', `${name} must be an ISO 8601 time such as 2026-11-24T18:45:10.123Z.`);
  return ms;
}

/** Throws `invalid_request` unless from < to (when both are given). */
export function requireOrdered(from: number | undefined, to: number | undefined): void {
  if (from !== undefined && to !== undefined && !(from < to)) {
    throw new AppError('invalid_request', 'from must be before to.');
  }
}
