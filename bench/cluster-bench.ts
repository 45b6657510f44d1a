/**
 * `npm run bench -- --cluster`: the activity write load (wrk, or a paced load with --rate,
 * through nginx with the repository's site, or round robin with --round-robin) with a
 * consultant's live stream probe, against 1, 2 and 3 instances on one PostgreSQL database, one
 * fresh database per run, and where each request's time went. Nothing is pinned but wrk: the instances, nginx and PostgreSQL share the
 * machine's cores, which is what limits the figures on a small machine (BENCHMARKS.md).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { runPacedLoad } from './paced-load.js';
import { childPids, PostgresCost, ProcessCpu } from './process-cost.js';
import { SseLatencyProbe } from './sse-probe.js';
import { runWrk } from './wrk-runner.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SERVER_URL = process.env.READPULSE_BENCH_POSTGRES_URL ?? 'postgres://root@127.0.0.1:5432/postgres';

interface ClusterRun {
  readonly instances: number;
  readonly requestsPerSecond: number;
  readonly latencyMs: { p50: number; p99: number };
  readonly non2xx: number;
  readonly socketErrors: number;
  readonly stream: { events: number; p50: number | null; p99: number | null; missing: number };
  /** Where the measured window's time went, per request answered. */
  readonly perRequest: {
    /** CPU microseconds of all the instances together, of nginx (master and workers) and of PostgreSQL's backends. */
    readonly instancesCpuMicros: number;
    readonly nginxCpuMicros: number;
    readonly postgresCpuMicros: number;
    /** PostgreSQL's CPU by the backends' application_name: the writer's connections apart from the rest. */
    readonly postgresCpuMicrosByApplication: Readonly<Record<string, number>>;
    readonly commits: number;
    readonly rowsUpdated: number;
    readonly walBytes: number;
  };
}

function progress(message: string): void {
  process.stderr.write(`[bench cluster] ${message}\n`);
}

const round1 = (n: number): number => Math.round(n * 10) / 10;
const round3 = (n: number): number => Math.round(n * 1000) / 1000;

async function waitFor(url: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if ((await fetch(url).catch(() => undefined))?.status === 200) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${url} did not answer 200 within ${timeoutMs / 1000} s`);
}

/**
 * The repository's nginx site, with plain HTTP in place of TLS so encryption stays out of the
 * comparison; with `roundRobin`, without its session affinity (the `hash` line).
 */
async function nginxConfig(dir: string, port: number, upstreams: readonly string[], roundRobin: boolean): Promise<string> {
  let template = await readFile(join(ROOT, 'deploy/nginx/readpulse.conf.template'), 'utf8');
  if (roundRobin) template = template.replace(/^\s*hash .*;$/m, '');
  const site = template
    .replace('${READPULSE_UPSTREAMS}', upstreams.map((address) => `    server ${address} max_fails=1 fail_timeout=5s;`).join('\n'))
    .replace(/listen \$\{LISTEN_PORT\} ssl http2;/, `listen 127.0.0.1:${port};`)
    .replace('${SERVER_NAME}', 'localhost')
    .replace(/^\s*ssl_.*$/gm, '');
  await writeFile(join(dir, 'readpulse.conf'), site);
  const file = join(dir, 'nginx.conf');
  await writeFile(
    file,
    `worker_processes 1;\npid ${dir}/nginx.pid;\nerror_log ${dir}/error.log warn;\nevents { worker_connections 4096; }\n` +
      `http { access_log off; client_body_temp_path ${dir}/body; proxy_temp_path ${dir}/proxy; include ${dir}/readpulse.conf; }\n`,
  );
  return file;
}

async function seed(url: string, dir: string, readers: number): Promise<{ readersFile: string; consultant: { id: number; token: string }; probe: { id: number; token: string } }> {
  const load = (path: string): Promise<any> => import(new URL(path, import.meta.url).href);
  const [{ openPostgresStore }, { newSessionToken }, { systemClock }] = await Promise.all([
    load('../dist/postgres/postgres-store.js'),
    load('../dist/auth/session-token.js'),
    load('../dist/domain/index.js'),
  ]);
  const store = await openPostgresStore({ url, clock: systemClock });
  try {
    const one = async (role: 'reader' | 'consultant', n: number) => {
      const user = await store.users.createUser({ email: `bench-${role}-${n}@bench.readpulse.test`, name: `Bench ${n}`, role, passwordHash: 'none' });
      const { token, tokenHash } = newSessionToken();
      const now = systemClock.now();
      await store.sessions.createSession({ tokenHash, userId: user.id, createdAt: now, lastSeenAt: now, expiresAt: now + 86_400_000 });
      return { id: user.id as number, token: token as string };
    };
    const lines: string[] = [];
    for (let start = 0; start < readers; start += 100) {
      const batch = await Promise.all(Array.from({ length: Math.min(100, readers - start) }, (_, i) => one('reader', start + i)));
      lines.push(...batch.map((r) => `${r.id} ${r.token}`));
    }
    const readersFile = join(dir, 'readers.txt');
    await writeFile(readersFile, lines.join('\n') + '\n', { mode: 0o600 });
    return { readersFile, consultant: await one('consultant', 0), probe: await one('reader', readers) };
  } finally {
    await store.operations.close();
  }
}

interface ClusterOptions {
  readonly duration: number;
  readonly warmup: number;
  readonly connections: number;
  readonly readers: number;
  readonly port: number;
  /** A directory for each instance's CPU profile (node --cpu-prof), written when it stops. */
  readonly profile: string | undefined;
  /** nginx without the template's session affinity: each request to the next instance. */
  readonly roundRobin: boolean;
  /**
   * Requests per second offered, open loop (bench/paced-load.ts, from this process), instead of
   * wrk's closed loop as fast as answered: the same load for every instance count, below what
   * the machine can serve, so the costs per request compare the work, not a saturated machine.
   */
  readonly rate: number | undefined;
}

/** One measured (or warm-up) load through nginx, wrk's or paced, in the same terms. */
interface LoadResult {
  readonly requests: number;
  readonly seconds: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly non2xx: number;
  readonly socketErrors: number;
}

async function runOnce(instances: number, options: ClusterOptions): Promise<ClusterRun> {
  const dir = await mkdtemp(join(tmpdir(), 'readpulse-bench-cluster-'));
  const database = `readpulse_cluster_bench_${process.pid}_${instances}`;
  const admin = new pg.Client({ connectionString: SERVER_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${database}`);
  const url = new URL(SERVER_URL);
  url.pathname = `/${database}`;
  const children: ChildProcess[] = [];
  try {
    const ports = Array.from({ length: instances }, (_, i) => options.port + 1 + i);
    for (const port of ports) {
      const env = { ...process.env, PORT: String(port), HOST: '127.0.0.1', READPULSE_DATABASE_URL: url.toString(), READPULSE_RATE_LIMITS: 'off', READPULSE_LOG_LEVEL: 'warn' };
      const profile = options.profile ? [`--cpu-prof`, `--cpu-prof-dir=${options.profile}`] : [];
      children.push(spawn(process.execPath, [...profile, join(ROOT, 'bin/readpulse.js'), 'serve'], { env, stdio: 'ignore' }));
      // One at a time on the first run, so the migrations are applied before the others start.
      await waitFor(`http://127.0.0.1:${port}/healthz`);
    }
    const config = await nginxConfig(dir, options.port, ports.map((port) => `127.0.0.1:${port}`), options.roundRobin);
    const nginx = spawn('nginx', ['-p', dir, '-c', config, '-g', 'daemon off;'], { stdio: 'ignore' });
    children.push(nginx);
    const instancesCpu = new ProcessCpu(() => children.filter((child) => child !== nginx).map((child) => child.pid!));
    const nginxCpu = new ProcessCpu(() => [nginx.pid!, ...childPids(nginx.pid!)]);
    const base = `http://127.0.0.1:${options.port}`;
    await waitFor(`${base}/healthz`);
    const users = await seed(url.toString(), dir, options.readers);
    const probe = await SseLatencyProbe.open({ url: base, consultant: users.consultant, reader: users.probe });
    const tokens = (await readFile(users.readersFile, 'utf8')).trim().split('\n').map((line) => line.split(' ')[1]!);
    const load = async (durationSeconds: number): Promise<LoadResult> => {
      if (options.rate !== undefined) {
        const paced = await runPacedLoad({ url: base, tokens, rate: options.rate, durationSeconds });
        return {
          requests: paced.served,
          seconds: durationSeconds,
          p50Ms: paced.latencyMs.p50 ?? 0,
          p99Ms: paced.latencyMs.p99 ?? 0,
          // Failed answers, network errors and arrivals dropped with too many in flight.
          non2xx: paced.errors,
          socketErrors: 0,
        };
      }
      const result = await runWrk({ url: base, mode: 'activity', connections: options.connections, durationSeconds, scriptArgs: { readers: users.readersFile } });
      return {
        requests: result.requests,
        seconds: result.durationUs / 1e6,
        p50Ms: (result.latencyUs.percentiles['50'] ?? 0) / 1000,
        p99Ms: (result.latencyUs.percentiles['99'] ?? 0) / 1000,
        non2xx: Object.entries(result.statuses).reduce((sum, [status, n]) => (status.startsWith('2') ? sum : sum + n), 0),
        socketErrors: result.errors.connect + result.errors.read + result.errors.write + result.errors.timeout,
      };
    };
    progress(`${instances} instance(s): warm-up ${options.warmup} s${options.rate === undefined ? '' : ` at ${options.rate} req/s offered`}`);
    await load(options.warmup);
    progress(`${instances} instance(s): measuring ${options.duration} s`);
    const postgres = new PostgresCost(SERVER_URL, database);
    await postgres.connect();
    // Ended whatever happens: an open admin connection would keep the bench from exiting.
    const measured = await (async () => {
      try {
        await postgres.mark();
        instancesCpu.mark();
        nginxCpu.mark();
        probe.start();
        const result = await load(options.duration);
        return { result, instancesMs: instancesCpu.sinceMs(), nginxMs: nginxCpu.sinceMs(), spent: await postgres.since() };
      } finally {
        await postgres.end();
      }
    })();
    const { result, instancesMs, nginxMs, spent } = measured;
    const stream = await probe.stop();
    probe.close();
    const run: ClusterRun = {
      instances,
      requestsPerSecond: Math.round(result.requests / result.seconds),
      latencyMs: { p50: round3(result.p50Ms), p99: round3(result.p99Ms) },
      non2xx: result.non2xx,
      socketErrors: result.socketErrors,
      stream: { events: stream.ackToEventMs.count, p50: stream.ackToEventMs.p50, p99: stream.ackToEventMs.p99, missing: stream.missingEvents },
      perRequest: {
        instancesCpuMicros: round1((instancesMs * 1000) / result.requests),
        nginxCpuMicros: round1((nginxMs * 1000) / result.requests),
        postgresCpuMicros: round1(spent.cpuMicros / result.requests),
        postgresCpuMicrosByApplication: Object.fromEntries(
          Object.entries(spent.cpuMicrosByApplication).map(([name, micros]) => [name, round1(micros / result.requests)]),
        ),
        commits: round3(spent.commits / result.requests),
        rowsUpdated: round3(spent.rowsUpdated / result.requests),
        walBytes: Math.round(spent.walBytes / result.requests),
      },
    };
    progress(`${instances} instance(s): ${run.requestsPerSecond} req/s, p50 ${run.latencyMs.p50} ms, p99 ${run.latencyMs.p99} ms, stream ack->event p50 ${run.stream.p50} ms p99 ${run.stream.p99} ms, ${run.stream.missing} missing`);
    const cost = run.perRequest;
    progress(
      `${instances} instance(s) per request: instances ${cost.instancesCpuMicros} us CPU, nginx ${cost.nginxCpuMicros} us, PostgreSQL ${cost.postgresCpuMicros} us ` +
        `(${Object.entries(cost.postgresCpuMicrosByApplication).map(([name, micros]) => `${name} ${micros}`).join(', ')}), ` +
        `${cost.commits} commits, ${cost.rowsUpdated} rows updated, ${cost.walBytes} WAL bytes`,
    );
    return run;
  } finally {
    for (const child of children.reverse()) child.kill('SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    await admin.end();
    await rm(dir, { recursive: true, force: true });
  }
}

/** Runs the 1/2/3-instance comparison and prints a Markdown table; writes bench/results/cluster-<time>.json. */
export async function runClusterBench(argv: readonly string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv.filter((arg) => arg !== '--cluster'),
    options: {
      instances: { type: 'string', default: '1,2,3' },
      duration: { type: 'string', default: '15' },
      warmup: { type: 'string', default: '3' },
      connections: { type: 'string', default: '100' },
      readers: { type: 'string', default: '1000' },
      port: { type: 'string', default: '18180' },
      quick: { type: 'boolean', default: false },
      profile: { type: 'string' },
      'round-robin': { type: 'boolean', default: false },
      rate: { type: 'string' },
    },
    strict: true,
  });
  const quick = values.quick === true;
  const options = {
    duration: quick ? 3 : Number(values.duration),
    warmup: quick ? 1 : Number(values.warmup),
    connections: Number(values.connections),
    readers: quick ? 200 : Number(values.readers),
    port: Number(values.port),
    profile: values.profile,
    roundRobin: values['round-robin'] === true,
    rate: values.rate === undefined ? undefined : Number(values.rate),
  };
  if (options.rate !== undefined && !(Number.isFinite(options.rate) && options.rate > 0)) throw new Error('--rate must be a number of requests per second above 0');
  const runs: ClusterRun[] = [];
  for (const n of values.instances.split(',').map(Number)) runs.push(await runOnce(n, options));
  const rows = runs.map(
    (r) => `| ${r.instances} | ${r.requestsPerSecond} | ${r.latencyMs.p50} | ${r.latencyMs.p99} | ${r.non2xx} | ${r.stream.p50} | ${r.stream.p99} | ${r.stream.missing} |`,
  );
  const costs = runs.map(
    (r) =>
      `| ${r.instances} | ${r.perRequest.instancesCpuMicros} | ${r.perRequest.nginxCpuMicros} | ${r.perRequest.postgresCpuMicros} | ${r.perRequest.commits} | ${r.perRequest.rowsUpdated} | ${r.perRequest.walBytes} |`,
  );
  process.stdout.write(
    [
      '| instances | activity req/s | p50 ms | p99 ms | non-2xx | stream ack->event p50 ms | p99 ms | missing |',
      '|---|---|---|---|---|---|---|---|',
      ...rows,
      '',
      'Per request: CPU us of the instances, nginx and PostgreSQL; commits, rows updated and WAL bytes in the database.',
      '',
      '| instances | instances us | nginx us | PostgreSQL us | commits | rows updated | WAL bytes |',
      '|---|---|---|---|---|---|---|',
      ...costs,
    ].join('\n') + '\n',
  );
  await mkdir(join(ROOT, 'bench/results'), { recursive: true });
  const file = join(ROOT, 'bench/results', `cluster-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  await writeFile(file, JSON.stringify({ cpus: cpus().length, cpuModel: cpus()[0]?.model, node: process.version, options, runs }, null, 2)).catch(() => undefined);
}
