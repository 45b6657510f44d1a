import { request, type ClientRequest, type IncomingMessage } from 'node:http';
import { performance } from 'node:perf_hooks';

/** A seeded user the probe acts as: its id and bearer token. */
export interface ProbeUser {
  readonly id: number;
  readonly token: string;
}

export interface SseProbeOptions {
  /** Base URL of the server under test, e.g. http://127.0.0.1:18080. */
  readonly url: string;
  /** Whose stream the probe reads: a consultant. */
  readonly consultant: ProbeUser;
  /** Who writes the probe milestones: a reader the wrk loads do not use. */
  readonly reader: ProbeUser;
  /** Milliseconds between two probe writes (open loop: a write does not wait for the previous one). */
  readonly intervalMs?: number;
}

/** A latency distribution in milliseconds (nearest-rank percentiles); null figures when empty. */
export interface LatencySummary {
  readonly count: number;
  readonly p50: number | null;
  readonly p95: number | null;
  readonly p99: number | null;
  readonly max: number | null;
  readonly min: number | null;
}

/** What the probe measured during one measured run. */
export interface LiveStreamLatency {
  /** Milestone PUTs sent by the probe reader. */
  readonly writes: number;
  readonly writesPerSecond: number;
  /** Writes answered 200. */
  readonly acknowledged: number;
  /** Writes that failed: another status, a network error, or no answer within 10 s. */
  readonly writeErrors: number;
  /** Acknowledged writes whose `event: milestone` did not reach the stream within 5 s of the 200. */
  readonly missingEvents: number;
  /** Ticks skipped because too many probe writes were still unanswered (the probe never piles up). */
  readonly skippedWrites: number;
  /** Times the stream ended or failed during the run and was reopened (with Last-Event-ID). */
  readonly streamReconnects: number;
  /** Frames read from the stream during the run (every reader's events, not only the probe's). */
  readonly streamFrames: number;
  /** Event arrival minus the write's 200 arriving; negative when the event came first. */
  readonly ackToEventMs: LatencySummary;
  /** Share (0..1) of the events that arrived before their write's 200. */
  readonly eventBeforeAckShare: number | null;
  /** Event arrival minus the write being sent. */
  readonly sendToEventMs: LatencySummary;
  /** The probe write's own latency: send to 200. */
  readonly sendToAckMs: LatencySummary;
}

const STREAM_PATH = '/api/consultant/dashboard/stream';
const DEFAULT_INTERVAL_MS = 20;
/** An event that has not arrived this long after its write's 200 is missing. */
const MISSING_AFTER_MS = 5000;
/** A probe write unanswered this long is a write error. */
const WRITE_TIMEOUT_MS = 10_000;
/** Unanswered probe writes beyond this skip ticks instead of piling up on a stalled server. */
const MAX_IN_FLIGHT = 50;
const RECONNECT_DELAY_MS = 100;

/** Chapter numbers go on across scenarios, so every probe write is a new chapter (and one event). */
let chapterCounter = 0;

interface Sample {
  readonly sentAt: number;
  ackAt?: number;
  failed?: boolean;
  arrivedAt?: number;
}

/**
 * Measures how long a reader's write takes to reach a consultant's live stream while the server
 * is under load. The probe holds `GET /api/consultant/dashboard/stream` open as a consultant and,
 * while running, has its own reader PUT `/api/me/milestones/probe-<n>` every ~20 ms with fetch,
 * timing the 200 (ack) and the matching `event: milestone` (readerId + chapterId) on the stream.
 * Every frame on the stream is read (and skipped cheaply unless it is a probe milestone), as a
 * dashboard would: a consumer that fell behind would be dropped by the server.
 */
export class SseLatencyProbe {
  private readonly intervalMs: number;
  private readonly base: URL;
  private readonly probePrefix: string;
  private buffer = '';
  private lastEventId: string | undefined;
  private stream: ClientRequest | undefined;
  private closed = false;
  private samples = new Map<string, Sample>();
  private timer: NodeJS.Timeout | undefined;
  private inFlight = 0;
  private skipped = 0;
  private reconnects = 0;
  private frames = 0;
  private startedAt = 0;
  private stoppedAt = 0;
  private readonly writes = new Set<Promise<void>>();

  private constructor(private readonly options: SseProbeOptions) {
    this.intervalMs = options.intervalMs ?? DEFAULT_INTERVAL_MS;
    this.base = new URL(options.url);
    this.probePrefix = `"readerId":${options.reader.id},`;
  }

  /** Opens the stream and resolves once the server answered 200 (it has subscribed the stream). */
  static async open(options: SseProbeOptions): Promise<SseLatencyProbe> {
    const probe = new SseLatencyProbe(options);
    await probe.connect();
    return probe;
  }

  /** Starts a measurement: counters reset and a probe write goes out every interval. */
  start(): void {
    this.samples = new Map();
    this.skipped = 0;
    this.reconnects = 0;
    this.frames = 0;
    this.startedAt = performance.now();
    this.timer = setInterval(() => this.write(), this.intervalMs);
  }

  /**
   * Stops writing, waits for the outstanding writes and their events (at most 5 s past the last
   * 200), and summarizes the measurement.
   */
  async stop(): Promise<LiveStreamLatency> {
    clearInterval(this.timer);
    this.timer = undefined;
    this.stoppedAt = performance.now();
    await Promise.all([...this.writes]);
    let deadline = performance.now();
    for (const s of this.samples.values()) deadline = Math.max(deadline, (s.ackAt ?? s.sentAt) + MISSING_AFTER_MS);
    while (performance.now() < deadline && [...this.samples.values()].some((s) => !s.failed && s.arrivedAt === undefined)) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return this.summarize();
  }

  /** Closes the stream; the probe is done. */
  close(): void {
    this.closed = true;
    clearInterval(this.timer);
    this.stream?.destroy();
  }

  private write(): void {
    if (this.inFlight >= MAX_IN_FLIGHT) {
      this.skipped += 1;
      return;
    }
    chapterCounter += 1;
    const chapterId = `probe-${chapterCounter}`;
    const sample: Sample = { sentAt: performance.now() };
    this.samples.set(chapterId, sample);
    this.inFlight += 1;
    const done = fetch(new URL(`/api/me/milestones/${chapterId}`, this.base), {
      method: 'PUT',
      headers: { authorization: `Bearer ${this.options.reader.token}`, 'content-type': 'application/json' },
      body: '{"status":"started"}',
      signal: AbortSignal.timeout(WRITE_TIMEOUT_MS),
    })
      .then(async (response) => {
        const at = performance.now();
        await response.arrayBuffer();
        if (response.status === 200) sample.ackAt = at;
        else sample.failed = true;
      })
      .catch(() => {
        sample.failed = true;
      })
      .finally(() => {
        this.inFlight -= 1;
        this.writes.delete(done);
      });
    this.writes.add(done);
  }

  private connect(): Promise<void> {
    return new Promise((resolve, reject) => {
      const headers: Record<string, string> = {
        authorization: `Bearer ${this.options.consultant.token}`,
        accept: 'text/event-stream',
      };
      if (this.lastEventId !== undefined) headers['last-event-id'] = this.lastEventId;
      this.buffer = '';
      const req = request({
        host: this.base.hostname,
        port: this.base.port,
        path: STREAM_PATH,
        method: 'GET',
        headers,
        agent: false,
      });
      this.stream = req;
      let answered = false;
      const lost = (why: Error): void => {
        if (!answered) {
          answered = true;
          reject(why);
          return;
        }
        if (this.closed || this.stream !== req) return;
        // The server ended the stream (e.g. dropped a consumer that fell behind): resume.
        this.reconnects += 1;
        this.stream = undefined;
        setTimeout(() => {
          if (!this.closed) this.connect().catch(() => this.lostAgain());
        }, RECONNECT_DELAY_MS);
      };
      req.on('response', (response: IncomingMessage) => {
        if (response.statusCode !== 200) {
          response.resume();
          answered = true;
          req.destroy();
          reject(new Error(`${STREAM_PATH} answered ${response.statusCode}`));
          return;
        }
        answered = true;
        resolve();
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => this.onChunk(chunk, performance.now()));
        response.on('close', () => lost(new Error('stream closed')));
      });
      req.on('error', (error) => lost(error));
      req.end();
    });
  }

  /** A reconnect failed (server busy or gone): keep trying until closed. */
  private lostAgain(): void {
    if (this.closed) return;
    this.reconnects += 1;
    setTimeout(() => {
      if (!this.closed) this.connect().catch(() => this.lostAgain());
    }, RECONNECT_DELAY_MS);
  }

  /** Splits the stream into frames; only probe milestones are parsed further. */
  private onChunk(chunk: string, arrivedAt: number): void {
    this.buffer += chunk;
    let start = 0;
    for (let end = this.buffer.indexOf('\n\n'); end >= 0; end = this.buffer.indexOf('\n\n', start)) {
      const frame = this.buffer.slice(start, end);
      start = end + 2;
      this.frames += 1;
      if (frame.startsWith('id: ')) {
        const lineEnd = frame.indexOf('\n');
        this.lastEventId = frame.slice(4, lineEnd < 0 ? undefined : lineEnd);
      }
      if (!frame.includes('\nevent: milestone\n') || !frame.includes(this.probePrefix)) continue;
      const dataAt = frame.indexOf('\ndata: ');
      if (dataAt < 0) continue;
      try {
        const data = JSON.parse(frame.slice(dataAt + 7)) as { readerId?: unknown; milestone?: { chapterId?: unknown } };
        if (data.readerId !== this.options.reader.id || typeof data.milestone?.chapterId !== 'string') continue;
        const sample = this.samples.get(data.milestone.chapterId);
        if (sample && sample.arrivedAt === undefined) sample.arrivedAt = arrivedAt;
      } catch {
        // Not JSON: not a frame the probe wrote.
      }
    }
    this.buffer = this.buffer.slice(start);
  }

  private summarize(): LiveStreamLatency {
    const all = [...this.samples.values()];
    const acked = all.filter((s) => !s.failed && s.ackAt !== undefined);
    const writeErrors = all.length - acked.length;
    const arrived = acked.filter((s) => s.arrivedAt !== undefined && s.arrivedAt - s.ackAt! <= MISSING_AFTER_MS);
    const ackToEvent = arrived.map((s) => s.arrivedAt! - s.ackAt!);
    const seconds = Math.max(0.001, (this.stoppedAt - this.startedAt) / 1000);
    return {
      writes: all.length,
      writesPerSecond: round(all.length / seconds, 1),
      acknowledged: acked.length,
      writeErrors,
      missingEvents: acked.length - arrived.length,
      skippedWrites: this.skipped,
      streamReconnects: this.reconnects,
      streamFrames: this.frames,
      ackToEventMs: summarize(ackToEvent),
      eventBeforeAckShare: arrived.length === 0 ? null : round(ackToEvent.filter((d) => d < 0).length / arrived.length, 3),
      sendToEventMs: summarize(arrived.map((s) => s.arrivedAt! - s.sentAt)),
      sendToAckMs: summarize(acked.map((s) => s.ackAt! - s.sentAt)),
    };
  }
}

export function summarize(values: number[]): LatencySummary {
  const sorted = [...values].sort((a, b) => a - b);
  const rank = (p: number): number | null =>
    sorted.length === 0 ? null : round(sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!, 2);
  return {
    count: sorted.length,
    p50: rank(50),
    p95: rank(95),
    p99: rank(99),
    max: sorted.length === 0 ? null : round(sorted[sorted.length - 1]!, 2),
    min: sorted.length === 0 ? null : round(sorted[0]!, 2),
  };
}

function round(value: number, digits: number): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}
