import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { connect as connectHttp2 } from 'node:http2';
import { createServer } from 'node:net';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock, type User } from '../../src/domain/index.js';
import { loadMigrations } from '../../src/postgres/migrate.js';
import { openPostgresStore, type PostgresStore } from '../../src/postgres/postgres-store.js';
import { REPO_ROOT } from '../support/build-server.js';
import { databaseUrl, TEST_SERVER_URL } from '../support/postgres-databases.js';
import { cleanUp, logLines, makeTempDir, NO_RATE_LIMITS, sleep, startServer, type ServerProcess } from '../support/server-process.js';
import { SseClient, type SseFrame } from '../support/sse-client.js';
import { TEST_PASSWORD, testHasher } from '../support/test-app.js';

const STREAM = '/api/consultant/dashboard/stream';
const INSTANCES = 3;
const WRITERS = 50;

/** What a stream sends until it ends, or 'still open' if it has not ended `withinMs` after the call. */
async function framesUntilEnd(stream: SseClient, withinMs: number): Promise<SseFrame[] | 'still open'> {
  const frames: SseFrame[] = [];
  const read = (async () => {
    for (let frame = await stream.nextFrame(); frame !== null; frame = await stream.nextFrame()) frames.push(frame);
    return frames;
  })();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'still open'>((resolve) => {
    timer = setTimeout(() => resolve('still open'), withinMs);
  });
  try {
    return await Promise.race([read, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** A free local port (nginx needs one before it starts). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** The repository's nginx configuration, filled in for this run, inside a minimal nginx.conf. */
function writeNginxConfig(dir: string, port: number, upstreams: readonly string[]): string {
  const certificate = join(dir, 'tls.crt');
  const key = join(dir, 'tls.key');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=localhost', '-keyout', key, '-out', certificate], {
    stdio: 'ignore',
  });
  const site = readFileSync(join(REPO_ROOT, 'deploy/nginx/readpulse.conf.template'), 'utf8')
    .replace('${READPULSE_UPSTREAMS}', upstreams.map((address) => `    server ${address} max_fails=1 fail_timeout=5s;`).join('\n'))
    .replace('${LISTEN_PORT}', `127.0.0.1:${port}`)
    .replace('${SERVER_NAME}', 'localhost')
    .replace('${TLS_CERTIFICATE}', certificate)
    .replace('${TLS_CERTIFICATE_KEY}', key);
  writeFileSync(join(dir, 'readpulse.conf'), site);
  const main = `worker_processes 1;
pid ${join(dir, 'nginx.pid')};
error_log ${join(dir, 'error.log')} warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path ${join(dir, 'body')};
  proxy_temp_path ${join(dir, 'proxy')};
  fastcgi_temp_path ${join(dir, 'fastcgi')};
  uwsgi_temp_path ${join(dir, 'uwsgi')};
  scgi_temp_path ${join(dir, 'scgi')};
  include ${join(dir, 'readpulse.conf')};
}
`;
  const file = join(dir, 'nginx.conf');
  writeFileSync(file, main);
  return file;
}

describe('three instances behind nginx on one PostgreSQL database', () => {
  const dir = makeTempDir('readpulse-cluster-');
  const databaseName = `readpulse_cluster_${process.pid}`;
  const url = databaseUrl(databaseName);
  let instances: ServerProcess[] = [];
  let nginx: ChildProcess | undefined;
  let base = '';
  let store: PostgresStore;
  let consultant: Record<string, string>;
  const streams: SseClient[] = [];

  async function call(method: string, path: string, headers: Record<string, string> = {}, body?: unknown, at = base) {
    const init: RequestInit = { method, headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) } };
    if (body !== undefined) init.body = JSON.stringify(body);
    const response = await fetch(`${at}${path}`, init);
    const text = await response.text();
    return { status: response.status, json: text === '' ? undefined : (JSON.parse(text) as any) };
  }

  async function signIn(role: 'reader' | 'consultant', email: string): Promise<{ user: User; headers: Record<string, string> }> {
    await store.users.createUser({ email, name: email, role, passwordHash: await testHasher.hash(TEST_PASSWORD) });
    const response = await call('POST', '/api/auth/login', {}, { email, password: TEST_PASSWORD });
    expect(response.status).toBe(200);
    return { user: response.json.user, headers: { authorization: `Bearer ${response.json.token}` } };
  }

  async function openStream(headers: Record<string, string>): Promise<SseClient> {
    const stream = await SseClient.open(`${base}${STREAM}`, headers);
    streams.push(stream);
    return stream;
  }

  beforeAll(async () => {
    const admin = new pg.Client({ connectionString: TEST_SERVER_URL });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${databaseName} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${databaseName}`);
    await admin.end();
    // All three at the same moment, on an empty database.
    instances = await Promise.all(
      Array.from({ length: INSTANCES }, () =>
        // Three processes start at once on two cores: give a busy machine a minute, not 15 s.
        startServer({ dbFile: join(dir, 'unused.db'), env: { ...NO_RATE_LIMITS, READPULSE_DATABASE_URL: url, READPULSE_LOG_LEVEL: 'info' }, listenTimeoutMs: 60_000 }),
      ),
    );
    const port = await freePort();
    const config = writeNginxConfig(dir, port, instances.map((instance) => new URL(instance.baseUrl).host));
    nginx = spawn('nginx', ['-p', dir, '-c', config, '-g', 'daemon off;'], { stdio: 'ignore' });
    base = `https://localhost:${port}`;
    for (let i = 0; i < 100; i += 1) {
      if ((await fetch(`${base}/healthz`).catch(() => undefined))?.status === 200) break;
      await sleep(100);
    }
    store = await openPostgresStore({ url, clock: systemClock });
    consultant = (await signIn('consultant', 'consultant@example.test')).headers;
  });

  afterAll(async () => {
    for (const stream of streams) stream.close();
    await store?.operations.close();
    nginx?.kill('SIGTERM');
    await cleanUp();
    const admin = new pg.Client({ connectionString: TEST_SERVER_URL });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${databaseName} WITH (FORCE)`);
    await admin.end();
  });

  it('three instances started at the same moment migrate once', async () => {
    const { rows } = await store.pool.query<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version');
    expect(rows.map((row) => row.version)).toEqual(loadMigrations().map((migration) => migration.version));
    const applied = instances.map((instance) => logLines(instance.stdout()).filter((line) => line.msg === 'migrations applied'));
    expect(applied.map((lines) => lines.length).sort()).toEqual([0, 0, 1]);
    expect(applied.flat()[0]!.migrations).toEqual(loadMigrations().map((migration) => migration.name));
  });

  it('nginx serves the API over HTTP/2 with TLS', async () => {
    const session = connectHttp2(base, { rejectUnauthorized: false });
    try {
      const status = await new Promise<number>((resolve, reject) => {
        const request = session.request({ ':path': '/healthz' });
        request.on('response', (headers) => resolve(Number(headers[':status'])));
        request.on('error', reject);
        request.end();
      });
      expect(status).toBe(200);
      expect(session.alpnProtocol).toBe('h2');
    } finally {
      session.close();
    }
  });

  it('every write through any instance reaches a consultant\'s stream, in order per reader, with no gaps', async () => {
    const stream = await openStream(consultant);
    expect((await stream.nextEvent())!.event).toBe('snapshot');
    const readers = await Promise.all([1, 2, 3, 4, 5].map((n) => signIn('reader', `ordered${n}@example.test`)));
    const written = new Map<number, number[]>();
    await Promise.all(
      readers.map(async (reader) => {
        const ids: number[] = [];
        for (let i = 0; i < 30; i += 1) {
          // nginx keeps a reader on one instance: each reader's writes go to every instance in turn here.
          const at = instances[i % INSTANCES]!.baseUrl;
          const response = await call('POST', '/api/me/activity', reader.headers, { actionType: 'READ', metadata: { n: i } }, at);
          expect(response.status).toBe(201);
          ids.push(response.json.event.id);
        }
        written.set(reader.user.id, ids);
      }),
    );
    const seen = new Map<number, number[]>();
    const frameIds: number[] = [];
    let total = 0;
    while (total < 150) {
      const event = (await stream.nextEvent())!;
      if (event.event !== 'activity') continue;
      frameIds.push(Number(event.id));
      seen.set(event.json.readerId, [...(seen.get(event.json.readerId) ?? []), event.json.event.id]);
      total += 1;
    }
    for (const reader of readers) expect(seen.get(reader.user.id)).toEqual(written.get(reader.user.id));
    expect(frameIds).toEqual([...frameIds].sort((a, b) => a - b));
    expect(new Set(frameIds).size).toBe(frameIds.length);
    stream.close();
  });

  it('a sign-out through one instance is refused through the others at once', async () => {
    const reader = await signIn('reader', 'leaving@example.test');
    // Every instance has the session cached.
    for (const instance of instances) expect((await call('GET', '/api/me', reader.headers, undefined, instance.baseUrl)).status).toBe(200);
    expect((await call('POST', '/api/auth/logout', reader.headers)).status).toBe(204);
    for (const instance of instances) expect((await call('GET', '/api/me', reader.headers, undefined, instance.baseUrl)).status).toBe(401);
    for (let i = 0; i < INSTANCES; i += 1) expect((await call('GET', '/api/me', reader.headers)).status).toBe(401);
  });

  it("a sign-out through one instance closes the session's streams on every instance within 1 s, and nothing reaches them after it", async () => {
    const watcher = await signIn('consultant', 'watcher-leaving@example.test');
    const reader = await signIn('reader', 'watched-by-leaver@example.test');
    const direct = await Promise.all(
      instances.map(async (instance) => {
        const stream = await SseClient.open(`${instance.baseUrl}${STREAM}`, watcher.headers);
        streams.push(stream);
        expect((await stream.nextEvent())!.event).toBe('snapshot');
        return stream;
      }),
    );
    expect((await call('POST', '/api/auth/logout', watcher.headers, undefined, instances[0]!.baseUrl)).status).toBe(204);
    expect((await call('POST', '/api/me/activity', reader.headers, { actionType: 'AFTER_SIGN_OUT' })).status).toBe(201);
    for (const stream of direct) {
      const rest = await framesUntilEnd(stream, 1_000);
      expect(rest).not.toBe('still open');
      expect((rest as SseFrame[]).filter((frame) => frame.event === 'activity' || frame.event === 'milestone')).toEqual([]);
    }
    for (const instance of instances) expect((await call('GET', '/api/me', watcher.headers, undefined, instance.baseUrl)).status).toBe(401);
  });

  it('nginx does not serve /metrics to the outside; each instance serves it on its own address', async () => {
    expect((await fetch(`${base}/metrics`)).status).toBe(404);
    const direct = await fetch(`${instances[0]!.baseUrl}/metrics`);
    expect(direct.status).toBe(200);
    expect(await direct.text()).toContain('# TYPE readpulse_http_request_duration_seconds ');
  });

  it('a reader active through one instance shows in the live view the others serve within 2 s', async () => {
    const reader = await signIn('reader', 'arriving@example.test');
    const [first, ...others] = instances;
    expect((await call('GET', '/api/me', reader.headers, undefined, first!.baseUrl)).status).toBe(200);
    const activeAt = Date.now();
    for (const other of others) {
      let shown = false;
      while (!shown && Date.now() - activeAt <= 2_000) {
        const view = await call('GET', '/api/consultant/dashboard/live', consultant, undefined, other.baseUrl);
        shown = view.json.readers.some((r: User) => r.id === reader.user.id);
        if (!shown) await sleep(50);
      }
      expect(shown).toBe(true);
    }
  });

  it("nginx keeps a signed-in client on one instance, by its bearer token or its session cookie; requests without a session spread", async () => {
    // Requests each instance logged (its log reaches stdout a moment after the answer).
    const servedBy = async (userId: number | undefined, url: string, total: number) => {
      const count = () =>
        instances.map((instance) => logLines(instance.stdout()).filter((line) => line.msg === 'request' && line.url === url && line.userId === userId).length);
      for (let waited = 0; count().reduce((a, b) => a + b, 0) < total && waited < 5_000; waited += 50) await sleep(50);
      return count();
    };
    const byToken = await signIn('reader', 'kept-by-token@example.test');
    for (let i = 0; i < 12; i += 1) expect((await call('GET', '/api/me?by=token', byToken.headers)).status).toBe(200);
    expect((await servedBy(byToken.user.id, '/api/me?by=token', 12)).sort()).toEqual([0, 0, 12]);

    await store.users.createUser({ email: 'kept-by-cookie@example.test', name: 'Cookie', role: 'reader', passwordHash: await testHasher.hash(TEST_PASSWORD) });
    const login = await fetch(`${base}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'kept-by-cookie@example.test', password: TEST_PASSWORD }),
    });
    expect(login.status).toBe(200);
    const cookie = login.headers.getSetCookie().map((c) => c.split(';')[0]!).find((c) => c.includes('readpulse_session='))!;
    expect(cookie).toBeDefined();
    const { user } = (await login.json()) as { user: User };
    // Other cookies around the session's do not move the client.
    for (let i = 0; i < 12; i += 1) {
      const headers = { cookie: i % 2 === 0 ? cookie : `theme=dark; ${cookie}; lang=en` };
      expect((await call('GET', '/api/me?by=cookie', headers)).status).toBe(200);
    }
    expect((await servedBy(user.id, '/api/me?by=cookie', 12)).sort()).toEqual([0, 0, 12]);

    for (let i = 0; i < 12; i += 1) expect((await call('GET', '/api/me?by=nobody')).status).toBe(401);
    expect(await servedBy(undefined, '/api/me?by=nobody', 12)).toEqual([4, 4, 4]);
  });

  it('SIGKILL of one instance under 50 writers loses no acknowledged write; streams resume through nginx with Last-Event-ID', async () => {
    // One stream on each instance; a stream that drops resumes through nginx.
    const watchers = await Promise.all(
      instances.map(async (instance) => {
        const stream = await SseClient.open(`${instance.baseUrl}${STREAM}`, consultant);
        streams.push(stream);
        return stream;
      }),
    );
    const lastIds: string[] = [];
    for (const watcher of watchers) lastIds.push((await watcher.nextEvent())!.id!);
    const writers = await Promise.all(Array.from({ length: WRITERS }, (_, n) => signIn('reader', `writer${n}@example.test`)));
    const acknowledged = new Set<number>();
    let stop = false;
    const writing = writers.map(async (writer) => {
      while (!stop) {
        const response = await call('POST', '/api/me/activity', writer.headers, { actionType: 'WRITE' }).catch(() => undefined);
        if (response?.status === 201) acknowledged.add(response.json.event.id);
      }
    });
    await sleep(1_000);
    const victim = instances[1]!;
    victim.child.kill('SIGKILL');
    await victim.exited;
    await sleep(1_500);
    stop = true;
    await Promise.all(writing);
    expect(acknowledged.size).toBeGreaterThan(WRITERS);

    const stored = await store.pool.query<{ id: number }>('SELECT id FROM activity_logs WHERE id = ANY($1::bigint[])', [[...acknowledged]]);
    expect(stored.rowCount).toBe(acknowledged.size);

    // Each stream, reconnecting through nginx with its Last-Event-ID when it drops, gets every event.
    let reconnects = 0;
    await Promise.all(
      watchers.map(async (first, i) => {
        let stream = first;
        let last = lastIds[i]!;
        const missing = new Set(acknowledged);
        while (missing.size > 0) {
          const frame: (SseFrame & { json: any }) | null = await stream.nextEvent().catch(() => null);
          if (frame === null) {
            reconnects += 1;
            stream = await openStream({ ...consultant, 'last-event-id': last });
            continue;
          }
          if (frame.event === 'snapshot') throw new Error(`stream ${i} was not resumed after ${last}`);
          if (frame.id !== undefined) last = frame.id;
          if (frame.event === 'activity') missing.delete(frame.json.event.id);
        }
      }),
    );
    expect(reconnects).toBeGreaterThanOrEqual(1);
  });
});
