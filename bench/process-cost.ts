/**
 * What a benchmark run cost, per process and per database: CPU time from /proc/<pid>/stat, and
 * PostgreSQL's side (the CPU of the backends serving one database, its commits, its row updates and
 * the WAL written). Used by `bench/activity-path-cost.ts` (one process) and the cluster run (every
 * instance, nginx and PostgreSQL), so a throughput figure comes with where the time went.
 */
import { readFileSync } from 'node:fs';
import pg from 'pg';

/** USER_HZ, 100 on every mainstream Linux build (what `getconf CLK_TCK` reports). */
const CLOCK_TICKS_PER_SECOND = 100;

/** User + system CPU milliseconds of one process, or undefined when it has ended. */
export function processCpuMs(pid: number): number | undefined {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}

/** The direct children of a process (nginx's workers under its master), from /proc. */
export function childPids(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** CPU milliseconds of a set of processes between mark() and since(); a process started since counts whole. */
export class ProcessCpu {
  private marks = new Map<number, number>();
  constructor(private readonly pids: () => readonly number[]) {}
  private read(): Map<number, number> {
    const now = new Map<number, number>();
    for (const pid of this.pids()) {
      const ms = processCpuMs(pid);
      if (ms !== undefined) now.set(pid, ms);
    }
    return now;
  }
  mark(): void {
    this.marks = this.read();
  }
  sinceMs(): number {
    let total = 0;
    for (const [pid, ms] of this.read()) total += ms - (this.marks.get(pid) ?? 0);
    return total;
  }
}

/** What PostgreSQL spent on one database since mark(). */
export interface PostgresSpent {
  /** CPU microseconds of the backends connected to the database (a backend started since counts whole). */
  readonly cpuMicros: number;
  /** The same by the backends' application_name (ReadPulse names its writer's connections apart). */
  readonly cpuMicrosByApplication: Readonly<Record<string, number>>;
  /** WAL bytes the whole server wrote (other databases' work counts too: run on a quiet server). */
  readonly walBytes: number;
  /** Transactions committed in the database. */
  readonly commits: number;
  /** Rows updated in the database. */
  readonly rowsUpdated: number;
}

interface DatabaseCounters {
  readonly lsn: string;
  readonly commits: number;
  readonly updated: number;
}

/**
 * PostgreSQL's side of a run on one database, read through an admin connection to the server.
 * A busy backend adds its statistics counters to the shared ones at most once a second, so both
 * readings lag the load by up to a second. Taken at the two edges of a steady load, the lags mostly
 * cancel: what the end misses of the last second, the start missed of the second before it.
 */
export class PostgresCost {
  private readonly admin: pg.Client;
  private backendApplications = new Map<number, string>();
  private cpuMarks = new Map<number, number>();
  private counters: DatabaseCounters = { lsn: '0/0', commits: 0, updated: 0 };
  constructor(
    adminUrl: string,
    readonly database: string,
  ) {
    this.admin = new pg.Client({ connectionString: adminUrl });
  }
  async connect(): Promise<void> {
    await this.admin.connect();
  }
  async end(): Promise<void> {
    await this.admin.end();
  }
  /** A statement on the admin connection (creating or dropping the database). */
  protected async query(sql: string): Promise<void> {
    await this.admin.query(sql);
  }
  /** CPU milliseconds of each backend connected to the database now; remembers their application names. */
  private async backendCpu(): Promise<Map<number, number>> {
    const { rows } = await this.admin.query<{ pid: number; application_name: string }>(
      'SELECT pid, application_name FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
      [this.database],
    );
    const cpu = new Map<number, number>();
    for (const { pid, application_name } of rows) {
      const ms = processCpuMs(pid);
      if (ms === undefined) continue;
      cpu.set(pid, ms);
      this.backendApplications.set(pid, application_name || '(none)');
    }
    return cpu;
  }
  private async readCounters(): Promise<DatabaseCounters> {
    await this.admin.query('SELECT pg_stat_clear_snapshot()');
    const { rows } = await this.admin.query<{ lsn: string; commits: string; updated: string }>(
      `SELECT pg_current_wal_lsn()::text AS lsn, xact_commit::text AS commits, tup_updated::text AS updated
         FROM pg_stat_database WHERE datname = $1`,
      [this.database],
    );
    const row = rows[0]!;
    return { lsn: row.lsn, commits: Number(row.commits), updated: Number(row.updated) };
  }
  async mark(): Promise<void> {
    this.cpuMarks = await this.backendCpu();
    this.counters = await this.readCounters();
  }
  async since(): Promise<PostgresSpent> {
    let cpuMs = 0;
    const byApplication: Record<string, number> = {};
    for (const [pid, ms] of await this.backendCpu()) {
      const spent = ms - (this.cpuMarks.get(pid) ?? 0);
      cpuMs += spent;
      const application = this.backendApplications.get(pid)!;
      byApplication[application] = (byApplication[application] ?? 0) + spent * 1000;
    }
    const wal = await this.admin.query<{ bytes: string }>('SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), $1::pg_lsn)::text AS bytes', [
      this.counters.lsn,
    ]);
    const now = await this.readCounters();
    return {
      cpuMicros: cpuMs * 1000,
      cpuMicrosByApplication: byApplication,
      walBytes: Number(wal.rows[0]!.bytes),
      commits: now.commits - this.counters.commits,
      rowsUpdated: now.updated - this.counters.updated,
    };
  }
}
