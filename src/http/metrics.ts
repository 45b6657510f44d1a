import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { AppError } from '../domain/index.js';
import { problemResponses } from './route-docs.js';
import { createHash, timingSafeEqual } from 'node:crypto';
import { statSync } from 'node:fs';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** Values the gauges read when scraped; each is wired by whoever owns the thing measured. */
export interface MetricSources {
  /** Writes waiting for the next group commit. */
  readonly writeQueueDepth?: () => number;
  /** Open live-stream (SSE) connections. */
  readonly sseClients?: () => number;
}

export interface MetricsOptions {
  /** The SQLite file; the size of its `-wal` sibling is reported. Omit for `:memory:`. */
  readonly databasePath?: string;
}

/** A request that matched no route is labelled with this instead of its (unbounded) URL. */
export const UNMATCHED_ROUTE = 'unmatched';

/**
 * The app's Prometheus metrics in a registry of its own (not prom-client's global one), so that
 * every app built in a process (tests build many) counts only its own requests and writes.
 * The recorders are plain functions to hand to WriteQueue (`onCommit`) and Presence (`onFlush`).
 */
export class Metrics {
  readonly registry = new Registry();
  private sources: MetricSources = {};
  private readonly requestDuration;
  private readonly writeBatchSize;
  private readonly writeCommitSeconds;
  private readonly heartbeatFlushes;
  private readonly heartbeatsPerFlush;

  constructor(options: MetricsOptions = {}) {
    const registers = [this.registry];
    const source = () => this.sources;
    this.requestDuration = new Histogram({
      name: 'readpulse_http_request_duration_seconds',
      help: 'Time from request to response, by method, route pattern and status.',
      labelNames: ['method', 'route', 'status'] as const,
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    });
    this.writeBatchSize = new Histogram({
      name: 'readpulse_write_batch_size',
      help: 'Writes committed together in one group-commit transaction.',
      buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500],
      registers,
    });
    this.writeCommitSeconds = new Histogram({
      name: 'readpulse_write_commit_seconds',
      help: 'Time to run and commit one group-commit transaction.',
      buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
      registers,
    });
    this.heartbeatFlushes = new Counter({
      name: 'readpulse_heartbeat_flushes_total',
      help: 'Coalesced heartbeat flushes committed.',
      registers,
    });
    this.heartbeatsPerFlush = new Histogram({
      name: 'readpulse_heartbeats_per_flush',
      help: 'Sessions whose activity one heartbeat flush wrote.',
      buckets: [1, 5, 10, 50, 100, 500, 1000, 5000],
      registers,
    });
    new Gauge({
      name: 'readpulse_write_queue_depth',
      help: 'Writes waiting for the next group commit.',
      registers,
      collect(this: Gauge) {
        this.set(source().writeQueueDepth?.() ?? 0);
      },
    });
    new Gauge({
      name: 'readpulse_sse_clients',
      help: 'Open live-stream (Server-Sent Events) connections.',
      registers,
      collect(this: Gauge) {
        this.set(source().sseClients?.() ?? 0);
      },
    });
    const walFile = options.databasePath && options.databasePath !== ':memory:' ? `${options.databasePath}-wal` : undefined;
    if (walFile) {
      new Gauge({
        name: 'readpulse_sqlite_wal_bytes',
        help: 'Size of the SQLite write-ahead log file (0 when there is none).',
        registers,
        collect(this: Gauge) {
          this.set(fileSize(walFile));
        },
      });
    }
  }

  /** WriteQueue's onCommit. */
  readonly recordWriteCommit = (batchSize: number, commitMs: number): void => {
    this.writeBatchSize.observe(batchSize);
    this.writeCommitSeconds.observe(commitMs / 1000);
  };

  /** Presence's onFlush. */
  readonly recordHeartbeatFlush = (heartbeats: number): void => {
    this.heartbeatFlushes.inc();
    this.heartbeatsPerFlush.observe(heartbeats);
  };

  recordRequest(method: string, route: string, status: number, seconds: number): void {
    this.requestDuration.observe({ method, route, status: String(status) }, seconds);
  }

  /** Adds or replaces gauge sources; a gauge without a source reads 0. */
  watch(sources: MetricSources): void {
    this.sources = { ...this.sources, ...sources };
  }

  /** The Prometheus text exposition of this app's metrics and the process's. */
  async render(): Promise<{ contentType: string; body: string }> {
    const merged = Registry.merge([this.registry, processRegistry()]);
    return { contentType: merged.contentType, body: await merged.metrics() };
  }
}

let sharedProcessRegistry: Registry | undefined;

/**
 * Process metrics (CPU, memory, GC, event-loop lag: nodejs_eventloop_lag_*) describe the process,
 * not an app, and collectDefaultMetrics starts an event-loop monitor that is never stopped, so
 * they are collected once per process and shown by every app's /metrics.
 */
function processRegistry(): Registry {
  if (!sharedProcessRegistry) {
    sharedProcessRegistry = new Registry();
    collectDefaultMetrics({ register: sharedProcessRegistry });
  }
  return sharedProcessRegistry;
}

function digestOf(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

function fileSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

/**
 * Times every response by route pattern and serves `GET /metrics`. With a token, only a scraper
 * sending `Authorization: Bearer <token>` gets them (anyone else: 401); without one the route is
 * public: serve ReadPulse on a private network, or switch it off with READPULSE_METRICS=off.
 * The metrics show traffic, failed sign-ins and sizes, never user data.
 */
export function installMetrics(app: FastifyInstance, metrics: Metrics, token: string | null = null): void {
  const expected = token === null ? null : digestOf(`Bearer ${token}`);
  app.addHook('onResponse', (request, reply, done) => {
    // The route pattern, never the raw URL: ids and query strings would make unbounded labels.
    const route = request.routeOptions.url ?? UNMATCHED_ROUTE;
    metrics.recordRequest(request.method, route, reply.statusCode, reply.elapsedTime / 1000);
    done();
  });

  app.get(
    '/metrics',
    {
      config: { policy: 'public' },
      schema: {
        tags: ['operations'],
        summary: 'Prometheus metrics',
        description:
          'Request latency by route, group-commit batch sizes and commit times, write-queue depth, heartbeat flushes, ' +
          'live-stream clients, WAL size and process metrics, in the Prometheus text format. With READPULSE_METRICS_TOKEN ' +
          'set, only with `Authorization: Bearer <that token>` (otherwise 401); without it, keep it on a private network.',
        response: { 200: Type.String({ description: 'Prometheus text exposition format' }), ...problemResponses(401) },
      },
    },
    async (request, reply) => {
      // Compared as digests, in constant time: the token's length and prefix do not show in timing.
      if (expected !== null && !timingSafeEqual(digestOf(request.headers.authorization ?? ''), expected)) {
        reply.header('www-authenticate', 'Bearer realm="metrics"');
        throw new AppError('unauthenticated', 'The metrics need their bearer token (READPULSE_METRICS_TOKEN).');
      }
      const { contentType, body } = await metrics.render();
      return reply.type(contentType).send(body);
    },
  );
}
