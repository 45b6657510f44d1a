export interface PeriodicJobLog {
  error(obj: object, msg: string): void;
}

/** What one step of a run did: how many things it changed, and whether the run's work is done. */
export interface JobStep {
  readonly count: number;
  readonly done: boolean;
}

/** One run of a job: steps until done (each a bounded batch), then what to say about the total. */
export interface JobRun {
  step(): Promise<JobStep> | JobStep;
  finish?(total: number): void;
}

export interface PeriodicJobOptions {
  /** For log lines: "<name> failed; will retry". */
  readonly name: string;
  readonly intervalMs: number;
  /** Starts a run; called once per run, so a run can fix its cutoff when it begins. */
  readonly begin: () => JobRun;
  /**
   * With several instances: whether this one takes this interval's turn (true for one of them),
   * so the job runs once per interval across the cluster rather than once per instance.
   */
  readonly claimTurn?: (intervalMs: number) => Promise<boolean>;
  /** At most this many steps per run, so a backlog is worked off over several runs; unbounded if absent. */
  readonly maxStepsPerRun?: number;
  /** Whether start() runs the job at once as well as every interval. */
  readonly runOnStart?: boolean;
  readonly log: PeriodicJobLog;
}

/**
 * A job that runs every interval, taking its turn first, in bounded steps with the event loop
 * free between them (requests and their writes run in between). A run in progress is joined, not
 * doubled; stop() ends a run after its current step. The periodic jobs (retention, the attention
 * sweep, the session sweep, each engine's upkeep) are all one of these.
 */
export class PeriodicJob {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<number> | undefined;
  private stopping = false;

  constructor(private readonly options: PeriodicJobOptions) {}

  /**
   * Takes this interval's turn and, if it is ours, runs the job now. Resolves with the total its
   * steps counted (0 when another instance had the turn). A call during a run joins it. Rejects
   * with a step's error; what earlier steps did stays done.
   */
  runOnce(): Promise<number> {
    if (this.running) return this.running;
    this.stopping = false;
    this.running = this.run().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  /** Runs the job every interval (and at once if runOnStart); errors are logged and the next interval tries again. */
  start(): void {
    if (this.timer) return;
    const run = () => {
      this.runOnce().catch((error: unknown) => this.options.log.error({ err: error }, `${this.options.name} failed; will retry`));
    };
    this.timer = setInterval(run, this.options.intervalMs);
    this.timer.unref();
    if (this.options.runOnStart) setImmediate(run);
  }

  /** Stops the timer; a run in progress stops after its current step. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    this.stopping = true;
    await this.running?.catch(() => undefined);
  }

  private async run(): Promise<number> {
    if (this.options.claimTurn && !(await this.options.claimTurn(this.options.intervalMs))) return 0;
    const run = this.options.begin();
    const maxSteps = this.options.maxStepsPerRun ?? Infinity;
    let total = 0;
    for (let steps = 1; ; steps += 1) {
      const { count, done } = await run.step();
      total += count;
      if (done || this.stopping || steps >= maxSteps) break;
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    run.finish?.(total);
    return total;
  }
}
