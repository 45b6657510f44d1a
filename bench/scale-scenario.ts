/**
 * The `scale` scenario: many readers with sessions, a paced and jittered activity load, and 50
 * consultants' live streams (most narrowed as the dashboard asks, some taking everything), with
 * the ack -> event probe. Runs its own server (logs at `info`, as in production) on a database
 * seeded for it, one tier after another (10,000 readers at ~5,000 req/s, then 20,000 at ~10,000).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { LOAD_CPU, canPin, serverCores } from './cpu-pinning.js';
import { runPacedLoad, type PacedLoadResult } from './paced-load.js';
import { toMB } from './report.js';
import { ResourceSampler } from './resource-sampler.js';
import { seedDatabase } from './seed-database.js';
import { serverNodeArgs, startServerProcess } from './server-process.js';
import { SseLatencyProbe, type LiveStreamLatency } from './sse-probe.js';
import { StreamHolders } from './stream-holders.js';

export interface ScaleTier {
  readonly readers: number;
  /** Activity POSTs per second offered. */
  readonly rate: number;
}

export interface ScaleOptions {
  readonly root: string;
  readonly dir: string;
  readonly port: number;
  readonly tiers: readonly ScaleTier[];
  readonly warmupSeconds: number;
  readonly durationSeconds: number;
  /** Streams narrowed as the dashboard asks (`activity=none`), and streams taking everything (the probe's among them). */
  readonly narrowedStreams: number;
  readonly fullStreams: number;
  readonly progress: (message: string) => void;
}

export interface ScaleResult {
  readonly readers: number;
  readonly streams: { readonly narrowed: number; readonly full: number };
  readonly load: PacedLoadResult;
  readonly streamsDropped: number;
  /** Bytes the held streams read during the measured run, in MB. */
  readonly streamMB: number;
  readonly liveStream: LiveStreamLatency;
  /** The server's largest event-loop delay in the measured run (nodejs_eventloop_lag_max_seconds: monitorEventLoopDelay). */
  readonly maxEventLoopDelayMs: number | null;
  readonly maxRssMB: number;
  readonly serverCpuPercent: number;
  readonly otherCpuPercent: number;
  readonly serverLogLines: number;
  readonly serverErrors: number;
}

const tokensOf = async (file: string): Promise<string[]> =>
  (await readFile(file, 'utf8')).split('\n').filter(Boolean).map((line) => line.split(' ')[1]!);

async function maxEventLoopDelayMs(url: string): Promise<number | null> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const match = /^nodejs_eventloop_lag_max_seconds (\S+)$/m.exec(text);
  return match ? Math.round(Number(match[1]) * 10_000) / 10 : null;
}

/** Seeds the largest tier's readers once, then measures each tier on the first N of them. */
export async function runScale(options: ScaleOptions): Promise<ScaleResult[]> {
  const readers = Math.max(...options.tiers.map((t) => t.readers));
  const consultants = options.narrowedStreams + options.fullStreams;
  const dbFile = join(options.dir, 'scale.db');
  options.progress(`scale: seeding ${readers} readers and ${consultants} consultants`);
  const users = await seedDatabase({ dbFile, dir: options.dir, readers, consultants });
  const readerTokens = await tokensOf(users.readersFile);
  const consultantTokens = await tokensOf(users.consultantsFile);
  const url = `http://127.0.0.1:${options.port}`;
  const server = await startServerProcess({
    name: 'readpulse (scale)',
    command: process.execPath,
    args: [...serverNodeArgs(), join(options.root, 'bin/readpulse.js'), 'serve'],
    env: { ...process.env, PORT: String(options.port), HOST: '127.0.0.1', READPULSE_DB: dbFile, READPULSE_RATE_LIMITS: 'off', READPULSE_LOG_LEVEL: 'info' },
    readyUrl: `${url}/healthz`,
    ready: (status) => status === 200,
  });
  const sampler = new ResourceSampler(server.pid, `${dbFile}-wal`, serverCores(), canPin() ? LOAD_CPU : undefined);
  sampler.start();
  const results: ScaleResult[] = [];
  try {
    for (const tier of options.tiers) {
      // The probe's consultant is the first; the held streams use the others.
      const streams = [
        ...Array.from({ length: options.narrowedStreams }, (_, i) => ({ token: consultantTokens[1 + i]!, query: '?activity=none' })),
        ...Array.from({ length: options.fullStreams - 1 }, (_, i) => ({ token: consultantTokens[1 + options.narrowedStreams + i]!, query: '' })),
      ];
      const holders = await StreamHolders.open(url, streams);
      const probe = await SseLatencyProbe.open({ url, consultant: users.probe.consultant, reader: users.probe.reader, intervalMs: 50 });
      try {
        const tokens = readerTokens.slice(0, tier.readers);
        const label = `scale ${tier.readers} readers @ ${tier.rate}/s`;
        options.progress(`${label}: warm-up ${options.warmupSeconds} s`);
        await runPacedLoad({ url, tokens, rate: tier.rate, durationSeconds: options.warmupSeconds });
        await maxEventLoopDelayMs(url); // resets the server's histogram
        holders.resetCounters();
        sampler.nextWindow();
        const logLines = server.log.lines;
        const errorsBefore = server.log.errors;
        options.progress(`${label}: measuring ${options.durationSeconds} s (${streams.length + 1} streams)`);
        probe.start();
        const load = await runPacedLoad({ url, tokens, rate: tier.rate, durationSeconds: options.durationSeconds });
        const window = sampler.nextWindow();
        const liveStream = await probe.stop();
        const result: ScaleResult = {
          readers: tier.readers,
          streams: { narrowed: options.narrowedStreams, full: options.fullStreams },
          load,
          streamsDropped: holders.dropped + liveStream.streamReconnects,
          streamMB: toMB(holders.bytes),
          liveStream,
          maxEventLoopDelayMs: await maxEventLoopDelayMs(url),
          maxRssMB: toMB(window.maxRssBytes),
          serverCpuPercent: window.processPercent,
          otherCpuPercent: window.othersPercent,
          serverLogLines: server.log.lines - logLines,
          serverErrors: server.log.errors - errorsBefore,
        };
        options.progress(`${label}: ${formatScale(result)}`);
        results.push(result);
      } finally {
        probe.close();
        holders.close();
      }
    }
  } finally {
    sampler.stop();
    await server.stop();
  }
  return results;
}

export function formatScale(r: ScaleResult): string {
  const l = r.load.latencyMs;
  const a = r.liveStream.ackToEventMs;
  return (
    `served ${r.load.servedPerSecond}/${r.load.offeredPerSecond} req/s (${Math.round(r.load.servedShare * 1000) / 10} %), ` +
    `p50 ${l.p50} ms, p99 ${l.p99} ms, max ${l.max} ms, ${r.load.errors} errors, ` +
    `${r.streamsDropped} streams dropped, ack->event p99 ${a.p99} ms (max ${a.max}, ${r.liveStream.missingEvents} missing), ` +
    `max event-loop delay ${r.maxEventLoopDelayMs} ms, RSS ${r.maxRssMB} MB, server CPU ${r.serverCpuPercent} %, other ${r.otherCpuPercent} %`
  );
}
