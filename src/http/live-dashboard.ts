import { createHash } from 'node:crypto';
import { toIsoTime, type Clock, type User } from '../domain/index.js';
import { LIVE_WINDOW_MS, type Presence } from '../live/presence.js';
import { toUserDto } from './dto.js';
import { DEFAULT_LIVE_LIMIT, type LiveDashboardDto } from './schemas.js';

/** How long a computed live view is served again. The contract asks for freshness within 2 s. */
export const LIVE_VIEW_REUSE_MS = 1000;
/**
 * A reader coming or going rebuilds the view at once, but not more often than this: with 10,000
 * readers online someone comes or goes every few milliseconds, and a build reads them all.
 */
export const LIVE_VIEW_MIN_REBUILD_MS = 250;
/** Views of one build kept for different limits; polls use a handful (the web app one). */
const MAX_VIEWS_PER_BUILD = 8;

export interface LiveView {
  readonly body: LiveDashboardDto;
  /** The body serialized once, sent as is to every poll within the reuse period. */
  readonly json: string;
  /** Covers the count and the readers, not generatedAt, so an unchanged room revalidates as 304. */
  readonly etag: string;
}

interface Build {
  readonly builtAt: number;
  readonly membership: number;
  /** Every reader online, most recent first. */
  readonly readers: readonly User[];
  readonly views: Map<number, LiveView>;
}

/**
 * The consultants' live view (also the stream's snapshot): how many readers are online and the
 * `limit` most recent of them. With 10,000 online only the `limit` shown are turned into DTOs
 * and serialized. Tens of consultants poll it, so a built view is reused for up to
 * LIVE_VIEW_REUSE_MS, and rebuilt when a reader comes online or goes offline (at most every
 * LIVE_VIEW_MIN_REBUILD_MS).
 */
export class LiveDashboard {
  private cached: Build | undefined;
  private building: Promise<Build> | undefined;

  constructor(
    private readonly presence: Presence,
    private readonly clock: Clock,
  ) {}

  async current(limit: number = DEFAULT_LIVE_LIMIT): Promise<LiveView> {
    const build = await this.currentBuild();
    let view = build.views.get(limit);
    if (view === undefined) {
      view = renderView(build, limit);
      if (build.views.size >= MAX_VIEWS_PER_BUILD) build.views.delete(build.views.keys().next().value!);
      build.views.set(limit, view);
    }
    return view;
  }

  private async currentBuild(): Promise<Build> {
    const now = this.clock.now();
    const cached = this.cached;
    if (cached && now >= cached.builtAt) {
      const age = now - cached.builtAt;
      const unchanged = cached.membership === this.presence.membershipVersion;
      if (age < LIVE_VIEW_MIN_REBUILD_MS || (age < LIVE_VIEW_REUSE_MS && unchanged)) return cached;
    }
    // Concurrent polls share one build.
    this.building ??= this.build().finally(() => {
      this.building = undefined;
    });
    return this.building;
  }

  private async build(): Promise<Build> {
    const membership = this.presence.membershipVersion;
    const builtAt = this.clock.now();
    const readers = await this.presence.liveReaders();
    const build = { builtAt, membership, readers, views: new Map<number, LiveView>() };
    this.cached = build;
    return build;
  }
}

function renderView(build: Build, limit: number): LiveView {
  const readers = build.readers.slice(0, limit).map(toUserDto);
  const body = { windowSeconds: LIVE_WINDOW_MS / 1000, generatedAt: toIsoTime(build.builtAt), onlineCount: build.readers.length, readers };
  const etag = `"${createHash('sha1').update(JSON.stringify([body.onlineCount, readers])).digest('base64url')}"`;
  return { body, json: JSON.stringify(body), etag };
}
