/** The source of the current time, passed in so that expiry and presence are testable. */
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
}

/** The real wall clock; only the composition root creates it. */
export const systemClock: Clock = { now: () => Date.now() };

/** Converts epoch milliseconds to the API's ISO 8601 UTC form with milliseconds. */
export function toIsoTime(epochMs: number): string {
  // Requests in the same millisecond (a group-committed batch, an event's reply and its stream
  // frame) ask for the same time again and again: the last answer is kept.
  if (epochMs !== lastIsoMs) {
    lastIsoTime = new Date(epochMs).toISOString();
    lastIsoMs = epochMs;
  }
  return lastIsoTime;
}

let lastIsoMs = Number.NaN;
let lastIsoTime = '';

/** Like toIsoTime, but keeps `null` for "no time yet". */
export function toIsoTimeOrNull(epochMs: number | null): string | null {
  return epochMs === null ? null : toIsoTime(epochMs);
}
