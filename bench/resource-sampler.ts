import { readFileSync, statSync } from 'node:fs';
import { cpus } from 'node:os';

/** CPU use over a window, in percent of one core. */
export interface CpuUse {
  /** CPU time the sampled process used (user + system). */
  readonly processPercent: number;
  /**
   * Busy time of the watched cores not spent by the process: other work competing with it
   * (when pinned, the watched core is the server's own). High values make the figures unreliable.
   */
  readonly othersPercent: number;
  /** Busy time of the load generator's core (wrk and anything else there), or null if not pinned. */
  readonly loadCoreBusyPercent: number | null;
}

/** Peak figures over a stretch of time, in bytes. */
export interface ResourcePeaks {
  /** Largest resident set size sampled (VmRSS). */
  maxRssBytes: number;
  /** Largest `<db>-wal` file size sampled. */
  maxWalBytes: number;
}

const INTERVAL_MS = 200;
/** USER_HZ, 100 on every mainstream Linux build (what `getconf CLK_TCK` reports). */
const CLOCK_TICKS_PER_SECOND = 100;

/**
 * Samples a process's resident memory (/proc/<pid>/status) and the size of a SQLite WAL file
 * every 200 ms, keeping the peaks over the whole run and over the current window (one scenario).
 */
export class ResourceSampler {
  private readonly overall: ResourcePeaks = { maxRssBytes: 0, maxWalBytes: 0 };
  private window: ResourcePeaks = { maxRssBytes: 0, maxWalBytes: 0 };
  private timer: NodeJS.Timeout | undefined;
  private cpuMark = { at: 0, processMs: 0, coresBusyMs: 0, loadCoreBusyMs: 0 };
  private companionPid: number | undefined;

  /**
   * `cores` are the indexes of the CPUs the process runs on (all when it is not pinned);
   * `loadCore` is the CPU the load generator is pinned to, if any.
   */
  constructor(
    private readonly pid: number,
    private readonly walFile: string,
    private readonly cores: readonly number[],
    private readonly loadCore: number | undefined,
  ) {}

  /**
   * Counts another process's CPU as the process's own (not as other work) from now on, e.g. the
   * ceiling server sharing the server's core; undefined stops that. Call before nextWindow().
   */
  setCompanion(pid: number | undefined): void {
    this.companionPid = pid;
  }

  start(): void {
    this.cpuMark = this.readCpu();
    this.sample();
    this.timer = setInterval(() => this.sample(), INTERVAL_MS);
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Starts a new window and returns the peaks and CPU use of the one that ends. */
  nextWindow(): ResourcePeaks & CpuUse {
    this.sample();
    const ended = this.window;
    this.window = { maxRssBytes: 0, maxWalBytes: 0 };
    const before = this.cpuMark;
    this.cpuMark = this.readCpu();
    const elapsedMs = Math.max(1, this.cpuMark.at - before.at);
    const processMs = this.cpuMark.processMs - before.processMs;
    const othersMs = Math.max(0, this.cpuMark.coresBusyMs - before.coresBusyMs - processMs);
    return {
      ...ended,
      processPercent: Math.round((processMs / elapsedMs) * 100),
      othersPercent: Math.round((othersMs / elapsedMs) * 100),
      loadCoreBusyPercent:
        this.loadCore === undefined
          ? null
          : Math.round(((this.cpuMark.loadCoreBusyMs - before.loadCoreBusyMs) / elapsedMs) * 100),
    };
  }

  /** Peaks over the whole run; the RSS peak includes the kernel's high-water mark (VmHWM). */
  peaks(): ResourcePeaks {
    this.sample();
    return { ...this.overall };
  }

  /** The WAL file's current size in bytes (0 when it does not exist). */
  walBytes(): number {
    try {
      return statSync(this.walFile).size;
    } catch {
      return 0;
    }
  }

  private readCpu(): { at: number; processMs: number; coresBusyMs: number; loadCoreBusyMs: number } {
    const all = cpus();
    const busyMs = (index: number): number => {
      const times = all[index]?.times;
      return times ? times.user + times.nice + times.sys + times.irq : 0;
    };
    const coresBusyMs = this.cores.reduce((sum, index) => sum + busyMs(index), 0);
    const loadCoreBusyMs = this.loadCore === undefined ? 0 : busyMs(this.loadCore);
    const companionMs = this.companionPid === undefined ? 0 : readProcessCpuMs(this.companionPid);
    return { at: Date.now(), processMs: readProcessCpuMs(this.pid) + companionMs, coresBusyMs, loadCoreBusyMs };
  }

  private sample(): void {
    const memory = readMemory(this.pid);
    const wal = this.walBytes();
    for (const peaks of [this.overall, this.window]) {
      peaks.maxWalBytes = Math.max(peaks.maxWalBytes, wal);
      peaks.maxRssBytes = Math.max(peaks.maxRssBytes, memory.rssBytes);
    }
    this.overall.maxRssBytes = Math.max(this.overall.maxRssBytes, memory.hwmBytes);
  }
}

/** VmRSS and VmHWM of a live process, 0 once it is gone. */
function readMemory(pid: number): { rssBytes: number; hwmBytes: number } {
  let status: string;
  try {
    status = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return { rssBytes: 0, hwmBytes: 0 };
  }
  const kilobytes = (field: string): number => {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
    return match?.[1] === undefined ? 0 : Number(match[1]) * 1024;
  };
  return { rssBytes: kilobytes('VmRSS'), hwmBytes: kilobytes('VmHWM') };
}

/** User + system CPU time of a process in milliseconds (/proc/<pid>/stat), 0 once it is gone. */
function readProcessCpuMs(pid: number): number {
  try {
    // Fields after the command name (which may contain spaces): utime and stime are 12th and 13th.
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    const ticks = Number(fields[11] ?? 0) + Number(fields[12] ?? 0);
    return (ticks * 1000) / CLOCK_TICKS_PER_SECOND;
  } catch {
    return 0;
  }
}
