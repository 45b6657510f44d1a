import type {
  ActivityEvent,
  ActivityInput,
  ActivityPort,
  AttentionItem,
  AttentionPort,
  Milestone,
  MilestoneInput,
  ProgressPort,
  Role,
} from '../domain/index.js';
import type { LiveEventSink } from '../live/live-event.js';

/** Who records progress: the signed-in user (or the reader a statement names). */
export interface Recorder {
  readonly id: number;
  readonly role: Role;
}

/** A stored milestone and what it changed in the attention queue. */
export interface RecordedMilestone {
  readonly milestone: Milestone;
  readonly attention: readonly AttentionItem[];
}

export interface ProgressRecordingDeps {
  readonly progress: Pick<ProgressPort, 'upsertMilestone'>;
  readonly activity: Pick<ActivityPort, 'logActivity' | 'logActivities'>;
  readonly attention: Pick<AttentionPort, 'reviewMilestoneAttention'>;
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
   * Records `user`'s status (and score) for a chapter, replacing the one before. For a reader it
   * then publishes the milestone, reviews the reader's attention items (a low score opens one at
   * once, a cause that went resolves) and publishes every item that changed, in that order.
   * Resolves with the stored milestone and the attention items that changed (none for a
   * consultant). Throws `not_found` for an unknown user.
   */
  async recordMilestone(user: Recorder, input: MilestoneInput): Promise<RecordedMilestone> {
    const milestone = await this.deps.progress.upsertMilestone(user.id, input);
    if (user.role !== 'reader') return { milestone, attention: [] };
    this.deps.events.publish({ type: 'milestone', readerId: user.id, milestone });
    const attention = await this.deps.attention.reviewMilestoneAttention(user.id, milestone.chapterId);
    for (const item of attention) this.deps.events.publish({ type: 'attention', readerId: user.id, item });
    return { milestone, attention };
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
