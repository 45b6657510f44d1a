import { AppError, type Clock } from '../domain/index.js';

export interface LoginThrottleOptions {
  readonly enabled: boolean;
  readonly failuresPerAccount: number;
  readonly failuresPerAddress: number;
  readonly windowMs: number;
}

interface Window {
  failures: number;
  resetsAt: number;
}

/** Entries kept before expired ones are swept, so the map cannot grow without bound. */
const SWEEP_THRESHOLD = 10_000;

/**
 * Counts failed sign-ins per account and per client address in fixed windows. Once a key has
 * too many failures it is refused (429) until its window ends, so an attacker can hold a real
 * user off for one window at most, and a successful sign-in from the user clears the account.
 */
export class LoginThrottle {
  private readonly windows = new Map<string, Window>();

  constructor(
    private readonly options: LoginThrottleOptions,
    private readonly clock: Clock,
  ) {}

  /** Throws `rate_limited` (with Retry-After) if either key has used up its failures. */
  check(account: string, address: string): void {
    if (!this.options.enabled) return;
    const now = this.clock.now();
    for (const [key, limit] of this.limits(account, address)) {
      const window = this.windows.get(key);
      if (window && window.resetsAt > now && window.failures >= limit) {
        throw new AppError('rate_limited', 'Too many failed sign-in attempts. Try again later.', {
          retryAfterSeconds: Math.ceil((window.resetsAt - now) / 1000),
        });
      }
    }
  }

  recordFailure(account: string, address: string): void {
    if (!this.options.enabled) return;
    const now = this.clock.now();
    if (this.windows.size > SWEEP_THRESHOLD) this.sweep(now);
    for (const [key] of this.limits(account, address)) {
      const window = this.windows.get(key);
      if (!window || window.resetsAt <= now) {
        this.windows.set(key, { failures: 1, resetsAt: now + this.options.windowMs });
      } else {
        window.failures += 1;
      }
    }
  }

  recordSuccess(account: string): void {
    this.windows.delete(`account:${account}`);
  }

  private limits(account: string, address: string): [string, number][] {
    return [
      [`account:${account}`, this.options.failuresPerAccount],
      [`address:${address}`, this.options.failuresPerAddress],
    ];
  }

  private sweep(now: number): void {
    for (const [key, window] of this.windows) {
      if (window.resetsAt <= now) this.windows.delete(key);
    }
  }
}
