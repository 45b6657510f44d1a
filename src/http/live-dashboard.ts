import { createHash } from 'node:crypto';
import { toIsoTime, type Clock } from '../domain/index.js';
import { LIVE_WINDOW_MS, type Presence } from '../live/presence.js';
import { toUserDto } from './dto.js';
import type { LiveDashboardDto } from './schemas.js';

/** How long a computed live view is served again. The contract asks for freshness within 2 s. */
export const LIVE_VIEW_REUSE_MS = 1000;

export interface LiveView {
  readonly body: LiveDashboardDto;
  /** The body serialized once, sent as is to every poll within the reuse period. */
  readonly json: string;
  /** Covers the readers, not generatedAt, so an unchanged room revalidates as 304. */
  readonly etag: string;
}

/**
 * The consultants' live view (also the stream's snapshot). With a thousand readers online it
 * costs milliseconds to build, and tens of consultants poll it, so a built view is reused for up
 * to LIVE_VIEW_REUSE_MS, and at once rebuilt when a reader comes online or goes offline.
 */
export class LiveDashboard {
  private cached: { view: LiveView; builtAt: number; membership: number } | undefined;
  private building: Promise<LiveView> | undefined;

  constructor(
    private readonly presence: Presence,
    private readonly clock: Clock,
  ) {}

  async current(): Promise<LiveView> {
    const now = this.clock.now();
    const cached = this.cached;
    if (cached && now - cached.builtAt < LIVE_VIEW_REUSE_MS && now >= cached.builtAt && cached.membership === this.presence.membershipVersion) {
      return cached.view;
    }
    // Concurrent polls share one build.
    this.building ??= this.build().finally(() => {
      this.building = undefined;
    });
    return this.building;
  }

  /** The view cut down to one cohort's readers (built per request: a cohort's view is small). */
  narrowed(view: LiveView, members: ReadonlySet<number>, cohortId: number): LiveView {
    const readers = view.body.readers.filter((reader) => members.has(reader.id));
    const body = { ...view.body, readers };
    const etag = `"${cohortId}-${createHash('sha1').update(JSON.stringify(readers)).digest('base64url')}"`;
    return { body, json: JSON.stringify(body), etag };
  }

  private async build(): Promise<LiveView> {
    const membership = this.presence.membershipVersion;
    const builtAt = this.clock.now();
    const readers = (await this.presence.activeReaders()).map(toUserDto);
    const body = { windowSeconds: LIVE_WINDOW_MS / 1000, generatedAt: toIsoTime(builtAt), readers };
    const etag = `"${createHash('sha1').update(JSON.stringify(readers)).digest('base64url')}"`;
    const view = { body, json: JSON.stringify(body), etag };
    this.cached = { view, builtAt, membership };
    return view;
  }
}
