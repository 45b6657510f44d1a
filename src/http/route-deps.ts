import type { Accounts } from '../auth/accounts.js';
import type { Config } from '../config.js';
import type { Clock, Store } from '../domain/index.js';
import type { Presence } from '../live/presence.js';

/** What route plugins are given; they reach nothing else. */
export interface RouteDeps {
  readonly store: Store;
  readonly accounts: Accounts;
  readonly presence: Presence;
  readonly config: Config;
  readonly clock: Clock;
}
