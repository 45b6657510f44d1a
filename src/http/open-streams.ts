import { AppError, type Clock } from '../domain/index.js';
import type { SessionsEnded } from '../auth/accounts.js';

/** One open live stream: whose session holds it, and how to end it. */
export interface OpenStream {
  readonly userId: number;
  readonly tokenHash: string;
  /** When the session expires whatever its use (epoch ms). */
  readonly expiresAt: number;
  /** Ends the stream at once; nothing is written to it afterwards. */
  readonly end: () => void;
  /**
   * Set while the stream's session is being checked again after a revocation elsewhere: the
   * stream writes nothing until it settles (then it is either ended or known to be valid).
   */
  verifying: Promise<void> | undefined;
}

export interface OpenStreamsOptions {
  readonly clock: Clock;
  /** Streams one user may hold at once; one more is `rate_limited`. */
  readonly perUser: number;
  /** Whether a session is still stored and unexpired (asked after a revocation made elsewhere). */
  readonly sessionValid: (tokenHash: string) => Promise<boolean>;
  /** How often expired sessions' streams are looked for. */
  readonly expiryCheckMs?: number;
  readonly onCheckFailed?: (error: unknown) => void;
}

/** Well under the 1 s within which an ended session's streams must close. */
const DEFAULT_EXPIRY_CHECK_MS = 250;

/**
 * The live streams open in this process, by user and session, so that a session's end reaches
 * its streams: a sign-out, a password change (the other sessions), an account deletion and an
 * expiry each end the streams of the sessions concerned. A revocation made on another instance
 * names no session, so every stream pauses while its session is read again from the store.
 */
export class OpenStreams {
  private readonly streams = new Set<OpenStream>();
  private readonly perUserCount = new Map<number, number>();
  private expiryTimer: NodeJS.Timeout | undefined;
  private endings = 0;

  constructor(private readonly options: OpenStreamsOptions) {}

  get size(): number {
    return this.streams.size;
  }

  /** Throws `rate_limited` (with Retry-After) when the user already holds as many streams as allowed. */
  requireRoom(userId: number): void {
    if ((this.perUserCount.get(userId) ?? 0) >= this.options.perUser) {
      throw new AppError('rate_limited', `At most ${this.options.perUser} live streams may be open at once; close one first.`, {
        retryAfterSeconds: 5,
      });
    }
  }

  /** A mark to pass to add(): sessions that end between the two are caught. */
  get mark(): number {
    return this.endings;
  }

  /**
   * Registers an open stream; remove() it when the stream ends. When sessions ended since `mark`
   * (taken when the stream's request was authenticated), its session is read again first.
   */
  add(stream: Omit<OpenStream, 'verifying'>, mark: number): OpenStream {
    const entry: OpenStream = { ...stream, verifying: undefined };
    this.streams.add(entry);
    this.perUserCount.set(entry.userId, (this.perUserCount.get(entry.userId) ?? 0) + 1);
    this.startExpiryChecks();
    if (mark !== this.endings) this.verify(entry.tokenHash, [entry]);
    return entry;
  }

  /** Ends the streams of the sessions a revocation in this process ended. */
  sessionsEnded(ended: SessionsEnded): void {
    this.endings += 1;
    if (ended.kind === 'elsewhere') {
      this.verifyAll();
      return;
    }
    for (const stream of [...this.streams]) {
      const gone =
        ended.kind === 'session' ? stream.tokenHash === ended.tokenHash : stream.userId === ended.userId && stream.tokenHash !== ended.except;
      if (gone) stream.end();
    }
  }

  /** Ends every stream whose session has expired by now. */
  endExpired(): void {
    const now = this.options.clock.now();
    for (const stream of [...this.streams]) if (stream.expiresAt <= now) stream.end();
  }

  /** Ends every stream (shutdown). */
  endAll(): void {
    for (const stream of [...this.streams]) stream.end();
  }

  /** Forgets a stream that ended. */
  remove(entry: OpenStream): void {
    if (!this.streams.delete(entry)) return;
    const count = (this.perUserCount.get(entry.userId) ?? 1) - 1;
    if (count <= 0) this.perUserCount.delete(entry.userId);
    else this.perUserCount.set(entry.userId, count);
    if (this.streams.size === 0) this.stopExpiryChecks();
  }

  /**
   * Pauses every stream (synchronously, before this instance confirms the revocation) and reads
   * each session again; a session that is gone ends its streams. One read per session.
   */
  private verifyAll(): void {
    const bySession = new Map<string, OpenStream[]>();
    for (const stream of this.streams) {
      const list = bySession.get(stream.tokenHash);
      if (list) list.push(stream);
      else bySession.set(stream.tokenHash, [stream]);
    }
    for (const [tokenHash, streams] of bySession) this.verify(tokenHash, streams);
  }

  /** Pauses the streams until their session is read again; a session that is gone ends them. */
  private verify(tokenHash: string, streams: OpenStream[]): void {
    const previous = streams[0]!.verifying ?? Promise.resolve();
    const verifying: Promise<void> = previous
      .then(() => this.options.sessionValid(tokenHash))
      .then(
        (valid) => {
          if (!valid) for (const stream of streams) stream.end();
        },
        (error: unknown) => {
          // A store that cannot answer cannot vouch for the session: end its streams (the client reconnects).
          this.options.onCheckFailed?.(error);
          for (const stream of streams) stream.end();
        },
      )
      .finally(() => {
        for (const stream of streams) if (stream.verifying === verifying) stream.verifying = undefined;
      });
    for (const stream of streams) stream.verifying = verifying;
  }

  private startExpiryChecks(): void {
    if (this.expiryTimer !== undefined) return;
    this.expiryTimer = setInterval(() => this.endExpired(), this.options.expiryCheckMs ?? DEFAULT_EXPIRY_CHECK_MS);
    this.expiryTimer.unref();
  }

  private stopExpiryChecks(): void {
    clearInterval(this.expiryTimer);
    this.expiryTimer = undefined;
  }
}
