import { AppError, type Clock, type SharedLoginFailures } from '../domain/index.js';

export interface LoginThrottleOptions {
  readonly enabled: boolean;
  readonly failuresPerAccount: number;
  readonly failuresPerAddress: number;
  readonly windowMs: number;
}

/** Defined in the domain, where each engine's runtime can offer it. */
export type { SharedLoginFailures } from '../domain/index.js';

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
 * With `shared` failures, the count is the cluster's, over the last window (sliding).
 */
export class LoginThrottle {
  private readonly windows = new Map<string, Window>();

  constructor(
    private readonly options: LoginThrottleOptions,
    private readonly clock: Clock,
    private readonly shared?: SharedLoginFailures,
  ) {}

  /** Throws `rate_limited` (with Retry-After) if either key has used up its failures. */
  async check(account: string, address: string): Promise<void> {
    if (!this.options.enabled) return;
    const now = this.clock.now();
    if (this.shared) {
      const limits = this.limits(account, address);
      const counts = await this.shared.loginFailures(limits.map(([key]) => key), now - this.options.windowMs);
      for (const [key, limit] of limits) {
        const counted = counts.get(key);
        if (counted && counted.failures >= limit) throw limited(counted.oldest + this.options.windowMs - now);
      }
      return;
    }
    for (const [key, limit] of this.limits(account, address)) {
      const window = this.windows.get(key);
      if (window && window.resetsAt > now && window.failures >= limit) {
        throw limited(window.resetsAt - now);
      }
    }
  }

  async recordFailure(account: string, address: string): Promise<void> {
    if (!this.options.enabled) return;
    const now = this.clock.now();
    if (this.shared) {
      await this.shared.recordLoginFailures(this.limits(account, address).map(([key]) => key), now);
      return;
    }
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

  async recordSuccess(account: string): Promise<void> {
    this.windows.delete(`account:${account}`);
    if (this.options.enabled) await this.shared?.clearLoginFailures(`account:${account}`);
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

function limited(retryAfterMs: number): AppError {
  return new AppError('rate_limited', 'Too many failed sign-in attempts. Try again later.', {
    retryAfterSeconds: Math.max(1, Math.ceil(retryAfterMs / 1000)),
  });
}
