const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const MONTH = 30 * DAY;
const YEAR = 365 * DAY;

function plural(count: number, unit: string): string {
  return `${count} ${unit}${count === 1 ? '' : 's'} ago`;
}

/**
 * How long before `now` a moment was, in words: "just now", "12 seconds ago", "3 minutes ago",
 * "2 days ago". `then` is an ISO time (null means it never happened); `now` is an ISO time or
 * epoch milliseconds. Moments slightly in the future (clock skew) read as "just now".
 */
export function formatTimeAgo(then: string | null, now: string | number): string {
  if (then === null) return 'never';
  const thenMs = Date.parse(then);
  const nowMs = typeof now === 'number' ? now : Date.parse(now);
  if (Number.isNaN(thenMs) || Number.isNaN(nowMs)) return 'at an unknown time';
  const elapsed = nowMs - thenMs;
  if (elapsed < 5 * SECOND) return 'just now';
  if (elapsed < MINUTE) return plural(Math.floor(elapsed / SECOND), 'second');
  if (elapsed < HOUR) return plural(Math.floor(elapsed / MINUTE), 'minute');
  if (elapsed < DAY) return plural(Math.floor(elapsed / HOUR), 'hour');
  if (elapsed < MONTH) return plural(Math.floor(elapsed / DAY), 'day');
  if (elapsed < YEAR) return plural(Math.floor(elapsed / MONTH), 'month');
  return plural(Math.floor(elapsed / YEAR), 'year');
}

const dateTimeFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

/** A moment as local date and time, e.g. "24 Nov 2026, 18:45"; '' for a missing or bad time. */
export function formatDateTime(iso: string | null): string {
  if (iso === null) return '';
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? '' : dateTimeFormat.format(ms);
}

const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' });

/** A day as a local date with its year, e.g. "24 Nov 2026"; '' for a missing or bad time. */
export function formatDate(iso: string | null): string {
  if (iso === null) return '';
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? '' : dateFormat.format(ms);
}
