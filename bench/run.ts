/**
 * `npm run bench`: builds (via the npm script), seeds a fresh database, starts the production
 * server pinned to one core and drives it with wrk pinned to another, one measured run per
 * scenario, then prints a table and writes bench/results/<timestamp>.json. See bench/README.md.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { POSTGRES_SCENARIOS, parseBenchOptions, type BenchOptions } from './bench-options.js';
import pg from 'pg';
import { LOAD_CPU, canPin, pinSelfToLoadCore, serverCores } from './cpu-pinning.js';
import {
  formatReport,
  toEndpointResult,
  toMB,
  writeReport,
  type BenchReport,
  type ScenarioResult,
} from './report.js';
import { ResourceSampler } from './resource-sampler.js';
import { ACTIVITY_ENDPOINT, buildScenarios, type Load, type Scenario } from './scenarios.js';
import { seedDatabase, type SeededUsers } from './seed-database.js';
import { serverNodeArgs, startServerProcess, type ServerProcess } from './server-process.js';
import { formatScale, runScale, type ScaleResult } from './scale-scenario.js';
import { SseLatencyProbe, type LiveStreamLatency } from './sse-probe.js';
import { runWrk, type WrkResult } from './wrk-runner.js';
import { runClusterBench } from './cluster-bench.js';
import { runSequencerBench } from './sequencer.js';

/** Other work on the server's core beyond this (in % of a core) makes a run's figures suspect. */
const OTHER_CPU_WARNING_PERCENT = 10;
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const started = Date.now();

function progress(message: string): void {
  const seconds = ((Date.now() - started) / 1000).toFixed(1).padStart(5);
  process.stderr.write(`[bench ${seconds}s] ${message}\n`);
}

/** Cleanup steps, run once in reverse order at the end, on error, or on Ctrl-C. */
const cleanups: Array<() => Promise<unknown>> = [];
let cleaning: Promise<void> | undefined;
function cleanUp(): Promise<void> {
  cleaning ??= (async () => {
    for (const step of cleanups.reverse()) {
      await step().catch((error: unknown) => progress(`cleanup failed: ${String(error)}`));
    }
  })();
  return cleaning;
}

async function main(): Promise<void> {
  const options = parseBenchOptions(process.argv.slice(2));
  for (const file of ['bin/readpulse.js', 'dist/sqlite/sqlite-store.js']) {
    if (!existsSync(join(ROOT, file))) throw new Error(`${file} is missing: run \`npm run build\` first`);
  }
  const startedAt = new Date().toISOString();
  // The runner (and the live stream probe in it) shares wrk's core, never the server's.
  const runnerPinned = pinSelfToLoadCore();
  if (canPin() && !runnerPinned) progress(`warning: could not pin the runner to CPU ${LOAD_CPU}; it may take CPU from the server`);
  const dir = await mkdtemp(join(tmpdir(), 'readpulse-bench-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));

  let scale: ScaleResult[] | undefined;
  if (options.scenarios.includes('scale')) {
    const scaleDir = await mkdtemp(join(tmpdir(), 'readpulse-bench-scale-'));
    cleanups.push(() => rm(scaleDir, { recursive: true, force: true }));
    scale = await runScale({
      root: ROOT,
      dir: scaleDir,
      port: options.port + 2,
      tiers: scaleTiers(options.quick),
      warmupSeconds: options.warmupSeconds,
      durationSeconds: options.durationSeconds,
      narrowedStreams: options.quick ? 4 : 40,
      fullStreams: options.quick ? 2 : 10,
      progress,
    });
    await rm(scaleDir, { recursive: true, force: true });
  }

  const engines: Engine[] = options.engine === 'both' ? ['sqlite', 'postgres'] : [options.engine];
  const runs: EngineRun[] = [];
  for (const engine of engines) runs.push(await runEngine(engine, options, dir));
  const scenarios = runs.flatMap((run) => run.scenarios);
  // The summary's server figures are the first engine's (SQLite's with `both`); JSON has each engine's.
  const { seedSeconds, server, peaks, walAfterRun, walAfterStop, serverExit } = runs[0]!;

  const activity = scenarios
    .find((s) => s.name === 'activity')
    ?.endpoints.find((e) => e.endpoint === ACTIVITY_ENDPOINT);
  const ceiling = scenarios.find((s) => s.name === 'ceiling')?.endpoints[0];
  const framework = scenarios.find((s) => s.name === 'framework')?.endpoints[0];
  const ratio = (a: { requestsPerSecond: number } | undefined, b: { requestsPerSecond: number } | undefined) =>
    a && b && b.requestsPerSecond > 0 ? Math.round((a.requestsPerSecond / b.requestsPerSecond) * 1000) / 1000 : null;
  const report: BenchReport = {
    startedAt,
    finishedAt: new Date().toISOString(),
    options,
    environment: {
      node: process.version,
      platform: `${process.platform} ${process.arch}`,
      cpuModel: cpus()[0]?.model ?? 'unknown',
      cpus: cpus().length,
      pinned: canPin(),
      runnerPinned,
      gitCommit: gitCommit(),
    },
    seedSeconds,
    scenarios,
    summary: {
      activityToCeilingRatio: ratio(activity, ceiling),
      activityToFrameworkRatio: ratio(activity, framework),
      frameworkToCeilingRatio: ratio(framework, ceiling),
      sqliteBusy: server.log.sqliteBusy,
      peakRssMB: toMB(peaks.maxRssBytes),
      maxWalMB: toMB(peaks.maxWalBytes),
      walAfterRunMB: toMB(walAfterRun),
      walAfterStopMB: toMB(walAfterStop),
      serverExit,
    },
    serverLog: server.log,
    ...(scale ? { scale } : {}),
    engines: runs.map((run) => ({
      engine: run.engine,
      seedSeconds: run.seedSeconds,
      peakRssMB: toMB(run.peaks.maxRssBytes),
      serverExit: run.serverExit,
      serverLog: run.server.log,
    })),
  };
  const file = await writeReport(join(ROOT, 'bench/results'), report);
  const scaleLines = (scale ?? []).map((r) => `scale ${r.readers} readers: ${formatScale(r)}`);
  process.stdout.write(`\n${formatReport(report)}\n${scaleLines.map((l) => `\n${l}`).join('')}\n\nwritten to ${file}\n`);
}

type Engine = 'sqlite' | 'postgres';
/** The PostgreSQL server the `postgres` engine creates its fresh database on. */
const POSTGRES_ADMIN_URL = process.env.READPULSE_BENCH_POSTGRES_URL ?? 'postgres://root@127.0.0.1:5432/postgres';

interface EngineRun {
  readonly engine: Engine;
  readonly scenarios: ScenarioResult[];
  readonly seedSeconds: number;
  readonly server: ServerProcess;
  readonly peaks: ReturnType<ResourceSampler['peaks']>;
  readonly walAfterRun: number;
  readonly walAfterStop: number;
  readonly serverExit: Awaited<ReturnType<ServerProcess['stop']>>;
}

/** A fresh PostgreSQL database `readpulse_bench_<pid>`, dropped at cleanup; returns its URL. */
async function createPostgresDatabase(): Promise<string> {
  const database = `readpulse_bench_${process.pid}`;
  const admin = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
  await admin.connect().catch((error: unknown) => {
    throw new Error(`no PostgreSQL at ${POSTGRES_ADMIN_URL} (set READPULSE_BENCH_POSTGRES_URL): ${String(error)}`);
  });
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${database}`);
  } finally {
    await admin.end();
  }
  cleanups.push(async () => {
    const dropper = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
    await dropper.connect();
    try {
      await dropper.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    } finally {
      await dropper.end();
    }
  });
  const url = new URL(POSTGRES_ADMIN_URL);
  url.pathname = `/${database}`;
  return url.toString();
}

/**
 * Seeds a fresh database of `engine` the same way, starts the server on it and runs the scenarios;
 * on PostgreSQL only the activity, milestone and mixed scenarios, named `<scenario>/pg`.
 */
async function runEngine(engine: Engine, options: BenchOptions, parentDir: string): Promise<EngineRun> {
  const dir = await mkdtemp(join(parentDir, `${engine}-`));
  const dbFile = join(dir, 'bench.db');
  const postgresUrl = engine === 'postgres' ? await createPostgresDatabase() : undefined;
  const where = postgresUrl ? `PostgreSQL database ${new URL(postgresUrl).pathname.slice(1)}` : dbFile;
  progress(`seeding ${options.readers} readers and ${options.consultants} consultants in ${where}`);
  const seedStart = Date.now();
  const users = await seedDatabase({
    ...(postgresUrl ? { postgresUrl } : { dbFile }),
    dir,
    readers: options.readers,
    consultants: options.consultants,
  });
  const seedSeconds = Math.round((Date.now() - seedStart) / 10) / 100;

  progress(`starting the server (${engine}) on 127.0.0.1:${options.port}${canPin() ? ' (pinned to CPU 0, wrk to CPU 1)' : ' (not pinned: 1 CPU)'}`);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: String(options.port),
    HOST: '127.0.0.1',
    READPULSE_RATE_LIMITS: 'off',
    READPULSE_LOG_LEVEL: 'info',
  };
  delete env.READPULSE_DB;
  delete env.READPULSE_DATABASE_URL;
  if (postgresUrl) env.READPULSE_DATABASE_URL = postgresUrl;
  else env.READPULSE_DB = dbFile;
  const server = await startServerProcess({
    name: `readpulse (${engine})`,
    command: process.execPath,
    args: [...serverNodeArgs(), join(ROOT, 'bin/readpulse.js'), 'serve'],
    env,
    readyUrl: `http://127.0.0.1:${options.port}/healthz`,
    ready: (status) => status === 200,
  });
  cleanups.push(() => server.stop());
  const sampler = new ResourceSampler(server.pid, `${dbFile}-wal`, serverCores(), canPin() ? LOAD_CPU : undefined);
  sampler.start();
  cleanups.push(async () => sampler.stop());

  const scenarios: ScenarioResult[] = [];
  const wanted = buildScenarios(options).filter((s) => engine === 'sqlite' || POSTGRES_SCENARIOS.includes(s.name));
  for (const scenario of wanted) {
    const result = await runScenario(scenario, options, users, server, sampler);
    scenarios.push(engine === 'sqlite' ? result : renamed(result, `${scenario.name}/pg`));
  }

  progress(`letting the server (${engine}) idle for 2 s, then stopping it`);
  await new Promise((resolve) => setTimeout(resolve, 2000));
  const walAfterRun = sampler.walBytes();
  const peaks = sampler.peaks();
  sampler.stop();
  const serverExit = await server.stop();
  const walAfterStop = sampler.walBytes();
  return { engine, scenarios, seedSeconds, server, peaks, walAfterRun, walAfterStop, serverExit };
}

function renamed(result: ScenarioResult, name: string): ScenarioResult {
  return { ...result, name, endpoints: result.endpoints.map((e) => ({ ...e, scenario: name })) };
}

async function runScenario(
  scenario: Scenario,
  options: BenchOptions,
  users: SeededUsers,
  server: ServerProcess,
  sampler: ResourceSampler,
): Promise<ScenarioResult> {
  let ceilingServer: ServerProcess | undefined;
  const companion = scenario.loads.map((load) => load.target).find((target) => target !== 'server');
  if (companion) {
    const script = companion === 'ceiling' ? 'bench/ceiling-server.ts' : 'bench/framework-floor-server.ts';
    const port = companionPort(companion, options);
    progress(`${scenario.name}: starting ${script} on 127.0.0.1:${port}`);
    ceilingServer = await startServerProcess({
      name: `${companion} server`,
      command: process.execPath,
      args: ['--import', 'tsx', join(ROOT, script), String(port)],
      env: process.env,
      readyUrl: `http://127.0.0.1:${port}/`,
      ready: () => true,
    });
  }
  let probe: SseLatencyProbe | undefined;
  try {
    if (scenario.probe) {
      // Open from the warm-up on, so the measured run sees a stream in steady state.
      probe = await SseLatencyProbe.open({
        url: `http://127.0.0.1:${options.port}`,
        consultant: users.probe.consultant,
        reader: users.probe.reader,
      });
    }
    sampler.setCompanion(ceilingServer?.pid);
    sampler.nextWindow();
    const busyBefore = server.log.sqliteBusy;
    const errorsBefore = server.log.errors;
    progress(`${scenario.name}: warm-up ${options.warmupSeconds} s (discarded) - ${scenario.description}`);
    await runLoads(scenario.loads, options, users, options.warmupSeconds);
    progress(`${scenario.name}: measuring ${options.durationSeconds} s${probe ? ' with the live stream probe' : ''}`);
    probe?.start();
    const loadsDone = runLoads(scenario.loads, options, users, options.durationSeconds);
    // Stop probing when the load stops, even if it failed, then wait for the probe's last events.
    await loadsDone.catch(() => undefined);
    const window = sampler.nextWindow();
    const liveStream: LiveStreamLatency | null = probe ? await probe.stop() : null;
    const results = await loadsDone;
    const exit = server.exitStatus();
    if (exit !== undefined) throw new Error(`the server ended during ${scenario.name} (${exit})`);
    const endpoints = scenario.loads.map((load, i) => toEndpointResult(scenario.name, load, results[i] as WrkResult));
    for (const e of endpoints) {
      progress(
        `${scenario.name}: ${e.endpoint} ${e.requestsPerSecond} req/s, p99 ${e.latencyMs.p99} ms, ` +
          `${e.socketErrors} socket errors, ${e.non2xx} non-2xx`,
      );
    }
    if (liveStream) {
      const l = liveStream.ackToEventMs;
      progress(
        `${scenario.name}: live stream ${l.count} events, ack->event p50 ${l.p50} ms, p99 ${l.p99} ms, ` +
          `max ${l.max} ms, ${liveStream.missingEvents} missing, ${liveStream.writeErrors} write errors`,
      );
    }
    if (window.othersPercent > OTHER_CPU_WARNING_PERCENT) {
      progress(
        `${scenario.name}: warning: other processes took ${window.othersPercent} % of a core from the ` +
          'server during this run; its figures are skewed',
      );
    }
    return {
      name: scenario.name,
      description: scenario.description,
      endpoints,
      sqliteBusy: server.log.sqliteBusy - busyBefore,
      serverErrors: server.log.errors - errorsBefore,
      maxRssMB: toMB(window.maxRssBytes),
      maxWalMB: toMB(window.maxWalBytes),
      serverCpuPercent: window.processPercent,
      otherCpuPercent: window.othersPercent,
      loadCoreBusyPercent: window.loadCoreBusyPercent,
      liveStream,
    };
  } finally {
    probe?.close();
    sampler.setCompanion(undefined);
    await ceilingServer?.stop();
  }
}

/** The port of a comparison server: the ceiling on the server's port + 1, the framework floor on + 2. */
function companionPort(target: 'ceiling' | 'framework', options: BenchOptions): number {
  return options.port + (target === 'ceiling' ? 1 : 2);
}

/** Runs every load of a scenario at the same time; waits for all before failing on any. */
async function runLoads(
  loads: readonly Load[],
  options: BenchOptions,
  users: SeededUsers,
  durationSeconds: number,
): Promise<WrkResult[]> {
  const settled = await Promise.allSettled(
    loads.map((load) =>
      runWrk({
        url: `http://127.0.0.1:${load.target === 'server' ? options.port : companionPort(load.target, options)}`,
        mode: load.mode,
        connections: load.connections,
        durationSeconds,
        scriptArgs: {
          ...(load.mode === 'live' || load.mode === 'progress' ? { consultants: users.consultantsFile } : {}),
          ...(load.mode === 'live' ? {} : { readers: users.readersFile }),
          ...(load.mode === 'milestone' ? { chapters: options.chapters } : {}),
        },
      }),
    ),
  );
  const failure = settled.find((result) => result.status === 'rejected');
  if (failure) throw failure.reason;
  return settled.map((result) => (result as PromiseFulfilledResult<WrkResult>).value);
}

/**
 * The scale tiers: 10,000 readers at 5,000 req/s, then 20,000 at 10,000 (--quick: 300 at 150);
 * BENCH_SCALE_TIERS=readers:rate,... picks others (e.g. 10000:5000 for one tier).
 */
function scaleTiers(quick: boolean): { readers: number; rate: number }[] {
  const given = process.env.BENCH_SCALE_TIERS;
  if (given) {
    return given.split(',').map((tier) => {
      const [readers, rate] = tier.split(':').map(Number);
      if (!Number.isInteger(readers) || !Number.isInteger(rate) || readers! < 1 || rate! < 1) throw new Error(`BENCH_SCALE_TIERS: bad tier "${tier}"`);
      return { readers: readers!, rate: rate! };
    });
  }
  return quick ? [{ readers: 300, rate: 150 }] : [{ readers: 10_000, rate: 5_000 }, { readers: 20_000, rate: 10_000 }];
}

function gitCommit(): string | null {
  try {
    return execFileSync('git', ['rev-parse', 'HEAD'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'ignore'] })
      .toString()
      .trim();
  } catch {
    return null;
  }
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    progress(`${signal}: stopping`);
    void cleanUp().finally(() => process.exit(130));
  });
}

try {
  if (process.argv.includes('--cluster')) await runClusterBench(process.argv.slice(2));
  else if (process.argv.includes('--sequencer')) await runSequencerBench(process.argv.slice(2));
  else await main();
  await cleanUp();
} catch (error) {
  await cleanUp();
  process.stderr.write(`bench failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
}
