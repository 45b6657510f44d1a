import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { buildUseCases, type UseCases } from './application/use-cases.js';
import { Accounts, newSessionCache } from './auth/accounts.js';
import { inviteCodes } from './auth/invite-code.js';
import { LoginThrottle } from './auth/login-throttle.js';
import { createPasswordHasher, type PasswordHasher } from './auth/password-hasher.js';
import { RequestRateLimiter } from './auth/request-rate-limiter.js';
import { runCommandLine } from './cli/command-line.js';
import { describeDatabase, type Config } from './config.js';
import { systemClock, type Clock, type CopyProgress, type CopyReport, type EngineRuntime } from './domain/index.js';
import { buildApp } from './http/app.js';
import type { CohortMembers } from './http/cohort-filter.js';
import { LiveDashboard } from './http/live-dashboard.js';
import { liveEventBody } from './http/live-frames.js';
import { Metrics } from './http/metrics.js';
import { listenUntilStopped, type BackgroundWork } from './http/server-lifecycle.js';
import { AccessRecorder } from './live/access-recorder.js';
import { AttentionSweeper } from './live/attention-sweeper.js';
import { CohortRosters } from './live/cohort-rosters.js';
import { DEFAULT_REPLAY_MS, EventHub, type EventHubOptions } from './live/event-hub.js';
import type { LiveEventSink } from './live/live-event.js';
import { PeriodicJob } from './live/periodic-job.js';
import { CLUSTER_STORE_SYNC_EVERY_TICKS, LIVE_WINDOW_MS, Presence } from './live/presence.js';
import { RelayedEventIds } from './live/relayed-event-ids.js';
import { ActivityRetention } from './live/retention.js';
import { sessionSweep } from './live/session-sweep.js';
import { createServerLogger, exitOnFatalErrors } from './logger.js';
import type { ClusterChannel } from './postgres/cluster-channel.js';
import { PostgresRuntime } from './postgres/postgres-runtime.js';
import { openPostgresStore, type PostgresStore } from './postgres/postgres-store.js';
import { importTables } from './postgres/table-import.js';
import { SqliteRuntime } from './sqlite/sqlite-runtime.js';
import { openSqliteStore, type SqliteStore } from './sqlite/sqlite-store.js';
import { exportTables } from './sqlite/table-export.js';

/** The built web app, beside dist/ in a build or a checkout. */
const WEB_ROOT = fileURLToPath(new URL('../web/dist/', import.meta.url));

const SESSION_SWEEP_INTERVAL_MS = 3_600_000;
/** Heartbeat flush and store sync period with several instances (at most; the configured one if shorter). */
const CLUSTER_FLUSH_MS = 500;
/** The access log is written in batches this often (coalesced in memory in between). */
const ACCESS_LOG_FLUSH_MS = 2_000;

/**
 * How stale a session's stored last_seen_at may be: 1 % of the idle timeout (14.4 minutes of
 * 24 hours). Idle expiry in this process uses the exact time it saw; the stored one matters
 * only after a restart, and then errs by at most that much.
 */
function sessionSeenResolution(config: Config): number {
  return Math.floor(config.session.idleTimeoutMs / 100);
}

/** The store of either engine: both implement Store. */
export type EngineStore = SqliteStore | PostgresStore;

interface OpenOptions {
  readonly onCommit?: (batchSize: number, commitMs: number) => void;
  readonly log?: Logger;
  readonly sessionSeenResolutionMs?: number;
}

function usesPostgres(config: Config): config is Config & { readonly databaseUrl: string } {
  return config.engine === 'postgres' && config.databaseUrl !== null;
}

function openPostgres(config: Config & { readonly databaseUrl: string }, clock: Clock, options: OpenOptions): Promise<PostgresStore> {
  const log = options.log;
  return openPostgresStore({
    url: config.databaseUrl,
    clock,
    writeQueue: options.onCommit ? { onCommit: options.onCommit } : {},
    ...(options.sessionSeenResolutionMs === undefined ? {} : { sessionSeenResolutionMs: options.sessionSeenResolutionMs }),
    ...(log ? { onIdleError: (error: Error) => log.warn({ err: error }, 'an idle PostgreSQL connection failed') } : {}),
  });
}

function openSqlite(config: Config, clock: Clock, options: OpenOptions): SqliteStore {
  return openSqliteStore({
    path: config.databasePath,
    clock,
    synchronous: config.database.synchronous,
    walLimitBytes: config.database.walLimitBytes,
    writeQueue: options.onCommit ? { onCommit: options.onCommit } : {},
    ...(options.sessionSeenResolutionMs === undefined ? {} : { sessionSeenResolutionMs: options.sessionSeenResolutionMs }),
  });
}

/**
 * Opens the configured engine's store: PostgreSQL when READPULSE_DATABASE_URL named one, else
 * SQLite at READPULSE_DB. Everything above the Store interface is the same for both.
 */
export async function openStore(config: Config, clock: Clock, options: OpenOptions = {}): Promise<EngineStore> {
  return usesPostgres(config) ? openPostgres(config, clock, options) : openSqlite(config, clock, options);
}

/** The configured engine: its store and what it brings to the process (see EngineRuntime). */
interface Engine {
  readonly store: EngineStore;
  readonly runtime: EngineRuntime;
  /** On PostgreSQL, the channel instances share (for the cluster tests). */
  readonly cluster: ClusterChannel | null;
}

/** The configured engine's store and runtime; the one place that chooses between the engines. */
async function openEngine(config: Config, clock: Clock, log: Logger, options: { readonly metrics: Metrics; readonly replayMs: number }): Promise<Engine> {
  const open = { onCommit: options.metrics.recordWriteCommit, log, sessionSeenResolutionMs: sessionSeenResolution(config) };
  if (usesPostgres(config)) {
    const store = await openPostgres(config, clock, open);
    const runtime = new PostgresRuntime(store, {
      url: config.databaseUrl,
      clock,
      log,
      replayMs: options.replayMs,
      loginFailureWindowMs: config.rateLimits.loginFailureWindowMs,
      loginFailurePruneIntervalMs: SESSION_SWEEP_INTERVAL_MS,
    });
    return { store, runtime, cluster: runtime.cluster };
  }
  const store = openSqlite(config, clock, open);
  return { store, runtime: new SqliteRuntime(store, { checkpointIntervalMs: config.database.checkpointIntervalMs, log }), cluster: null };
}

/** The server's parts, wired as production wires them; tests build theirs through this too. */
export interface ServerParts {
  readonly app: FastifyInstance;
  readonly store: EngineStore;
  readonly runtime: EngineRuntime;
  readonly useCases: UseCases;
  readonly presence: Presence;
  readonly hub: EventHub;
  readonly metrics: Metrics;
  /** The periodic attention rules; started by serve(), run by hand in tests. */
  readonly sweeper: AttentionSweeper;
  readonly accessRecorder: AccessRecorder;
  /** Everything serve() starts after listening and stops on shutdown, in order. */
  readonly background: readonly BackgroundWork[];
  /** On PostgreSQL: what this instance shares with the others (live events, presence, jobs). */
  readonly cluster: ClusterChannel | null;
}

/**
 * The composition root: config -> engine (store + runtime) -> live -> use cases -> app, without
 * starting timers or listening. The options exist for tests: a cheaper password hasher, smaller
 * live-event bounds, a shorter keep-alive.
 */
export async function assembleServer(
  config: Config,
  clock: Clock,
  log: Logger,
  options: {
    readonly webRoot?: string;
    readonly hasher?: PasswordHasher;
    readonly hub?: Omit<EventHubOptions, 'clock'>;
    readonly streamKeepAliveMs?: number;
    readonly cohortMembers?: CohortMembers;
  } = {},
): Promise<ServerParts> {
  const metrics = new Metrics(config.engine === 'sqlite' ? { databasePath: config.databasePath } : {});
  const { store, runtime, cluster } = await openEngine(config, clock, log, { metrics, replayMs: options.hub?.replayMs ?? DEFAULT_REPLAY_MS });
  // Sessions deleted in this process (sign-out, password change, user deletion) leave the
  // cache at once, whichever code path deleted them.
  const sessionCache = newSessionCache();
  runtime.onSessionsRevoked((revoked) => ('userId' in revoked ? sessionCache.evictUser(revoked.userId) : sessionCache.evict(revoked.tokenHash)));
  metrics.watch({ writeQueueDepth: () => runtime.pendingWrites });

  // Alone, the hub numbers events and routes publish to it; with a relay, every instance's hub
  // takes its events, with their ids, from the shared database.
  const relay = runtime.liveRelay;
  const relayed = relay ? new RelayedEventIds(0) : undefined;
  const hub = new EventHub({ clock, encode: liveEventBody, ...options.hub, ...(relayed ? { ids: relayed } : {}) });
  if (relay && relayed) relay.connect((id, event) => relayed.relay(hub, id, event), (id) => relayed.reset(id));
  const events: LiveEventSink = relay ?? hub;

  const rosters = new CohortRosters(store.cohorts, clock);
  let useCases: UseCases | undefined;
  const presence = new Presence({
    store,
    clock,
    // Another instance learns of a reader from the database: flush and take in twice a second
    // there, so the live view it serves is fresh within 2 s (ADR 0019).
    flushIntervalMs: runtime.shared ? Math.min(config.heartbeatFlushMs, CLUSTER_FLUSH_MS) : config.heartbeatFlushMs,
    log,
    onFlush: metrics.recordHeartbeatFlush,
    onPresence: (reader, online) => {
      if (relay) relay.announcePresence(reader, online, clock.now() - LIVE_WINDOW_MS);
      else hub.publish({ type: 'presence', reader, online });
      // A reader back after a while: their inactivity item resolves now, not at the next sweep.
      if (online) useCases?.attention.reviewReturn(reader.id).catch((error: unknown) => log.error({ err: error }, 'attention review on return failed'));
    },
    ...(runtime.shared ? { storeSyncEveryTicks: CLUSTER_STORE_SYNC_EVERY_TICKS } : {}),
  });
  const accounts = new Accounts({
    store,
    clock,
    hasher: options.hasher ?? createPasswordHasher(config.passwordHashing),
    throttle: new LoginThrottle(
      {
        enabled: config.rateLimits.enabled,
        failuresPerAccount: config.rateLimits.loginFailuresPerAccount,
        failuresPerAddress: config.rateLimits.loginFailuresPerAddress,
        windowMs: config.rateLimits.loginFailureWindowMs,
      },
      clock,
      runtime.loginFailures ?? undefined,
    ),
    session: config.session,
    registrationOpen: config.registrationOpen,
    pendingLastSeen: (tokenHash) => presence.pendingLastSeen(tokenHash),
    sessionCache,
    ...(runtime.revocations ? { revocations: runtime.revocations } : {}),
  });

  const claimTurn = (job: string) => (intervalMs: number) => runtime.claimTurn(job, intervalMs);
  const sweeper = new AttentionSweeper({ store: store.attention, log, onChange: (item) => attention.published(item), claimTurn: claimTurn('attention-sweep') });
  const accessRecorder = new AccessRecorder({ store: store.accessLog, clock, log, flushIntervalMs: ACCESS_LOG_FLUSH_MS });
  useCases = buildUseCases({ store, clock, events, accounts, rosters, presence, accessRecorder, inviteCodes });
  const attention = useCases.attention;
  const limits = config.rateLimits;
  const app = await buildApp({
    store,
    useCases,
    accounts,
    config,
    clock,
    log,
    presence,
    hub,
    liveDashboard: new LiveDashboard(presence, clock),
    rosters,
    rateLimiters: limits.enabled
      ? { perUser: new RequestRateLimiter(limits.perUser, clock), perAddress: new RequestRateLimiter(limits.perAddressAuth, clock) }
      : {},
    metrics,
    accessRecorder,
    cohortMembers: options.cohortMembers ?? ((cohortId) => store.cohorts.listCohortReaderIds(cohortId)),
    webRoot: options.webRoot ?? WEB_ROOT,
    ...(options.streamKeepAliveMs === undefined ? {} : { streamKeepAliveMs: options.streamKeepAliveMs }),
  });
  await runtime.start();
  app.addHook('onClose', () => runtime.close());

  const background: BackgroundWork[] = [
    presence,
    accessRecorder,
    new ActivityRetention({ store: store.activity, clock, retentionDays: config.activityRetentionDays, log, claimTurn: claimTurn('activity-retention') }),
    sweeper,
    new ActivityRetention({
      store: { deleteActivityBefore: (cutoff, limit) => store.accessLog.deleteAccessLogBefore(cutoff, limit) },
      clock,
      retentionDays: config.accessLogRetentionDays,
      log,
      label: 'access log',
      claimTurn: claimTurn('access-log-retention'),
    }),
    sessionSweep({
      sessions: store.sessions,
      clock,
      idleTimeoutMs: config.session.idleTimeoutMs,
      log,
      intervalMs: SESSION_SWEEP_INTERVAL_MS,
      claimTurn: claimTurn('session-sweep'),
    }),
    ...runtime.upkeep.map(
      (job) =>
        new PeriodicJob({
          name: job.name,
          intervalMs: job.intervalMs,
          log,
          ...(job.takesTurns ? { claimTurn: claimTurn(job.name) } : {}),
          begin: () => ({ step: async () => (await job.run(), { count: 0, done: true }) }),
        }),
    ),
  ];
  return { app, store, runtime, useCases, presence, hub, metrics, sweeper, accessRecorder, background, cluster };
}

/** Runs the server: the composed parts, listening, until SIGTERM/SIGINT stops them gracefully. */
export async function serve(config: Config, clock: Clock = systemClock): Promise<void> {
  const logger = createServerLogger(config);
  const { log } = logger;
  const exit = (code: number): never => {
    logger.stop();
    logger.flushSync();
    process.exit(code);
  };
  exitOnFatalErrors(logger, exit);
  const { app, store, runtime, background } = await assembleServer(config, clock, log);
  if (runtime.appliedMigrations.length > 0) log.info({ migrations: runtime.appliedMigrations }, 'migrations applied');
  await listenUntilStopped({
    app,
    background,
    closeStore: () => store.operations.close(),
    port: config.port,
    host: config.host,
    shutdownTimeoutMs: config.shutdownTimeoutMs,
    log,
    exit,
    describe: { database: describeDatabase(config), webApp: existsSync(WEB_ROOT) },
  });
}

/** `readpulse copy`: the SQLite file's tables into the configured, migrated PostgreSQL database. */
async function copyFromSqlite(config: Config, file: string, progress: CopyProgress): Promise<CopyReport> {
  if (config.databaseUrl === null) throw new Error('copy needs a PostgreSQL target.');
  const source = exportTables(file);
  try {
    const target = await openPostgresStore({ url: config.databaseUrl, clock: systemClock, maxConnections: 2 });
    try {
      return await importTables(target.pool, source, progress);
    } finally {
      await target.operations.close();
    }
  } finally {
    source.close();
  }
}

/** Entry point of the `readpulse` command. Returns the exit code. */
export function main(argv: readonly string[]): Promise<number> {
  return runCommandLine(argv, process.env, {
    clock: systemClock,
    openStore: (config, clock = systemClock) => openStore(config, clock),
    serve: (config) => serve(config),
    copyFromSqlite,
  });
}
