import type { ScaleResult } from './scale-scenario.js';
import { mkdir, writeFile } from 'node:fs/promises';
import type { BenchOptions } from './bench-options.js';
import type { Load } from './scenarios.js';
import type { ServerLogStats } from './server-process.js';
import type { LatencySummary, LiveStreamLatency } from './sse-probe.js';
import type { WrkResult } from './wrk-runner.js';

/** One endpoint's figures in one measured run. */
export interface EndpointResult {
  readonly scenario: string;
  readonly endpoint: string;
  readonly target: Load['target'];
  readonly connections: number;
  readonly requests: number;
  readonly requestsPerSecond: number;
  readonly latencyMs: {
    readonly p50: number;
    readonly p90: number;
    readonly p95: number;
    readonly p99: number;
    readonly p999: number;
    readonly max: number;
    readonly mean: number;
  };
  /** Socket errors: connect, read, write and timeouts (no response within 10 s). */
  readonly socketErrors: number;
  /** Responses with a status outside 2xx. */
  readonly non2xx: number;
  readonly statuses: Readonly<Record<string, number>>;
}

export interface ScenarioResult {
  readonly name: string;
  readonly description: string;
  readonly endpoints: readonly EndpointResult[];
  /** Server log lines mentioning SQLITE_BUSY during this run (warm-up included). */
  readonly sqliteBusy: number;
  /** Server log lines at error level during this run (warm-up included). */
  readonly serverErrors: number;
  readonly maxRssMB: number;
  readonly maxWalMB: number;
  /** CPU the server used, in % of one core (warm-up included); in `ceiling`, both servers. */
  readonly serverCpuPercent: number;
  /** Busy time of the server's core(s) spent by other work on the machine, in % of one core. */
  readonly otherCpuPercent: number;
  /**
   * Busy time of the load generator's core (null when not pinned). Near 100 %, wrk itself (or
   * other work there) is the limit, and its latencies include its own queueing.
   */
  readonly loadCoreBusyPercent: number | null;
  /**
   * The live stream latency probe's figures for the measured run: from a reader's write being
   * acknowledged to its event reaching a consultant's SSE stream. Null in scenarios without it.
   */
  readonly liveStream: LiveStreamLatency | null;
}

/** The target for the live stream: p99 from a write's 200 to its event on the stream. */
export const LIVE_STREAM_TARGET_P99_MS = 250;

export interface BenchReport {
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly options: BenchOptions;
  readonly environment: {
    readonly node: string;
    readonly platform: string;
    readonly cpuModel: string;
    readonly cpus: number;
    readonly pinned: boolean;
    /** Whether the bench runner itself (and so the live stream probe) runs on the wrk core. */
    readonly runnerPinned: boolean;
    readonly gitCommit: string | null;
  };
  readonly seedSeconds: number;
  readonly scenarios: readonly ScenarioResult[];
  readonly summary: {
    /** Activity req/s of ReadPulse over that of the node:http ceiling, measured in this run. */
    readonly activityToCeilingRatio: number | null;
    /** Activity req/s of ReadPulse over that of the Fastify floor (bench/framework-floor-server.ts). */
    readonly activityToFrameworkRatio: number | null;
    /** The Fastify floor's req/s over the ceiling's: what the framework alone leaves of the ceiling. */
    readonly frameworkToCeilingRatio: number | null;
    readonly sqliteBusy: number;
    readonly peakRssMB: number;
    readonly maxWalMB: number;
    /** WAL size after the load stopped and the server idled for a moment. */
    readonly walAfterRunMB: number;
    /** WAL size after the server shut down (0 when it removed the file). */
    readonly walAfterStopMB: number;
    readonly serverExit: string;
  };
  readonly serverLog: ServerLogStats;
  /** The `scale` scenario's tiers (bench/scale-scenario.ts), when it ran. */
  readonly scale?: readonly ScaleResult[];
  /** Per engine (`--engine both` runs two servers, one after the other): seeding, peak RSS, exit, log. */
  readonly engines?: readonly {
    readonly engine: string;
    readonly seedSeconds: number;
    readonly peakRssMB: number;
    readonly serverExit: unknown;
    readonly serverLog: ServerLogStats;
  }[];
}

const MB = 1024 * 1024;

export function toMB(bytes: number): number {
  return round(bytes / MB, 1);
}

/** Turns one wrk summary into the report's figures. */
export function toEndpointResult(scenario: string, load: Load, wrk: WrkResult): EndpointResult {
  const ms = (us: number | undefined): number => round((us ?? 0) / 1000, 2);
  const percentile = (p: string): number => ms(wrk.latencyUs.percentiles[p]);
  const non2xx = Object.entries(wrk.statuses)
    .filter(([code]) => !code.startsWith('2'))
    .reduce((sum, [, count]) => sum + count, 0);
  const { connect, read, write, timeout } = wrk.errors;
  return {
    scenario,
    endpoint: load.endpoint,
    target: load.target,
    connections: load.connections,
    requests: wrk.requests,
    requestsPerSecond: round(wrk.requests / (wrk.durationUs / 1e6), 0),
    latencyMs: {
      p50: percentile('50'),
      p90: percentile('90'),
      p95: percentile('95'),
      p99: percentile('99'),
      p999: percentile('99.9'),
      max: ms(wrk.latencyUs.max),
      mean: ms(wrk.latencyUs.mean),
    },
    socketErrors: connect + read + write + timeout,
    non2xx,
    statuses: wrk.statuses,
  };
}

/** The human-readable report: one row per scenario and endpoint, then the server figures. */
export function formatReport(report: BenchReport): string {
  const header = ['scenario', 'endpoint', 'conns', 'req/s', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms', 'errors', 'non-2xx'];
  const rows = report.scenarios.flatMap((scenario) =>
    scenario.endpoints.map((e) => [
      scenario.name,
      e.endpoint,
      String(e.connections),
      e.requestsPerSecond.toLocaleString('en-US'),
      e.latencyMs.p50.toFixed(2),
      e.latencyMs.p95.toFixed(2),
      e.latencyMs.p99.toFixed(2),
      e.latencyMs.max.toFixed(1),
      String(e.socketErrors),
      String(e.non2xx),
    ]),
  );
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]?.length ?? 0)));
  const numeric = (i: number): boolean => i >= 2;
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, i) => (numeric(i) ? cell.padStart(widths[i] ?? 0) : cell.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  const s = report.summary;
  const ratio = s.activityToCeilingRatio;
  const perScenario = report.scenarios.map(
    (scenario) =>
      `  ${scenario.name}: SQLITE_BUSY ${scenario.sqliteBusy}, error logs ${scenario.serverErrors}, ` +
      `max RSS ${scenario.maxRssMB} MB, max WAL ${scenario.maxWalMB} MB, ` +
      `server CPU ${scenario.serverCpuPercent} %, other CPU on its core ${scenario.otherCpuPercent} %` +
      (scenario.loadCoreBusyPercent === null ? '' : `, wrk core busy ${scenario.loadCoreBusyPercent} %`),
  );
  return [
    line(header),
    line(widths.map((w) => '-'.repeat(w))),
    ...rows.map(line),
    ...formatLiveStream(report.scenarios),
    '',
    `activity / ceiling: ${ratio === null ? 'n/a (run both activity and ceiling)' : `${(ratio * 100).toFixed(1)} %`}`,
    ...(s.frameworkToCeilingRatio === null
      ? []
      : [`Fastify floor / ceiling: ${(s.frameworkToCeilingRatio * 100).toFixed(1)} %    activity / Fastify floor: ${s.activityToFrameworkRatio === null ? 'n/a' : `${(s.activityToFrameworkRatio * 100).toFixed(1)} %`}`]),
    `SQLITE_BUSY log lines: ${s.sqliteBusy}    server error logs: ${report.serverLog.errors}, warnings: ${report.serverLog.warnings}, other output lines: ${report.serverLog.other}`,
    `peak server RSS: ${s.peakRssMB} MB    max WAL: ${s.maxWalMB} MB (after run ${s.walAfterRunMB} MB, after stop ${s.walAfterStopMB} MB)`,
    `server exit: ${s.serverExit}`,
    ...perScenario,
    ...(report.serverLog.samples.length > 0
      ? ['server log samples:', ...report.serverLog.samples.map((sample) => `  ${sample}`)]
      : []),
  ].join('\n');
}

/** The live stream latency section: two rows per probed scenario (from the 200, from the send). */
function formatLiveStream(scenarios: readonly ScenarioResult[]): string[] {
  const probed = scenarios.filter((s) => s.liveStream !== null);
  if (probed.length === 0) return [];
  const header = ['scenario', 'from', 'writes/s', 'events', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms', 'before ack', 'missing', 'write errors', 'reconnects'];
  const ms = (value: number | null, digits = 2): string => (value === null ? '-' : value.toFixed(digits));
  const figures = (l: LatencySummary): string[] => [String(l.count), ms(l.p50), ms(l.p95), ms(l.p99), ms(l.max, 1)];
  const rows = probed.flatMap((s) => {
    const l = s.liveStream!;
    const share = l.eventBeforeAckShare === null ? '-' : `${(l.eventBeforeAckShare * 100).toFixed(1)} %`;
    return [
      [s.name, 'ack', String(l.writesPerSecond), ...figures(l.ackToEventMs), share, String(l.missingEvents), String(l.writeErrors), String(l.streamReconnects)],
      [s.name, 'send', '', ...figures(l.sendToEventMs), '', '', '', ''],
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]?.length ?? 0)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, i) => (i >= 2 ? cell.padStart(widths[i] ?? 0) : cell.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  const verdicts = probed.map((s) => {
    const l = s.liveStream!;
    const p99 = l.ackToEventMs.p99;
    const failed = l.missingEvents + l.writeErrors;
    const verdict = p99 === null ? 'no events' : p99 < LIVE_STREAM_TARGET_P99_MS ? 'met' : 'MISSED';
    return `${s.name} ${verdict}${failed > 0 ? ` (${failed} missing/failed)` : ''}`;
  });
  return [
    '',
    'live stream latency: a probe reader\'s milestone PUT acknowledged (ack) or sent (send) -> its event on a consultant\'s SSE stream',
    line(header),
    line(widths.map((w) => '-'.repeat(w))),
    ...rows.map(line),
    `target p99 (ack -> event) < ${LIVE_STREAM_TARGET_P99_MS} ms: ${verdicts.join(', ')}`,
  ];
}

/** Writes the report to `<dir>/<timestamp>.json` and returns the path. */
export async function writeReport(dir: string, report: BenchReport): Promise<string> {
  await mkdir(dir, { recursive: true });
  const file = `${dir}/${report.startedAt.replace(/[:.]/g, '-')}.json`;
  await writeFile(file, `${JSON.stringify(report, null, 2)}\n`);
  return file;
}

function round(value: number, digits: number): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}
