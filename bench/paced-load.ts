import { Agent, request, type IncomingMessage } from 'node:http';
import { performance } from 'node:perf_hooks';
import { summarize, type LatencySummary } from './sse-probe.js';

export interface PacedLoadOptions {
  /** Base URL of the server under test. */
  readonly url: string;
  /** The readers' bearer tokens; each request takes the next, round robin. */
  readonly tokens: readonly string[];
  /** Requests per second offered, open loop: arrivals do not wait for answers. */
  readonly rate: number;
  readonly durationSeconds: number;
  /** At most this many requests in flight; an arrival past it counts as an error (the server is not keeping up). */
  readonly maxInFlight?: number;
}

export interface PacedLoadResult {
  readonly offered: number;
  readonly offeredPerSecond: number;
  readonly served: number;
  readonly servedPerSecond: number;
  /** served / offered. */
  readonly servedShare: number;
  /** Non-2xx answers, network errors, and arrivals dropped because too many were in flight. */
  readonly errors: number;
  /** From each request's scheduled arrival (not its send) to its answer, so a stall counts in full. */
  readonly latencyMs: LatencySummary;
}

const BODY = JSON.stringify({ actionType: 'PAGE_VIEW', metadata: { page: 12 } });

/**
 * An open-loop, paced load of activity POSTs with jittered (exponential) inter-arrival times,
 * as many readers each coming every few seconds make: arrivals follow the schedule whatever the
 * server does, and latency is measured from the scheduled arrival (no coordinated omission).
 */
export async function runPacedLoad(options: PacedLoadOptions): Promise<PacedLoadResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: 512 });
  const base = new URL(options.url);
  const maxInFlight = options.maxInFlight ?? 2000;
  const latencies: number[] = [];
  let offered = 0;
  let served = 0;
  let errors = 0;
  let inFlight = 0;
  let next = 0;
  const start = performance.now();
  const end = start + options.durationSeconds * 1000;
  let due = start;
  const done = new Set<Promise<void>>();

  const send = (scheduledAt: number) => {
    offered += 1;
    if (inFlight >= maxInFlight) {
      errors += 1;
      return;
    }
    inFlight += 1;
    const token = options.tokens[next++ % options.tokens.length]!;
    const finished = new Promise<void>((resolve) => {
      const finish = (ok: boolean) => {
        inFlight -= 1;
        if (ok) {
          served += 1;
          latencies.push(performance.now() - scheduledAt);
        } else errors += 1;
        resolve();
      };
      const req = request(
        {
          host: base.hostname,
          port: base.port,
          path: '/api/me/activity',
          method: 'POST',
          agent,
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(BODY) },
          timeout: 10_000,
        },
        (response: IncomingMessage) => {
          response.resume();
          response.on('end', () => finish(response.statusCode !== undefined && response.statusCode < 300));
          response.on('error', () => finish(false));
        },
      );
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', () => finish(false));
      req.end(BODY);
    });
    done.add(finished);
    void finished.then(() => done.delete(finished));
  };

  await new Promise<void>((resolve) => {
    const tick = () => {
      const now = performance.now();
      while (due <= now && due < end) {
        send(due);
        due += -Math.log(1 - Math.random()) * (1000 / options.rate);
      }
      if (due >= end) resolve();
      else setTimeout(tick, Math.max(0, Math.min(5, due - performance.now())));
    };
    tick();
  });
  await Promise.all([...done]);
  agent.destroy();
  const seconds = options.durationSeconds;
  return {
    offered,
    offeredPerSecond: Math.round(offered / seconds),
    served,
    servedPerSecond: Math.round(served / seconds),
    servedShare: offered === 0 ? 0 : Math.round((served / offered) * 1000) / 1000,
    errors,
    latencyMs: summarize(latencies),
  };
}
