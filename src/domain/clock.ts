/** The source of the current time, passed in so that expiry and presence are testable. */
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
}

/** The real wall clock; only the composition root creates it. */
export const systemClock: Clock = { now: () => Date.now() };

/** Converts epoch milliseconds to the API's ISO 8601 UTC form with milliseconds. */
export function toIsoTime(epochMs: number): string {
  return new Date(epochMs).toISOString();
}

/** Like toIsoTime, but keeps `null` for "no time yet". */
export function toIsoTimeOrNull(epochMs: number | null): string | null {
  return epochMs === null ? null : toIsoTime(epochMs);
}
