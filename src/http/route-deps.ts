import type { UseCases } from '../application/use-cases.js';
import type { Config } from '../config.js';
import type { Clock, Store } from '../domain/index.js';
import type { CohortRosters } from '../live/cohort-rosters.js';
import type { AccessRecorder } from '../live/access-recorder.js';
import type { EventHub } from '../live/event-hub.js';
import type { Presence } from '../live/presence.js';
import type { CohortMembers } from './cohort-filter.js';
import type { LiveDashboard } from './live-dashboard.js';

/** What route plugins are given; they reach nothing else. */
export interface RouteDeps {
  /** The ports that queries read. */
  readonly store: Store;
  /** Every change a route makes goes through one of these. */
  readonly useCases: UseCases;
  readonly presence: Presence;
  /** The consultants' stream subscribes here. */
  readonly hub: EventHub;
  /** The consultants' live view, shared by the poll route and the stream's snapshot. */
  readonly liveDashboard: LiveDashboard;
  /** Cohort members in memory, for narrowing live views and streams by cohort. */
  readonly rosters: CohortRosters;
  readonly config: Config;
  readonly clock: Clock;
  /** Notes consultants' views of one reader's data for the access log (batched writes). */
  readonly accessRecorder: AccessRecorder;
  /** Resolves `?cohort=` to reader ids for analytics and exports. */
  readonly cohortMembers: CohortMembers;
}
