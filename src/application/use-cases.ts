import type { Clock, Store } from '../domain/index.js';
import type { AccessRecorder } from '../live/access-recorder.js';
import type { CohortRosters } from '../live/cohort-rosters.js';
import type { LiveEventSink } from '../live/live-event.js';
import type { Presence } from '../live/presence.js';
import { AccountLifecycle, type AccountService } from './account-lifecycle.js';
import { AttentionHandling } from './attention-handling.js';
import { CohortMembership } from './cohort-membership.js';
import { Invitations, type InviteCodes } from './invitations.js';
import { ProgressRecording } from './progress-recording.js';
import { ReaderDataAccess } from './reader-data-access.js';

/** Every use case the routes, the CLI and the xAPI mapping call, built once by the composition root. */
export interface UseCases {
  readonly progress: ProgressRecording;
  readonly attention: AttentionHandling;
  readonly cohorts: CohortMembership;
  readonly invites: Invitations;
  readonly accounts: AccountLifecycle;
  readonly readerData: ReaderDataAccess;
}

export interface UseCaseDeps {
  readonly store: Store;
  readonly clock: Clock;
  /** Where stored changes are announced to the consultants' live stream. */
  readonly events: LiveEventSink;
  readonly accounts: AccountService;
  readonly inviteCodes: InviteCodes;
  readonly rosters: CohortRosters;
  readonly presence: Pick<Presence, 'forget'>;
  readonly accessRecorder: Pick<AccessRecorder, 'record' | 'flush'>;
}

/** Builds the use cases over one store and one live event sink. */
export function buildUseCases(deps: UseCaseDeps): UseCases {
  const { store, events } = deps;
  return {
    progress: new ProgressRecording({ progress: store.progress, activity: store.activity, events }),
    attention: new AttentionHandling({ attention: store.attention, events }),
    cohorts: new CohortMembership({ cohorts: store.cohorts, rosters: deps.rosters }),
    invites: new Invitations({ invites: store.invites, clock: deps.clock, codes: deps.inviteCodes }),
    accounts: new AccountLifecycle({ accounts: deps.accounts, rosters: deps.rosters, presence: deps.presence }),
    readerData: new ReaderDataAccess({
      readers: store.readers,
      activity: store.activity,
      statements: store.xapiStatements,
      accessLog: store.accessLog,
      exports: store.exports,
      recorder: deps.accessRecorder,
    }),
  };
}
