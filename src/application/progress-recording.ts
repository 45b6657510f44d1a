import type {
  ActivityEvent,
  ActivityInput,
  ActivityPort,
  MilestoneInput,
  ProgressPort,
  RecordedMilestone,
  Role,
} from '../domain/index.js';
import type { LiveEventSink } from '../live/live-event.js';

/** Who records progress: the signed-in user (or the reader a statement names). */
export interface Recorder {
  readonly id: number;
  readonly role: Role;
}

export interface ProgressRecordingDeps {
  readonly progress: Pick<ProgressPort, 'upsertMilestone' | 'upsertReviewedMilestone'>;
  readonly activity: Pick<ActivityPort, 'logActivity' | 'logActivities'>;
  /** Where a reader's stored writes are announced to the consultants' live stream. */
  readonly events: LiveEventSink;
}

/**
 * A user's own progress: milestones and activity, stored and then announced. Consultants watch
 * readers, so only a reader's writes reach the live stream and the attention rules. Every caller
 * (the reader's API, the CLI, the xAPI mapping) records through here, so a write, its events and
 * its follow-ups happen the same way whoever made it.
 */
export class ProgressRecording {
  constructor(private readonly deps: ProgressRecordingDeps) {}

  /**
   * Records `user`'s status (and score) for a chapter, replacing the one before. For a reader the
   * same write reviews the reader's attention items (a low score opens one at once, a cause that
   * went resolves), and once both are stored it publishes the milestone and then every item that
   * changed. Resolves with the stored milestone and the attention items that changed (none for a
   * consultant). Throws `not_found` for an unknown user.
   */
  async recordMilestone(user: Recorder, input: MilestoneInput): Promise<RecordedMilestone> {
    if (user.role !== 'reader') return { milestone: await this.deps.progress.upsertMilestone(user.id, input), attention: [] };
    const recorded = await this.deps.progress.upsertReviewedMilestone(user.id, input);
    this.deps.events.publish({ type: 'milestone', readerId: user.id, milestone: recorded.milestone });
    for (const item of recorded.attention) this.deps.events.publish({ type: 'attention', readerId: user.id, item });
    return recorded;
  }

  /** Appends one activity event and, for a reader, publishes it. Throws `not_found` for an unknown user. */
  async recordActivity(user: Recorder, input: ActivityInput): Promise<ActivityEvent> {
    const event = await this.deps.activity.logActivity(user.id, input);
    if (user.role === 'reader') this.deps.events.publish({ type: 'activity', readerId: user.id, event });
    return event;
  }

  /**
   * Appends several events in order, all or nothing, and for a reader publishes each of them.
   * Throws `not_found` for an unknown user.
   */
  async recordActivities(user: Recorder, inputs: readonly ActivityInput[]): Promise<ActivityEvent[]> {
    const events = await this.deps.activity.logActivities(user.id, inputs);
    if (user.role === 'reader') for (const event of events) this.deps.events.publish({ type: 'activity', readerId: user.id, event });
    return events;
  }
}
