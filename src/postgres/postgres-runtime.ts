import type { Clock, EngineRuntime, LiveEvent, LiveEventRelay, SessionRevocation, UpkeepJob, User } from '../domain/index.js';
import { ClusterChannel, type ClusterChannelLog } from './cluster-channel.js';
import type { PostgresStore } from './postgres-store.js';
import { PresenceAnnouncements } from './presence-announcements.js';

export interface PostgresRuntimeOptions {
  /** The database's URL, for the channel's own LISTEN connection. */
  readonly url: string;
  readonly clock: Clock;
  readonly log: ClusterChannelLog;
  /** On start, live events created this recently are read too, so resuming clients find them. */
  readonly replayMs: number;
  /** Failed sign-ins older than this are pruned (the throttle's window). */
  readonly loginFailureWindowMs: number;
  /** How often old failed sign-ins are pruned (by one instance per interval). */
  readonly loginFailurePruneIntervalMs: number;
}

/**
 * What PostgreSQL brings to the process: several instances share the database, so live events
 * travel through it (each gets its id and order there; ADR 0019), periodic jobs take turns
 * through it, sign-outs and failed sign-ins are shared through it, and one instance per interval
 * prunes old failed sign-ins. PostgreSQL checkpoints by itself.
 */
export class PostgresRuntime implements EngineRuntime {
  readonly shared = true;
  /** The channel instances share; exposed for what only PostgreSQL has (tests of the cluster). */
  readonly cluster: ClusterChannel;
  readonly liveRelay: LiveEventRelay;
  readonly upkeep: readonly UpkeepJob[];
  private readonly presence: PresenceAnnouncements;
  private deliver: (id: number, event: LiveEvent) => void = () => undefined;
  private startingAt: (id: number) => void = () => undefined;

  constructor(
    private readonly store: PostgresStore,
    private readonly options: PostgresRuntimeOptions,
  ) {
    const { clock, log } = options;
    this.cluster = new ClusterChannel({
      url: options.url,
      pool: store.pool,
      clock,
      log,
      replayMs: options.replayMs,
      startingAt: (id) => this.startingAt(id),
      deliver: ({ id, event }) => this.deliver(id, event),
    });
    const shared = this.cluster.store;
    this.presence = new PresenceAnnouncements({
      record: (changes) => shared.recordPresence(changes),
      onError: (error) => log.error({ err: error }, 'could not record presence changes'),
    });
    // A reader's arrival is announced as their request comes in, before its write is queued, and
    // recorded on a connection of its own. Each batch of writes waits until the arrivals announced
    // before it are recorded: the presence event then has the lower transaction id, so every
    // consultant's stream shows the reader online before their first event. In a steady state no
    // arrival is pending and a batch goes at once.
    store.orderWritesAfter(() => this.presence.recorded());
    this.liveRelay = {
      connect: (deliver, startingAt) => {
        this.deliver = deliver;
        this.startingAt = startingAt;
      },
      // The database records presence, milestone and activity events in each write's own
      // transaction (migration 006). Attention items are not rows a trigger can turn into events
      // on their own (each carries its reader and consultants): the instance that changed one
      // appends its event.
      publish: (event) => {
        if (event.type !== 'attention') return;
        shared.recordAttentionEvent(event.item, clock.now()).catch((error: unknown) => log.error({ err: error }, 'could not record an attention event'));
      },
      // The change that wins in the database is announced once, by every instance's stream.
      announcePresence: (reader: User, online: boolean, activeSince: number) => {
        this.presence.announce({ readerId: reader.id, online, at: reader.lastActiveAt ?? clock.now(), activeSince });
      },
    };
    this.upkeep = [
      {
        name: 'login-failure prune',
        intervalMs: options.loginFailurePruneIntervalMs,
        takesTurns: true,
        run: async () => {
          await shared.pruneLoginFailures(clock.now() - options.loginFailureWindowMs);
        },
      },
    ];
  }

  get revocations(): ClusterChannel {
    return this.cluster;
  }

  get loginFailures(): ClusterChannel['store'] {
    return this.cluster.store;
  }

  get pendingWrites(): number {
    return this.store.pendingWrites;
  }

  get appliedMigrations(): readonly string[] {
    return this.store.appliedMigrations;
  }

  claimTurn(job: string, intervalMs: number): Promise<boolean> {
    return this.cluster.store.claimJob(job, this.options.clock.now(), intervalMs);
  }

  onSessionsRevoked(listener: (revoked: SessionRevocation) => void): void {
    this.store.onSessionsRevoked(listener);
  }

  async start(): Promise<void> {
    await this.cluster.start();
  }

  async close(): Promise<void> {
    await this.presence.drain();
    await this.cluster.close();
  }
}
