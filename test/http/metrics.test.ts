import { afterEach, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../support/test-app.js';

/** The value of one sample line `name{labels} value` in a Prometheus text body, or undefined. */
function sample(body: string, series: string): number | undefined {
  const line = body.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('GET /metrics', () => {
  let t: TestApp;
  afterEach(async () => t.close());

  it('serves the Prometheus text format with every ReadPulse metric and the process metrics, to anyone', async () => {
    t = await buildTestApp();
    const response = await t.app.inject({ method: 'GET', url: '/metrics' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    for (const name of [
      'readpulse_http_request_duration_seconds',
      'readpulse_write_batch_size',
      'readpulse_write_commit_seconds',
      'readpulse_write_queue_depth',
      'readpulse_heartbeat_flushes_total',
      'readpulse_heartbeats_per_flush',
      'readpulse_sse_clients',
      'nodejs_eventloop_lag_seconds',
      'nodejs_eventloop_lag_p99_seconds',
      'process_resident_memory_bytes',
    ]) {
      expect(response.body, name).toContain(`# TYPE ${name} `);
    }
    // The WAL is SQLite's: PostgreSQL has no file of ours to measure.
    if (t.engine === 'sqlite') expect(response.body).toContain('# TYPE readpulse_sqlite_wal_bytes ');
    else expect(response.body).not.toContain('readpulse_sqlite_wal_bytes');
  });

  it('labels request latency with the route pattern, never the raw URL', async () => {
    t = await buildTestApp();
    const consultant = await t.signIn('consultant', 'watcher@example.test');
    const reader = await t.signIn('reader', 'watched@example.test');
    await t.app.inject({ method: 'GET', url: '/healthz' });
    await t.app.inject({ method: 'GET', url: '/healthz?probe=1' });
    await t.app.inject({ method: 'GET', url: `/api/readers/${reader.user.id}/progress`, headers: consultant.headers });
    await t.app.inject({ method: 'GET', url: '/api/readers/987654/progress', headers: consultant.headers });
    await t.app.inject({ method: 'GET', url: '/no/such/thing/42' }); // the web app's catch-all
    await t.app.inject({ method: 'DELETE', url: '/no/such/thing/43' }); // no route at all

    const { body } = await t.app.inject({ method: 'GET', url: '/metrics' });
    const count = (labels: string) => sample(body, `readpulse_http_request_duration_seconds_count{${labels}}`);
    expect(count('method="GET",route="/healthz",status="200"')).toBe(2);
    expect(count('method="GET",route="/api/readers/:id/progress",status="200"')).toBe(1);
    expect(count('method="GET",route="/api/readers/:id/progress",status="404"')).toBe(1);
    expect(count('method="POST",route="/api/auth/login",status="200"')).toBe(2);
    expect(count('method="GET",route="/*",status="200"')).toBe(1);
    expect(count('method="DELETE",route="unmatched",status="404"')).toBe(1);
    expect(body).not.toContain(`/api/readers/${reader.user.id}/progress`);
    expect(body).not.toContain('/no/such/thing');
    expect(body).not.toContain('probe=1');
  });

  it('counts group commits, heartbeat flushes and live-stream clients', async () => {
    t = await buildTestApp();
    const reader = await t.signIn('reader', 'busy@example.test');
    await t.presence.flush();
    const before = (await t.app.inject({ method: 'GET', url: '/metrics' })).body;
    const commitsBefore = sample(before, 'readpulse_write_batch_size_count') ?? 0;
    expect(commitsBefore).toBeGreaterThan(0); // creating the user and the session committed

    await Promise.all(
      Array.from({ length: 5 }, (_, i) =>
        t.app.inject({ method: 'POST', url: '/api/me/activity', headers: reader.headers, payload: { actionType: 'PAGE_VIEW', metadata: { i } } }),
      ),
    );
    await t.presence.flush();
    const after = (await t.app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(sample(after, 'readpulse_write_batch_size_count')).toBeGreaterThan(commitsBefore);
    expect(sample(after, 'readpulse_write_batch_size_sum')).toBeGreaterThanOrEqual((sample(before, 'readpulse_write_batch_size_sum') ?? 0) + 5);
    expect(sample(after, 'readpulse_write_commit_seconds_count')).toBe(sample(after, 'readpulse_write_batch_size_count'));
    expect(sample(after, 'readpulse_heartbeat_flushes_total')).toBeGreaterThanOrEqual(1);
    expect(sample(after, 'readpulse_heartbeats_per_flush_sum')).toBeGreaterThanOrEqual(1);
    expect(sample(after, 'readpulse_write_queue_depth')).toBe(0);
    expect(sample(after, 'readpulse_sse_clients')).toBe(t.hub.subscriberCount);
    if (t.engine === 'sqlite') expect(sample(after, 'readpulse_sqlite_wal_bytes')).toBeGreaterThan(0);
  });

  it('each app counts only its own requests', async () => {
    t = await buildTestApp();
    const other = await buildTestApp();
    try {
      await other.app.inject({ method: 'GET', url: '/healthz' });
      const { body } = await t.app.inject({ method: 'GET', url: '/metrics' });
      expect(sample(body, 'readpulse_http_request_duration_seconds_count{method="GET",route="/healthz",status="200"}')).toBeUndefined();
    } finally {
      await other.close();
    }
  });

  it('is not served with READPULSE_METRICS=off', async () => {
    t = await buildTestApp({ env: { READPULSE_METRICS: 'off' } });
    const response = await t.app.inject({ method: 'GET', url: '/metrics' });
    expect(response.statusCode).toBe(404);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
  });

  it('is documented in the OpenAPI document as a public operation', async () => {
    t = await buildTestApp();
    const doc = (await t.app.inject({ method: 'GET', url: '/api/openapi.json' })).json();
    expect(doc.paths['/metrics'].get).toMatchObject({ tags: ['operations'], security: [] });
  });
});
