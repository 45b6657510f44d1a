import { AppError } from './app-error.js';

export const DEFAULT_PAGE_LIMIT = 50;
export const MAX_PAGE_LIMIT = 200;

/** A request for one page of a keyset-paginated list. */
export interface PageRequest {
  readonly limit: number;
  /** The opaque cursor of a previous page, or undefined for the first page. */
  readonly cursor?: string | undefined;
}

/** One page of a list; `nextCursor` is null on the last page. */
export interface Page<T> {
  readonly items: readonly T[];
  readonly nextCursor: string | null;
}

/**
 * Encodes a keyset position (one or more integers, e.g. an id, or a time and an id) as an opaque
 * cursor. Every Store uses the same form, so cursors stay valid whichever backend serves the page.
 */
export function encodeCursor(...position: number[]): string {
  return Buffer.from(JSON.stringify({ after: position }), 'utf8').toString('base64url');
}

/**
 * Decodes a cursor made by encodeCursor with `arity` integers.
 * Throws invalid_request for anything else.
 */
export function decodeCursor(cursor: string, arity = 1): number[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new AppError('invalid_request', 'The cursor is not valid.');
  }
  const after = (parsed as { after?: unknown } | null)?.after;
  if (
    !Array.isArray(after) ||
    after.length !== arity ||
    !after.every((n) => typeof n === 'number' && Number.isSafeInteger(n) && n >= 0)
  ) {
    throw new AppError('invalid_request', 'The cursor is not valid.');
  }
  return after as number[];
}

/**
 * Cuts the extra look-ahead row off a keyset page (stores fetch `limit + 1` rows) and derives the
 * next cursor from the last item kept.
 */
export function pageFrom<T>(rows: T[], limit: number, cursorOf: (last: T) => string): Page<T> {
  if (rows.length <= limit) return { items: rows, nextCursor: null };
  const items = rows.slice(0, limit);
  return { items, nextCursor: cursorOf(items[items.length - 1]!) };
}
