import type { BenchOptions, WrkScenarioName } from './bench-options.js';
import type { WrkMode } from './wrk-runner.js';

/** One wrk process of a scenario: one endpoint, its own connections and latency figures. */
export interface Load {
  readonly endpoint: string;
  readonly mode: WrkMode;
  readonly connections: number;
  /** `server` is ReadPulse; `ceiling` is bench/ceiling-server.ts; `framework` is bench/framework-floor-server.ts. */
  readonly target: 'server' | 'ceiling' | 'framework';
}

/** A measured run: its loads run at the same time, each as its own wrk process. */
export interface Scenario {
  readonly name: WrkScenarioName;
  readonly description: string;
  readonly loads: readonly Load[];
  /** Whether the live stream latency probe (bench/sse-probe.ts) runs during the measured run. */
  readonly probe: boolean;
}

export const ACTIVITY_ENDPOINT = 'POST /api/me/activity';

/** The scenarios the options ask for, in the order they run. */
export function buildScenarios(options: BenchOptions): Scenario[] {
  const readerConnections = options.connections;
  const consultantConnections = Math.max(2, options.consultants);
  const half = (n: number): [number, number] => [Math.ceil(n / 2), Math.max(1, Math.floor(n / 2))];
  const [activityHalf, milestoneHalf] = half(readerConnections);
  const [liveHalf, progressHalf] = half(consultantConnections);
  const all: Record<WrkScenarioName, Scenario> = {
    activity: {
      name: 'activity',
      description: `readers log page views (${readerConnections} connections)`,
      loads: [{ endpoint: ACTIVITY_ENDPOINT, mode: 'activity', connections: readerConnections, target: 'server' }],
      probe: true,
    },
    milestone: {
      name: 'milestone',
      description: `readers upsert chapter milestones (${readerConnections} connections)`,
      loads: [
        {
          endpoint: 'PUT /api/me/milestones/:chapterId',
          mode: 'milestone',
          connections: readerConnections,
          target: 'server',
        },
      ],
      probe: true,
    },
    mixed: {
      name: 'mixed',
      description:
        `readers write activity and milestones (${readerConnections} connections) while ` +
        `consultants poll the live dashboard and reader progress (${consultantConnections} connections)`,
      loads: [
        { endpoint: ACTIVITY_ENDPOINT, mode: 'activity', connections: activityHalf, target: 'server' },
        {
          endpoint: 'PUT /api/me/milestones/:chapterId',
          mode: 'milestone',
          connections: milestoneHalf,
          target: 'server',
        },
        {
          endpoint: 'GET /api/consultant/dashboard/live',
          mode: 'live',
          connections: liveHalf,
          target: 'server',
        },
        {
          endpoint: 'GET /api/readers/:id/progress',
          mode: 'progress',
          connections: progressHalf,
          target: 'server',
        },
      ],
      probe: true,
    },
    ceiling: {
      name: 'ceiling',
      description: `bare node:http server answering the activity load (${readerConnections} connections)`,
      loads: [
        { endpoint: 'POST (node:http ceiling)', mode: 'activity', connections: readerConnections, target: 'ceiling' },
      ],
      probe: false,
    },
    framework: {
      name: 'framework',
      description: `Fastify with the activity route's schemas and nothing of ReadPulse's answering the activity load (${readerConnections} connections)`,
      loads: [
        { endpoint: 'POST (Fastify floor)', mode: 'activity', connections: readerConnections, target: 'framework' },
      ],
      probe: false,
    },
  };
  return options.scenarios.filter((name): name is WrkScenarioName => name !== 'scale').map((name) => all[name]);
}
