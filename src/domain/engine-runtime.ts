import type { AttentionItem } from './attention.js';
import type { ActivityEvent, Milestone } from './progress.js';
import type { SessionRevocation } from './session.js';
import type { User } from './user.js';

/** Something consultants watch happen: a reader coming or going, a milestone, an activity event, an attention item changing. */
export type LiveEvent =
  | { readonly type: 'presence'; readonly reader: User; readonly online: boolean }
  | { readonly type: 'milestone'; readonly readerId: number; readonly milestone: Milestone }
  | { readonly type: 'activity'; readonly readerId: number; readonly event: ActivityEvent }
  | { readonly type: 'attention'; readonly readerId: number; readonly item: AttentionItem };

/**
 * Live events carried through a database several instances share: each event gets its id and
 * its place in the order there, and every instance (this one included) delivers every event.
 */
export interface LiveEventRelay {
  /**
   * Names where events go; call once, before the runtime starts. `startingAt` is called once with
   * the id before the first event `deliver` will get; ids then rise.
   */
  connect(deliver: (id: number, event: LiveEvent) => void, startingAt: (id: number) => void): void;
  /**
   * Makes an event this instance caused reach every instance. Events the database records in
   * the write's own transaction (milestones, activity) need nothing and are ignored here.
   */
  publish(event: LiveEvent): void;
  /**
   * A reader came (`online`) or went: the change that wins in the database is announced once.
   * `activeSince`: readers active after it count as online.
   */
  announcePresence(reader: User, online: boolean, activeSince: number): void;
}

/**
 * Sessions revoked by other instances. Several instances each cache sessions; a revocation on
 * one must hold on all of them at once, so each hears of it and empties its cache, and trusts
 * the cache only while it is hearing.
 */
export interface SessionRevocations {
  /** Whether revocations made elsewhere reach this instance now. */
  readonly listening: boolean;
  /** Registers what to call when a session was revoked elsewhere, or may have been. */
  onRevoked(forgetCachedSessions: () => void): void;
  /**
   * Runs a revoking write and resolves once every instance listening has confirmed that it
   * emptied its cache (or after a bounded wait), so the client's next request is refused anywhere.
   */
  revoking<T>(write: () => Promise<T>): Promise<T>;
}

/**
 * Failed sign-ins kept where every instance sees them, so the throttle holds across instances
 * instead of allowing each its own share.
 */
export interface SharedLoginFailures {
  recordLoginFailures(keys: readonly string[], at: number): Promise<void>;
  /** Per key, the failures after `since` and the time of the oldest of them. */
  loginFailures(keys: readonly string[], since: number): Promise<Map<string, { failures: number; oldest: number }>>;
  clearLoginFailures(key: string): Promise<void>;
}

/** Periodic work an engine needs for its own sake (a WAL checkpoint, pruning a table). */
export interface UpkeepJob {
  /** Names its turn and its log lines. */
  readonly name: string;
  readonly intervalMs: number;
  /** With several instances, one of them runs it per interval (it takes turns); else every instance does. */
  readonly takesTurns: boolean;
  /** One bounded run. */
  run(): Promise<void> | void;
}

/**
 * What an engine brings to the process besides its Store, so the composition root wires either
 * engine the same way: how live events travel, how periodic jobs take turns, the engine's own
 * upkeep, what instances share, and how it all closes.
 */
export interface EngineRuntime {
  /** Whether other instances may share this database (presence and the live view then sync through it). */
  readonly shared: boolean;
  /** How live events travel between instances; null when this process alone numbers and delivers them. */
  readonly liveRelay: LiveEventRelay | null;
  /** Sessions revoked on other instances; null when there are none. */
  readonly revocations: SessionRevocations | null;
  /** Failed sign-ins counted across instances; null when this process counts alone. */
  readonly loginFailures: SharedLoginFailures | null;
  /** The engine's periodic upkeep; the composition root runs it with the other periodic jobs. */
  readonly upkeep: readonly UpkeepJob[];
  /** Writes queued and not yet committed. */
  readonly pendingWrites: number;
  /** Migrations that opening the store applied. */
  readonly appliedMigrations: readonly string[];
  /** Whether this instance takes `job`'s turn in this interval (alone: always). */
  claimTurn(job: string, intervalMs: number): Promise<boolean>;
  /** Calls `listener` after each session or user deletion made through this process's store. */
  onSessionsRevoked(listener: (revoked: SessionRevocation) => void): void;
  /** Starts what runs beside the store (the relay's listening). */
  start(): Promise<void>;
  /** Stops what start() started; the store is closed on its own (its operations port). */
  close(): Promise<void>;
}
