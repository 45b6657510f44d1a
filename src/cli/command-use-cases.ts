import { AttentionHandling } from '../application/attention-handling.js';
import { CohortMembership } from '../application/cohort-membership.js';
import { Invitations } from '../application/invitations.js';
import { ProgressRecording } from '../application/progress-recording.js';
import { inviteCodes } from '../auth/invite-code.js';
import type { Clock, Store } from '../domain/index.js';

/** The use cases a command runs, as the server runs them. */
export interface CommandUseCases {
  readonly progress: ProgressRecording;
  readonly attention: AttentionHandling;
  readonly cohorts: CohortMembership;
  readonly invites: Invitations;
}

/**
 * The use cases over a command's store. No live stream listens in a command's process (running
 * servers learn of its changes from the database), so events go nowhere and no rosters follow.
 */
export function commandUseCases(store: Store, clock: Clock): CommandUseCases {
  const events = { publish: () => undefined };
  const rosters = { added: () => undefined, removed: () => undefined, dropped: () => undefined };
  return {
    progress: new ProgressRecording({ progress: store.progress, activity: store.activity, events }),
    attention: new AttentionHandling({ attention: store.attention, events }),
    cohorts: new CohortMembership({ cohorts: store.cohorts, rosters }),
    invites: new Invitations({ invites: store.invites, clock, codes: inviteCodes }),
  };
}
