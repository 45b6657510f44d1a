import { parseArgs } from 'node:util';

export const SCENARIO_NAMES = ['activity', 'milestone', 'mixed', 'ceiling', 'framework', 'scale'] as const;
/** The scenarios driven by wrk against the shared server; `scale` runs its own (bench/scale-scenario.ts). */
export type WrkScenarioName = Exclude<ScenarioName, 'scale'>;
export type ScenarioName = (typeof SCENARIO_NAMES)[number];
export const ENGINES = ['sqlite', 'postgres', 'both'] as const;
export type EngineChoice = (typeof ENGINES)[number];
/** The scenarios also run on PostgreSQL (`--engine postgres|both`); the others stay SQLite-only. */
export const POSTGRES_SCENARIOS: readonly ScenarioName[] = ['activity', 'milestone', 'mixed'];

/** What one `npm run bench` does; see bench/README.md for each option. */
export interface BenchOptions {
  readonly readers: number;
  readonly consultants: number;
  /** Seconds of each measured run. */
  readonly durationSeconds: number;
  /** Seconds of the discarded warm-up run before each measured run. */
  readonly warmupSeconds: number;
  /** wrk connections of the reader load (activity, milestone, and the readers' half of mixed). */
  readonly connections: number;
  readonly chapters: number;
  readonly port: number;
  readonly scenarios: readonly ScenarioName[];
  readonly quick: boolean;
  /** Which engines the server under test runs on; `both` runs SQLite, then PostgreSQL, in one run. */
  readonly engine: EngineChoice;
}

const USAGE = `usage: npm run bench -- [--readers N] [--consultants M] [--duration S] [--warmup S]
                       [--connections C] [--port P] [--scenarios a,b,...] [--quick]
                       [--engine sqlite|postgres|both]
scenarios: ${SCENARIO_NAMES.join(', ')}`;

/** Parses the command line; throws an Error carrying the usage text on bad input. */
export function parseBenchOptions(argv: readonly string[]): BenchOptions {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      readers: { type: 'string' },
      consultants: { type: 'string' },
      duration: { type: 'string' },
      warmup: { type: 'string' },
      connections: { type: 'string' },
      port: { type: 'string' },
      scenarios: { type: 'string' },
      quick: { type: 'boolean', default: false },
      engine: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) throw new Error(USAGE);
  const quick = values.quick === true;
  const scenarios = (values.scenarios ?? (quick ? 'activity,mixed,ceiling,scale' : SCENARIO_NAMES.join(',')))
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '');
  for (const name of scenarios) {
    if (!(SCENARIO_NAMES as readonly string[]).includes(name)) {
      throw new Error(`unknown scenario "${name}"\n${USAGE}`);
    }
  }
  const engine = values.engine ?? 'sqlite';
  if (!(ENGINES as readonly string[]).includes(engine)) throw new Error(`--engine must be one of ${ENGINES.join(', ')}, got "${engine}"\n${USAGE}`);
  return Object.freeze({
    readers: positiveInteger('readers', values.readers, quick ? 200 : 1000),
    consultants: positiveInteger('consultants', values.consultants, quick ? 5 : 20),
    durationSeconds: positiveInteger('duration', values.duration, quick ? 3 : 15),
    warmupSeconds: positiveInteger('warmup', values.warmup, quick ? 1 : 3),
    connections: positiveInteger('connections', values.connections, 100),
    chapters: 20,
    port: positiveInteger('port', values.port, 18080),
    scenarios: scenarios as ScenarioName[],
    quick,
    engine: engine as EngineChoice,
  });
}

function positiveInteger(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) {
    throw new Error(`--${name} must be a positive integer, got "${raw}"\n${USAGE}`);
  }
  return value;
}
