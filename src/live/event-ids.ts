import type { Clock } from '../domain/index.js';

/**
 * Where live-event ids come from. Ids are global and only grow, across restarts too, so a
 * client's Last-Event-ID from an earlier run is never taken for an id of this run. One process
 * numbers its own events today; several instances will share a database sequence behind this.
 */
export interface EventIdSource {
  /** The last id handed out, or the starting point when none was. */
  readonly latest: number;
  /** The next id: greater than every id handed out before, in this run and earlier ones. */
  next(): number;
}

/** Ids handed out per millisecond of uptime before this source could overlap a later run's. */
export const IDS_PER_MILLISECOND = 1000;

/**
 * Ids seeded from the clock (1,000 per millisecond) and counted up from there, so a later run
 * starts above every id an earlier run handed out as long as it averaged under 1,000 events per
 * millisecond (5,000 events/s uses 0.5 % of that).
 */
export class ClockSeededEventIds implements EventIdSource {
  private last: number;

  constructor(clock: Clock) {
    this.last = clock.now() * IDS_PER_MILLISECOND;
  }

  get latest(): number {
    return this.last;
  }

  next(): number {
    this.last += 1;
    return this.last;
  }
}
