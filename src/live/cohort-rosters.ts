import type { CohortsPort } from '../domain/index.js';

/** How long a roster read from the store is trusted before it is read again (changes made by other processes). */
export const ROSTER_TTL_MS = 5_000;

interface Roster {
  readonly members: Set<number>;
  loadedAt: number;
}

/**
 * Which readers each cohort holds, in memory, for narrowing live views and streams by cohort with
 * a synchronous check per event. Changes made through this process are applied at once (the
 * routes call added/removed/dropped); a roster is read again from the store after ROSTER_TTL_MS,
 * so changes by another process show within that time. The member sets are updated in place, so
 * a check handed out earlier sees every change.
 */
export class CohortRosters {
  private readonly rosters = new Map<number, Roster>();

  constructor(
    private readonly store: Pick<CohortsPort, 'listCohortReaderIds'>,
    private readonly clock: { now(): number },
  ) {}

  /** The members of a cohort (a live set). Throws `not_found` for an unknown cohort. */
  async members(cohortId: number): Promise<ReadonlySet<number>> {
    const now = this.clock.now();
    const known = this.rosters.get(cohortId);
    if (known && now - known.loadedAt < ROSTER_TTL_MS) return known.members;
    const ids = await this.store.listCohortReaderIds(cohortId);
    const roster = this.rosters.get(cohortId) ?? { members: new Set<number>(), loadedAt: now };
    roster.members.clear();
    for (const id of ids) roster.members.add(id);
    roster.loadedAt = now;
    this.rosters.set(cohortId, roster);
    return roster.members;
  }

  added(cohortId: number, readerId: number): void {
    this.rosters.get(cohortId)?.members.add(readerId);
  }

  removed(cohortId: number, readerId: number): void {
    this.rosters.get(cohortId)?.members.delete(readerId);
  }

  /** A cohort was deleted: its set empties, so narrowed streams on it go quiet. */
  dropped(cohortId: number): void {
    this.rosters.get(cohortId)?.members.clear();
    this.rosters.delete(cohortId);
  }
}
