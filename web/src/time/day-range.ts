const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

function dayStartMs(day: string | null): number | undefined {
  const match = day === null ? null : DAY.exec(day);
  if (match === null) return undefined;
  const ms = Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]));
  // Date.UTC rolls 2026-02-31 over to March: such a day is not a day.
  return new Date(ms).toISOString().slice(0, 10) === day ? ms : undefined;
}

/** A date input's value (YYYY-MM-DD, a UTC day as the API buckets) as the ISO time that day starts, for a range's `from`. */
export function dayStartIso(day: string | null): string | undefined {
  const ms = dayStartMs(day);
  return ms === undefined ? undefined : new Date(ms).toISOString();
}

/**
 * A date input's value as the range's `to`: the API's `to` is exclusive, so a range "to 1 December"
 * ends where 2 December starts and holds the whole of 1 December.
 */
export function dayEndIso(day: string | null): string | undefined {
  const ms = dayStartMs(day);
  return ms === undefined ? undefined : new Date(ms + 24 * 60 * 60 * 1000).toISOString();
}
