import { AppError, type Clock } from '../domain/index.js';

export interface RateLimit {
  /** Requests a key may make at once after being idle. */
  readonly burst: number;
  /** Requests per second a key may sustain. */
  readonly perSecond: number;
}

interface Bucket {
  tokens: number;
  updatedAt: number;
}

const SWEEP_THRESHOLD = 50_000;

/**
 * A token bucket per key (a user id, a client address). Each request takes a token; tokens come
 * back at `perSecond` up to `burst`. An empty bucket is `rate_limited` with the seconds until the
 * next token as Retry-After.
 */
export class RequestRateLimiter {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private readonly limit: RateLimit,
    private readonly clock: Clock,
  ) {}

  /** Takes one token for `key`. Throws `rate_limited` when there is none. */
  take(key: string): void {
    const now = this.clock.now();
    if (this.buckets.size > SWEEP_THRESHOLD) this.sweep(now);
    const bucket = this.buckets.get(key) ?? { tokens: this.limit.burst, updatedAt: now };
    bucket.tokens = Math.min(this.limit.burst, bucket.tokens + ((now - bucket.updatedAt) / 1000) * this.limit.perSecond);
    bucket.updatedAt = now;
    if (bucket.tokens < 1) {
      this.buckets.set(key, bucket);
      const waitSeconds = Math.max(1, Math.ceil((1 - bucket.tokens) / this.limit.perSecond));
      throw new AppError('rate_limited', 'Too many requests. Slow down and try again shortly.', { retryAfterSeconds: waitSeconds });
    }
    bucket.tokens -= 1;
    this.buckets.set(key, bucket);
  }

  /** Forgets buckets that have refilled completely; they behave as new ones anyway. */
  private sweep(now: number): void {
    const fullAfterMs = (this.limit.burst / this.limit.perSecond) * 1000;
    for (const [key, bucket] of this.buckets) {
      if (now - bucket.updatedAt >= fullAfterMs) this.buckets.delete(key);
    }
  }
}
