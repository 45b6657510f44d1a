import { isIP } from 'node:net';

/**
 * ReadPulse's configuration: read from the environment once, validated, frozen. This is the only
 * module that knows environment variable names; everything else receives a Config.
 */
export interface Config {
  readonly port: number;
  readonly host: string;
  readonly databasePath: string;
  /**
   * The engine: SQLite at databasePath unless READPULSE_DATABASE_URL names a PostgreSQL database
   * (postgres:// or postgresql://), which then holds everything and databasePath is unused.
   */
  readonly engine: 'sqlite' | 'postgres';
  /** The PostgreSQL connection URL when engine is postgres, else null. Never logged. */
  readonly databaseUrl: string | null;
  readonly logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** Whether anyone may create a reader account through the API. */
  readonly registrationOpen: boolean;
  readonly session: {
    /** A session unused for this long is expired. */
    readonly idleTimeoutMs: number;
    /** A session is expired this long after sign-in, whatever its use. */
    readonly maxAgeMs: number;
    /** `auto` marks the cookie Secure when the request came over HTTPS. */
    readonly cookieSecure: 'auto' | 'always' | 'never';
  };
  readonly rateLimits: {
    readonly enabled: boolean;
    readonly loginFailuresPerAccount: number;
    readonly loginFailuresPerAddress: number;
    readonly loginFailureWindowMs: number;
    /** Every signed-in user's requests. */
    readonly perUser: { readonly burst: number; readonly perSecond: number };
    /** Sign-in and registration attempts per client address (each costs a password hash). */
    readonly perAddressAuth: { readonly burst: number; readonly perSecond: number };
  };
  readonly passwordHashing: { readonly memoryKiB: number; readonly iterations: number };
  readonly database: {
    readonly synchronous: 'NORMAL' | 'FULL';
    readonly walLimitBytes: number;
    readonly checkpointIntervalMs: number;
  };
  readonly heartbeatFlushMs: number;
  /** Live streams one user may hold open at once; one more is refused with 429. */
  readonly streamsPerUser: number;
  /** Whether GET /metrics (Prometheus) is served. */
  readonly metricsEnabled: boolean;
  /**
   * When set, GET /metrics answers only `Authorization: Bearer <this>` (401 otherwise); when null
   * it is public, so keep it on a private network (the shipped nginx does not serve it). Never logged.
   */
  readonly metricsToken: string | null;
  /** Activity older than this many days is deleted by the retention job; 0 keeps it forever. */
  readonly activityRetentionDays: number;
  /** Access-log entries older than this many days are deleted; 0 keeps them forever. */
  readonly accessLogRetentionDays: number;
  readonly bodyLimitBytes: number;
  /** A request not fully received within this long is cut off (slow-client protection). */
  readonly requestTimeoutMs: number;
  /**
   * Which proxies' `X-Forwarded-*` headers are believed: false (none: the socket's address), a
   * number of proxy hops (the client is that many addresses from the right of X-Forwarded-For),
   * or the proxies' addresses and CIDR ranges. Never the leftmost, client-written address.
   */
  readonly trustProxy: false | number | readonly string[];
  readonly shutdownTimeoutMs: number;
}

/** Where the data lives, for messages and logs: the SQLite path, or the PostgreSQL database without credentials. */
export function describeDatabase(config: Pick<Config, 'engine' | 'databasePath' | 'databaseUrl'>): string {
  if (config.engine === 'sqlite' || config.databaseUrl === null) return config.databasePath;
  const url = new URL(config.databaseUrl);
  return `PostgreSQL database ${decodeURIComponent(url.pathname.slice(1)) || '(default)'} on ${url.host}`;
}

export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

type Env = Readonly<Record<string, string | undefined>>;

/** Reads and checks every setting, reporting all bad ones at once. Throws ConfigError. */
export function loadConfig(env: Env): Config {
  const problems: string[] = [];
  const read = new EnvReader(env, problems);
  const config: Config = {
    port: read.integer('PORT', 8080, 0, 65535),
    host: read.string('HOST', '127.0.0.1'),
    databasePath: read.string('READPULSE_DB', './data/readpulse.db'),
    ...read.databaseUrl('READPULSE_DATABASE_URL'),
    logLevel: read.oneOf('READPULSE_LOG_LEVEL', 'info', [
      'fatal',
      'error',
      'warn',
      'info',
      'debug',
      'trace',
      'silent',
    ] as const),
    registrationOpen: read.oneOf('READPULSE_REGISTRATION', 'open', ['open', 'closed'] as const) === 'open',
    session: {
      idleTimeoutMs: read.integer('READPULSE_SESSION_IDLE_MINUTES', 24 * 60, 1, 525_600) * 60_000,
      maxAgeMs: read.integer('READPULSE_SESSION_MAX_HOURS', 7 * 24, 1, 8_760) * 3_600_000,
      cookieSecure: read.oneOf('READPULSE_COOKIE_SECURE', 'auto', ['auto', 'always', 'never'] as const),
    },
    rateLimits: {
      enabled: read.oneOf('READPULSE_RATE_LIMITS', 'on', ['on', 'off'] as const) === 'on',
      loginFailuresPerAccount: read.integer('READPULSE_LOGIN_FAILURES_PER_ACCOUNT', 10, 1, 1_000_000),
      loginFailuresPerAddress: read.integer('READPULSE_LOGIN_FAILURES_PER_ADDRESS', 50, 1, 1_000_000),
      loginFailureWindowMs: read.integer('READPULSE_LOGIN_FAILURE_WINDOW_SECONDS', 900, 1, 86_400) * 1000,
      perUser: {
        burst: read.integer('READPULSE_USER_RATE_BURST', 200, 1, 1_000_000),
        perSecond: read.integer('READPULSE_USER_RATE_PER_SECOND', 20, 1, 1_000_000),
      },
      perAddressAuth: {
        burst: read.integer('READPULSE_AUTH_RATE_BURST', 30, 1, 1_000_000),
        perSecond: read.integer('READPULSE_AUTH_RATE_PER_SECOND', 5, 1, 1_000_000),
      },
    },
    passwordHashing: {
      // OWASP's Argon2id minimum: 19 MiB of memory, 2 iterations, 1 lane.
      memoryKiB: read.integer('READPULSE_ARGON2_MEMORY_KIB', 19_456, 19_456, 4_194_304),
      iterations: read.integer('READPULSE_ARGON2_ITERATIONS', 2, 2, 100),
    },
    database: {
      synchronous: read.oneOf('READPULSE_SYNCHRONOUS', 'NORMAL', ['NORMAL', 'FULL'] as const),
      walLimitBytes: read.integer('READPULSE_WAL_LIMIT_MB', 64, 1, 65_536) * 1024 * 1024,
      checkpointIntervalMs: read.integer('READPULSE_CHECKPOINT_SECONDS', 30, 1, 3_600) * 1000,
    },
    heartbeatFlushMs: read.integer('READPULSE_HEARTBEAT_FLUSH_MS', 1000, 50, 10_000),
    streamsPerUser: read.integer('READPULSE_STREAMS_PER_USER', 10, 1, 10_000),
    metricsEnabled: read.oneOf('READPULSE_METRICS', 'on', ['on', 'off'] as const) === 'on',
    metricsToken: read.secret('READPULSE_METRICS_TOKEN', 16),
    activityRetentionDays: read.integer('READPULSE_ACTIVITY_RETENTION_DAYS', 0, 0, 36_500),
    accessLogRetentionDays: read.integer('READPULSE_ACCESS_LOG_RETENTION_DAYS', 365, 0, 36_500),
    bodyLimitBytes: read.integer('READPULSE_BODY_LIMIT_BYTES', 512 * 1024, 1024, 64 * 1024 * 1024),
    requestTimeoutMs: read.integer('READPULSE_REQUEST_TIMEOUT_MS', 30_000, 100, 600_000),
    trustProxy: read.trustProxy('READPULSE_TRUST_PROXY'),
    shutdownTimeoutMs: read.integer('READPULSE_SHUTDOWN_TIMEOUT_SECONDS', 10, 1, 600) * 1000,
  };
  if (problems.length > 0) throw new ConfigError(problems);
  return deepFreeze(config);
}

class EnvReader {
  constructor(
    private readonly env: Env,
    private readonly problems: string[],
  ) {}

  string(name: string, fallback: string): string {
    const value = this.env[name];
    if (value === undefined || value === '') return fallback;
    return value;
  }

  integer(name: string, fallback: number, min: number, max: number): number {
    const raw = this.env[name];
    if (raw === undefined || raw === '') return fallback;
    const value = Number(raw);
    if (!/^-?\d+$/.test(raw.trim()) || value < min || value > max) {
      this.problems.push(`${name} must be a whole number from ${min} to ${max} (got "${raw}").`);
      return fallback;
    }
    return value;
  }

  /** A secret of at least `minLength` printable characters, or null when unset; the value is never echoed. */
  secret(name: string, minLength: number): string | null {
    const raw = this.env[name];
    if (raw === undefined || raw === '') return null;
    if (raw.length < minLength || !/^[\x21-\x7e]+$/.test(raw)) {
      this.problems.push(`${name} must be at least ${minLength} printable characters without spaces (it has ${raw.length}).`);
      return null;
    }
    return raw;
  }

  /** A PostgreSQL URL selects that engine; unset or empty keeps SQLite. */
  databaseUrl(name: string): { engine: 'sqlite' | 'postgres'; databaseUrl: string | null } {
    const raw = this.env[name];
    if (raw === undefined || raw === '') return { engine: 'sqlite', databaseUrl: null };
    let url: URL | undefined;
    try {
      url = new URL(raw);
    } catch {
      url = undefined;
    }
    if (!url || (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') || url.hostname === '') {
      // The value may hold a password: name its shape, never echo it.
      this.problems.push(
        `${name} must be a PostgreSQL URL such as postgres://user:password@host:5432/readpulse (it starts with "${raw.split(':')[0]?.slice(0, 12) ?? ''}:"); unset it to use SQLite at READPULSE_DB.`,
      );
      return { engine: 'sqlite', databaseUrl: null };
    }
    return { engine: 'postgres', databaseUrl: raw };
  }

  /**
   * `false` (default), `true` (one hop: the shipped nginx), a hop count, or a comma-separated list
   * of proxy addresses and CIDR ranges (also proxy-addr's `loopback`, `linklocal`, `uniquelocal`).
   */
  trustProxy(name: string): false | number | readonly string[] {
    const raw = this.env[name]?.trim();
    if (raw === undefined || raw === '' || raw === 'false') return false;
    if (raw === 'true') return 1;
    if (/^\d+$/.test(raw)) {
      const hops = Number(raw);
      if (hops >= 1 && hops <= 32) return hops;
      if (hops === 0) return false;
    } else {
      const entries = raw.split(',').map((entry) => entry.trim());
      if (entries.every(isProxyAddress)) return entries;
    }
    this.problems.push(
      `${name} must be false, true (one proxy), a number of proxy hops from 1 to 32, or a comma-separated list of proxy addresses or CIDR ranges (got "${raw}").`,
    );
    return false;
  }

  oneOf<T extends string>(name: string, fallback: T, allowed: readonly T[]): T {
    const raw = this.env[name];
    if (raw === undefined || raw === '') return fallback;
    if (!(allowed as readonly string[]).includes(raw)) {
      this.problems.push(`${name} must be one of ${allowed.join(', ')} (got "${raw}").`);
      return fallback;
    }
    return raw as T;
  }
}

const PROXY_ADDRESS_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);

/** An IPv4 or IPv6 address, optionally with a CIDR prefix length, or one of proxy-addr's names. */
function isProxyAddress(entry: string): boolean {
  if (PROXY_ADDRESS_NAMES.has(entry)) return true;
  const [address, prefix, extra] = entry.split('/');
  if (extra !== undefined || address === undefined) return false;
  const family = isIP(address);
  if (family === 0) return false;
  if (prefix === undefined) return true;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128);
}

function deepFreeze<T extends object>(value: T): T {
  for (const child of Object.values(value)) {
    if (child !== null && typeof child === 'object') deepFreeze(child as object);
  }
  return Object.freeze(value);
}
