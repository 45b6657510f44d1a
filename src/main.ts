import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { newSessionCache } from './auth/accounts.js';
import type { PasswordHasher } from './auth/password-hasher.js';
import { runCli, type CliDeps } from './cli/run-cli.js';
import { ConfigError, describeDatabase, loadConfig, type Config } from './config.js';
import { systemClock, type Clock, type CopyProgress, type CopyReport, type User, type AttentionItem } from './domain/index.js';
import { buildApp } from './http/app.js';
import { liveEventBody } from './http/live-frames.js';
import type { CohortMembers } from './http/cohort-filter.js';
import { Metrics } from './http/metrics.js';
import { AccessRecorder } from './live/access-recorder.js';
import { AttentionSweeper } from './live/attention-sweeper.js';
import { DEFAULT_REPLAY_MS, EventHub, type EventHubOptions } from './live/event-hub.js';
import { CLUSTER_STORE_SYNC_EVERY_TICKS, LIVE_WINDOW_MS, Presence } from './live/presence.js';
import type { LiveEvent } from './live/live-event.js';
import { RelayedEventIds } from './live/relayed-event-ids.js';
import { ClusterChannel } from './postgres/cluster-channel.js';
import { createServerLogger, exitOnFatalErrors } from './logger.js';
import { ActivityRetention } from './live/retention.js';
import { openPostgresStore, PostgresStore } from './postgres/postgres-store.js';
import { openSqliteStore, type SqliteStore } from './sqlite/sqlite-store.js';
import { exportTables } from './sqlite/table-export.js';
import { importTables } from './postgres/table-import.js';

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
/**
 * A periodic job's turns: with several instances they are taken through the database, so the
 * job runs once per interval across the cluster, not once per instance; alone, every turn is ours.
 */
function clusterTurns(cluster: ClusterChannel | null, clock: Clock, job: string): (intervalMs: number) => Promise<boolean> {
  return (intervalMs) => (cluster ? cluster.store.claimJob(job, clock.now(), intervalMs) : Promise.resolve(true));
}

function sessionSeenResolution(config: Config): number {
  return Math.floor(config.session.idleTimeoutMs / 100);
}

/** The store of either engine: both implement Store; the rest is each engine's upkeep. */
export type EngineStore = SqliteStore | PostgresStore;

/**
 * Opens the configured engine's store: PostgreSQL when READPULSE_DATABASE_URL named one, else
 * SQLite at READPULSE_DB. Everything above the Store interface is the same for both.
 */
export async function openStore(
  config: Config,
  clock: Clock,
  options: {
    readonly onCommit?: (batchSize: number, commitMs: number) => void;
    readonly log?: Logger;
    readonly sessionSeenResolutionMs?: number;
  } = {},
): Promise<EngineStore> {
  const resolution = options.sessionSeenResolutionMs === undefined ? {} : { sessionSeenResolutionMs: options.sessionSeenResolutionMs };
  const writeQueue = options.onCommit ? { onCommit: options.onCommit } : {};
  if (config.engine === 'postgres' && config.databaseUrl !== null) {
    const log = options.log;
    return openPostgresStore({
      url: config.databaseUrl,
      clock,
      writeQueue,
      ...resolution,
      ...(log ? { onIdleError: (error: Error) => log.warn({ err: error }, 'an idle PostgreSQL connection failed') } : {}),
    });
  }
  return openSqliteStore({
    path: config.databasePath,
    clock,
    synchronous: config.database.synchronous,
    walLimitBytes: config.database.walLimitBytes,
    writeQueue,
    ...resolution,
  });
}

/** The server's parts, wired as production wires them; tests build theirs through this too. */
export interface ServerParts {
  readonly app: FastifyInstance;
  readonly store: EngineStore;
  readonly presence: Presence;
  readonly hub: EventHub;
  readonly metrics: Metrics;
  /** The periodic attention rules; started by serve(), run by hand in tests. */
  readonly sweeper: AttentionSweeper;
  readonly accessRecorder: AccessRecorder;
  /** On PostgreSQL: what this instance shares with the others (live events, presence, jobs). */
  readonly cluster: ClusterChannel | null;
}

/**
 * Wires config -> store -> live -> app without starting timers or listening. The options exist
 * for tests: a cheaper password hasher, smaller live-event bounds, a shorter keep-alive.
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
  const store = await openStore(config, clock, {
    onCommit: metrics.recordWriteCommit,
    log,
    sessionSeenResolutionMs: sessionSeenResolution(config),
  });
  // Sessions deleted in this process (sign-out, password change, user deletion) leave the
  // cache at once, whichever code path deleted them.
  const sessionCache = newSessionCache();
  store.onSessionsRevoked((revoked) => ('userId' in revoked ? sessionCache.evictUser(revoked.userId) : sessionCache.evict(revoked.tokenHash)));
  metrics.watch({ writeQueueDepth: () => store.pendingWrites });
  // On PostgreSQL every instance's hub takes its events, with their ids, from the database.
  const relayed = store instanceof PostgresStore ? new RelayedEventIds(0) : undefined;
  const hub = new EventHub({ clock, encode: liveEventBody, ...options.hub, ...(relayed ? { ids: relayed } : {}) });
  const cluster =
    store instanceof PostgresStore && relayed && config.databaseUrl !== null
      ? new ClusterChannel({
          url: config.databaseUrl,
          pool: store.pool,
          clock,
          log,
          replayMs: options.hub?.replayMs ?? DEFAULT_REPLAY_MS,
          startingAt: (id) => relayed.reset(id),
          deliver: ({ id, event }) => relayed.relay(hub, id, event),
        })
      : null;
  const announce = (reader: User, online: boolean) => {
    if (cluster === null) {
      hub.publish({ type: 'presence', reader, online });
      return;
    }
    // The change that wins in the database is announced once, by every instance's stream.
    const now = clock.now();
    cluster.store
      .recordPresence(reader.id, online, online ? (reader.lastActiveAt ?? now) : now, now - LIVE_WINDOW_MS)
      .catch((error: unknown) => log.error({ err: error }, 'could not record a presence change'));
  };
  // Attention items are not rows a trigger can turn into events on its own (each carries its
  // reader and consultants), so on PostgreSQL the instance that changed one appends its event.
  const publishAttention = (item: AttentionItem) => {
    if (cluster === null) {
      hub.publish({ type: 'attention', readerId: item.reader.id, item });
      return;
    }
    cluster.store
      .recordAttentionEvent(item, clock.now())
      .catch((error: unknown) => log.error({ err: error }, 'could not record an attention event'));
  };
  const presence = new Presence({
    store,
    clock,
    // Another instance learns of a reader from the database: flush and take in twice a second
    // there, so the live view it serves is fresh within 2 s (ADR 0019).
    flushIntervalMs: cluster ? Math.min(config.heartbeatFlushMs, CLUSTER_FLUSH_MS) : config.heartbeatFlushMs,
    log,
    onFlush: metrics.recordHeartbeatFlush,
    onPresence: (reader, online) => {
      announce(reader, online);
      // A reader back after a while: their inactivity item resolves now, not at the next sweep.
      if (online) {
        store.attention
          .reviewReturnAttention(reader.id)
          .then((items) => items.forEach(publishAttention))
          .catch((error: unknown) => log.error({ err: error }, 'attention review on return failed'));
      }
    },
    ...(cluster ? { storeSyncEveryTicks: CLUSTER_STORE_SYNC_EVERY_TICKS } : {}),
  });
  const sweeper = new AttentionSweeper({ store: store.attention, log, onChange: publishAttention, claimTurn: clusterTurns(cluster, clock, 'attention-sweep') });
  const accessRecorder = new AccessRecorder({ store: store.accessLog, clock, log, flushIntervalMs: ACCESS_LOG_FLUSH_MS });
  const app = await buildApp({
    accessRecorder,
    store,
    config,
    clock,
    log,
    presence,
    hub,
    // The database records presence, milestone and activity events in each write's own
    // transaction (migration 006); attention events are appended by the instance (above).
    ...(cluster ? { events: { publish: (event: LiveEvent) => event.type === 'attention' && publishAttention(event.item) } } : {}),
    ...(cluster ? { revocations: cluster, loginFailures: cluster.store } : {}),
    metrics,
    sessionCache,
    webRoot: options.webRoot ?? WEB_ROOT,
    ...(options.hasher ? { hasher: options.hasher } : {}),
    ...(options.streamKeepAliveMs === undefined ? {} : { streamKeepAliveMs: options.streamKeepAliveMs }),
    ...(options.cohortMembers ? { cohortMembers: options.cohortMembers } : {}),
  });
  if (cluster) {
    await cluster.start();
    app.addHook('onClose', () => cluster.close());
  }
  return { app, store, presence, hub, metrics, sweeper, accessRecorder, cluster };
}

/**
 * The composition root of the server: config -> store -> presence -> app -> listen. Stops
 * gracefully on SIGTERM/SIGINT: no new connections, in-flight requests finish, heartbeats are
 * flushed, the WAL is checkpointed and the database closed.
 */
export async function serve(config: Config, clock: Clock = systemClock): Promise<void> {
  const logger = createServerLogger(config);
  const { log } = logger;
  const exit = (code: number): never => {
    logger.stop();
    logger.flushSync();
    process.exit(code);
  };
  exitOnFatalErrors(logger, exit);
  const { app, store, presence, sweeper, accessRecorder, cluster } = await assembleServer(config, clock, log);
  if (store.appliedMigrations.length > 0) log.info({ migrations: store.appliedMigrations }, 'migrations applied');
  const claimTurn = (job: string) => clusterTurns(cluster, clock, job);
  const retention = new ActivityRetention({
    store: store.activity,
    clock,
    retentionDays: config.activityRetentionDays,
    log,
    claimTurn: claimTurn('activity-retention'),
  });
  const accessLogRetention = new ActivityRetention({
    store: { deleteActivityBefore: (cutoff, limit) => store.accessLog.deleteAccessLogBefore(cutoff, limit) },
    clock,
    retentionDays: config.accessLogRetentionDays,
    log,
    label: 'access log',
    claimTurn: claimTurn('access-log-retention'),
  });
  presence.start();
  accessRecorder.start();
  retention.start();
  sweeper.start();
  accessLogRetention.start();
  // SQLite's WAL is checkpointed by this process; PostgreSQL checkpoints by itself.
  const checkpoints = setInterval(() => {
    if (!('checkpoint' in store)) return;
    const { busy, walPages } = store.checkpoint();
    if (busy) log.debug({ walPages }, 'WAL checkpoint could not finish; a reader holds it');
  }, config.database.checkpointIntervalMs).unref();
  // Expired sessions are already refused; this only keeps the table from growing.
  const claimSweep = claimTurn('session-sweep');
  const sessionSweep = setInterval(() => {
    const now = clock.now();
    claimSweep(SESSION_SWEEP_INTERVAL_MS)
      .then(async (mine) => {
        if (!mine) return;
        const removed = await store.sessions.deleteExpiredSessions(now, config.session.idleTimeoutMs);
        if (removed > 0) log.info({ removed }, 'expired sessions removed');
        await cluster?.store.pruneLoginFailures(now - config.rateLimits.loginFailureWindowMs);
      })
      .catch((error: unknown) => log.error({ err: error }, 'expired-session cleanup failed'));
  }, SESSION_SWEEP_INTERVAL_MS).unref();

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    const deadline = setTimeout(() => {
      log.error('shutdown deadline passed; exiting');
      exit(1);
    }, config.shutdownTimeoutMs).unref();
    // app.close() closes the connections idle at that moment; ones that finish their request
    // afterwards would sit in keep-alive until it times out, holding shutdown past its deadline.
    const closeIdle = setInterval(() => app.server.closeIdleConnections(), 100);
    try {
      await app.close();
      clearInterval(closeIdle);
      await presence.stop();
      await accessRecorder.stop();
      await retention.stop();
      await sweeper.stop();
      await accessLogRetention.stop();
      clearInterval(checkpoints);
      clearInterval(sessionSweep);
      await store.operations.close();
      clearTimeout(deadline);
      log.info('stopped');
      exit(0);
    } catch (error) {
      log.error({ err: error }, 'shutdown failed');
      exit(1);
    }
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));

  const address = await app.listen({ port: config.port, host: config.host });
  log.info({ address, database: describeDatabase(config), webApp: existsSync(WEB_ROOT) }, 'ReadPulse is listening');
  log.flush();
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
export async function main(argv: readonly string[]): Promise<number> {
  let config: Config;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      return 2;
    }
    throw error;
  }
  const deps: CliDeps = {
    config,
    clock: systemClock,
    openStore: (clock = systemClock) => openStore(config, clock),
    serve: () => serve(config),
    copyFromSqlite: (file, progress) => copyFromSqlite(config, file, progress),
    passwordFromEnv: process.env.READPULSE_PASSWORD,
    stdin: process.stdin,
    stdout: process.stdout,
    stderr: process.stderr,
  };
  return runCli(argv, deps);
}
