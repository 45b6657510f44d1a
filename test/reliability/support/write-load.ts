import type { SeededReader } from './seed-readers.js';

/** An activity event the server acknowledged with 201, as it answered it. */
export interface AckedEvent {
  readonly id: number;
  readonly userId: number;
  readonly actionType: string;
  readonly metadata: { readonly loop: number; readonly seq: number; readonly note: string };
  /** When the request was sent and when its 201 arrived (epoch ms). */
  readonly sentAt: number;
  readonly ackedAt: number;
}

/**
 * One reader's chapter, written by one loop only, with scores 0, 1, 2, ... in order: each PUT is
 * sent after the previous one was answered, so the stored score can never be below the last
 * acknowledged one and never above the last one sent.
 */
export interface MilestoneTrack {
  readonly userId: number;
  readonly chapterId: string;
  lastAckedScore: number | null;
  lastSentScore: number;
}

export interface WriteLoadOptions {
  readonly baseUrl: string;
  readonly readers: readonly SeededReader[];
  /** Concurrent write loops; loop i writes as reader i mod readers.length. */
  readonly writers: number;
  /** Concurrent loops reading lists (GET activity and milestones). */
  readonly listReaders?: number;
  /** Pause after each request of a loop, to bound the load. */
  readonly pauseMs?: number;
  /**
   * Whether a loop ends at its first connection error (the server is gone). When false, every
   * request is counted and loops run until stop().
   */
  readonly stopOnConnectionError?: boolean;
}

export interface LoadFigures {
  readonly requests: number;
  readonly acknowledged: number;
  /** Responses by status code. */
  readonly statuses: Readonly<Record<string, number>>;
  /** Connection-level failures by error code (ECONNREFUSED, ECONNRESET, UND_ERR_SOCKET, ...). */
  readonly connectionErrors: Readonly<Record<string, number>>;
  /** Anything else that went wrong: unexpected statuses with their bodies, odd exceptions. */
  readonly failures: readonly string[];
  readonly maxLatencyMs: number;
}

const ACTION_TYPES = ['PAGE_VIEW', 'SUBMIT', 'QUIZ_ANSWER'] as const;
const STATUSES = ['started', 'stuck', 'completed'] as const;
/** Scores are 0..100, so a loop moves to its next chapter after 101 PUTs. */
const SCORES_PER_CHAPTER = 101;
const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED', 'ECONNABORTED']);

/**
 * Bounded HTTP load against one server: write loops posting activity and milestone PUTs for the
 * seeded readers, recording every acknowledged write, and optional loops reading lists.
 */
export class WriteLoad {
  readonly events: AckedEvent[] = [];
  readonly milestones = new Map<string, MilestoneTrack>();
  /** Per reader: when the latest request that was then acknowledged was sent (epoch ms). */
  readonly lastAckedRequestSentAt = new Map<number, number>();
  private readonly statuses: Record<string, number> = {};
  private readonly connectionErrors: Record<string, number> = {};
  private readonly failures: string[] = [];
  private requests = 0;
  private acknowledged = 0;
  private maxLatencyMs = 0;
  private stopped = false;
  private loops: Promise<void>[] = [];

  constructor(private readonly options: WriteLoadOptions) {}

  start(): this {
    for (let loop = 0; loop < this.options.writers; loop++) this.loops.push(this.writeLoop(loop));
    for (let loop = 0; loop < (this.options.listReaders ?? 0); loop++) this.loops.push(this.listLoop(loop));
    return this;
  }

  /**
   * Resolves once the server has acknowledged a first write (or after `timeoutMs`): a fresh
   * server's first requests open its database connections, so timed faults start from here.
   */
  async warmedUp(timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.acknowledged === 0 && Date.now() < deadline && !this.stopped) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  /** Ends the loops (each after its current request) and resolves with the figures. */
  async stop(): Promise<LoadFigures> {
    this.stopped = true;
    await Promise.all(this.loops);
    return this.figures();
  }

  /** Resolves when every loop has ended by itself (after connection errors). */
  async finished(): Promise<LoadFigures> {
    await Promise.all(this.loops);
    return this.figures();
  }

  figures(): LoadFigures {
    return {
      requests: this.requests,
      acknowledged: this.acknowledged,
      statuses: { ...this.statuses },
      connectionErrors: { ...this.connectionErrors },
      failures: [...this.failures],
      maxLatencyMs: Math.round(this.maxLatencyMs),
    };
  }

  private async writeLoop(loop: number): Promise<void> {
    const reader = this.options.readers[loop % this.options.readers.length]!;
    let milestoneCount = 0;
    for (let seq = 0; !this.stopped; seq++) {
      let ok: boolean;
      if (seq % 2 === 0) {
        const metadata = { loop, seq, note: `loop ${loop} event ${seq}` };
        const actionType = ACTION_TYPES[seq % ACTION_TYPES.length]!;
        ok = await this.request(reader, 'POST', '/api/me/activity', { actionType, metadata }, 201, (body, sentAt) => {
          const event = (body as { event: { id: number } }).event;
          this.events.push({ id: event.id, userId: reader.id, actionType, metadata, sentAt, ackedAt: Date.now() });
        });
      } else {
        const chapterId = `loop${loop}-ch${Math.floor(milestoneCount / SCORES_PER_CHAPTER)}`;
        const score = milestoneCount % SCORES_PER_CHAPTER;
        const status = STATUSES[milestoneCount % STATUSES.length]!;
        milestoneCount++;
        const key = `${reader.id}|${chapterId}`;
        const track = this.milestones.get(key) ?? { userId: reader.id, chapterId, lastAckedScore: null, lastSentScore: score };
        track.lastSentScore = score;
        this.milestones.set(key, track);
        ok = await this.request(reader, 'PUT', `/api/me/milestones/${chapterId}`, { status, score }, 200, () => {
          track.lastAckedScore = score;
        });
      }
      if (!ok && this.options.stopOnConnectionError !== false) return;
      if (this.options.pauseMs) await new Promise((resolve) => setTimeout(resolve, this.options.pauseMs));
    }
  }

  private async listLoop(loop: number): Promise<void> {
    const reader = this.options.readers[loop % this.options.readers.length]!;
    for (let seq = 0; !this.stopped; seq++) {
      const path = seq % 2 === 0 ? '/api/me/activity?limit=50' : '/api/me/milestones';
      const ok = await this.request(reader, 'GET', path, undefined, 200, () => {});
      if (!ok && this.options.stopOnConnectionError !== false) return;
      if (this.options.pauseMs) await new Promise((resolve) => setTimeout(resolve, this.options.pauseMs));
    }
  }

  /**
   * One request; `onAck` runs with the body of a response with `expected` status. Returns false
   * only on a connection error (the server is not there any more).
   */
  private async request(
    reader: SeededReader,
    method: string,
    path: string,
    body: unknown,
    expected: number,
    onAck: (body: unknown, sentAt: number) => void,
  ): Promise<boolean> {
    const headers: Record<string, string> = { authorization: `Bearer ${reader.token}` };
    if (body !== undefined) headers['content-type'] = 'application/json';
    this.requests++;
    const sentAt = Date.now();
    const started = performance.now();
    try {
      const response = await fetch(`${this.options.baseUrl}${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(20_000),
      });
      const text = await response.text();
      this.maxLatencyMs = Math.max(this.maxLatencyMs, performance.now() - started);
      this.statuses[response.status] = (this.statuses[response.status] ?? 0) + 1;
      if (response.status === expected) {
        this.acknowledged++;
        onAck(JSON.parse(text), sentAt);
        this.lastAckedRequestSentAt.set(reader.id, Math.max(sentAt, this.lastAckedRequestSentAt.get(reader.id) ?? 0));
      } else if (response.status !== 503) {
        this.failures.push(`${method} ${path} -> ${response.status} ${text.slice(0, 300)}`);
      }
      return true;
    } catch (error) {
      const code = connectionErrorCode(error);
      if (code) {
        this.connectionErrors[code] = (this.connectionErrors[code] ?? 0) + 1;
        return false;
      }
      this.failures.push(`${method} ${path} threw ${String(error)} (cause: ${String((error as { cause?: unknown }).cause)})`);
      return true;
    }
  }
}

/** The code of a refused, reset or closed connection, else undefined. */
function connectionErrorCode(error: unknown): string | undefined {
  const cause = (error as { cause?: { code?: string; cause?: { code?: string } } }).cause;
  const code = cause?.code ?? cause?.cause?.code;
  return code !== undefined && CONNECTION_CODES.has(code) ? code : undefined;
}

/** The status counts as "2xx: n, 503: n" for messages. */
export function describeFigures(figures: LoadFigures): string {
  return JSON.stringify(figures);
}
