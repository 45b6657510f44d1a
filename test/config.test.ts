import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.js';

describe('loadConfig', () => {
  it('serves on 127.0.0.1:8080 with ./data/readpulse.db and rate limits on by default', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({ port: 8080, host: '127.0.0.1', databasePath: './data/readpulse.db', registrationOpen: true });
    expect(config.rateLimits.enabled).toBe(true);
    expect(config.database.synchronous).toBe('NORMAL');
    expect(config.passwordHashing).toEqual({ memoryKiB: 19_456, iterations: 2 });
  });

  it('serves metrics and keeps activity forever by default; READPULSE_METRICS and the retention days change that', () => {
    expect(loadConfig({})).toMatchObject({ metricsEnabled: true, activityRetentionDays: 0 });
    expect(loadConfig({ READPULSE_METRICS: 'off', READPULSE_ACTIVITY_RETENTION_DAYS: '90' })).toMatchObject({
      metricsEnabled: false,
      activityRetentionDays: 90,
    });
    expect(() => loadConfig({ READPULSE_METRICS: 'maybe' })).toThrow(/READPULSE_METRICS/);
    expect(() => loadConfig({ READPULSE_ACTIVITY_RETENTION_DAYS: '-1' })).toThrow(/READPULSE_ACTIVITY_RETENTION_DAYS/);
  });

  it('keeps the access log a year by default; READPULSE_ACCESS_LOG_RETENTION_DAYS changes that, 0 keeps it forever', () => {
    expect(loadConfig({}).accessLogRetentionDays).toBe(365);
    expect(loadConfig({ READPULSE_ACCESS_LOG_RETENTION_DAYS: '0' }).accessLogRetentionDays).toBe(0);
    expect(() => loadConfig({ READPULSE_ACCESS_LOG_RETENTION_DAYS: 'soon' })).toThrow(/READPULSE_ACCESS_LOG_RETENTION_DAYS/);
  });

  it('reads every documented variable', () => {
    const config = loadConfig({
      PORT: '9000',
      HOST: '0.0.0.0',
      READPULSE_DB: '/tmp/x.db',
      READPULSE_RATE_LIMITS: 'off',
      READPULSE_REGISTRATION: 'closed',
      READPULSE_SESSION_IDLE_MINUTES: '15',
      READPULSE_SESSION_MAX_HOURS: '12',
      READPULSE_SYNCHRONOUS: 'FULL',
      READPULSE_WAL_LIMIT_MB: '16',
    });
    expect(config).toMatchObject({ port: 9000, host: '0.0.0.0', databasePath: '/tmp/x.db', registrationOpen: false });
    expect(config.rateLimits.enabled).toBe(false);
    expect(config.session).toMatchObject({ idleTimeoutMs: 15 * 60_000, maxAgeMs: 12 * 3_600_000 });
    expect(config.database).toMatchObject({ synchronous: 'FULL', walLimitBytes: 16 * 1024 * 1024 });
  });

  it('reports every bad field at once, by name', () => {
    let error: unknown;
    try {
      loadConfig({ PORT: 'eighty', READPULSE_RATE_LIMITS: 'maybe', READPULSE_ARGON2_MEMORY_KIB: '1024' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join('\n');
    expect(problems).toMatch(/PORT/);
    expect(problems).toMatch(/READPULSE_RATE_LIMITS/);
    expect(problems).toMatch(/READPULSE_ARGON2_MEMORY_KIB/);
    expect((error as ConfigError).problems).toHaveLength(3);
  });

  it('uses SQLite at READPULSE_DB unless READPULSE_DATABASE_URL names a PostgreSQL database', () => {
    expect(loadConfig({})).toMatchObject({ engine: 'sqlite', databaseUrl: null });
    expect(loadConfig({ READPULSE_DATABASE_URL: '' })).toMatchObject({ engine: 'sqlite', databaseUrl: null });
    for (const url of ['postgres://rp:secret@db.internal:5432/readpulse', 'postgresql://localhost/readpulse?sslmode=require']) {
      expect(loadConfig({ READPULSE_DATABASE_URL: url })).toMatchObject({ engine: 'postgres', databaseUrl: url });
    }
  });

  it('refuses a READPULSE_DATABASE_URL that is not a PostgreSQL URL, naming the variable but never echoing a password', () => {
    for (const bad of ['mysql://rp:hunter2@db/readpulse', 'not a url', 'postgres://', 'file:./data/readpulse.db']) {
      let error: unknown;
      try {
        loadConfig({ READPULSE_DATABASE_URL: bad });
      } catch (caught) {
        error = caught;
      }
      expect(error, bad).toBeInstanceOf(ConfigError);
      const problems = (error as ConfigError).problems;
      expect(problems).toHaveLength(1);
      expect(problems[0]).toMatch(/READPULSE_DATABASE_URL must be a PostgreSQL URL/);
      expect(problems[0]).not.toContain('hunter2');
    }
  });

  it('is frozen', () => {
    const config = loadConfig({});
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.session)).toBe(true);
  });

  it('READPULSE_TRUST_PROXY is false, true (one hop), a hop count or a list of proxy addresses and CIDR ranges', () => {
    expect(loadConfig({}).trustProxy).toBe(false);
    expect(loadConfig({ READPULSE_TRUST_PROXY: 'false' }).trustProxy).toBe(false);
    expect(loadConfig({ READPULSE_TRUST_PROXY: 'true' }).trustProxy).toBe(1);
    expect(loadConfig({ READPULSE_TRUST_PROXY: '2' }).trustProxy).toBe(2);
    expect(loadConfig({ READPULSE_TRUST_PROXY: '10.0.0.0/8, ::1,loopback' }).trustProxy).toEqual(['10.0.0.0/8', '::1', 'loopback']);
    for (const bad of ['yes', '10.0.0.0/33', '10.0.0.300', '::1/129', '33', '-1', 'loopback,', '10.0.0.1/8/9']) {
      expect(() => loadConfig({ READPULSE_TRUST_PROXY: bad })).toThrow(/READPULSE_TRUST_PROXY/);
    }
  });

  it('READPULSE_STREAMS_PER_USER is 10 unless set, and READPULSE_METRICS_TOKEN is unset unless set', () => {
    expect(loadConfig({}).streamsPerUser).toBe(10);
    expect(loadConfig({ READPULSE_STREAMS_PER_USER: '3' }).streamsPerUser).toBe(3);
    expect(() => loadConfig({ READPULSE_STREAMS_PER_USER: '0' })).toThrow(/READPULSE_STREAMS_PER_USER/);
    expect(loadConfig({}).metricsToken).toBeNull();
    expect(loadConfig({ READPULSE_METRICS_TOKEN: 'a-long-enough-scrape-token' }).metricsToken).toBe('a-long-enough-scrape-token');
    expect(() => loadConfig({ READPULSE_METRICS_TOKEN: 'short' })).toThrow(/READPULSE_METRICS_TOKEN/);
  });
});
