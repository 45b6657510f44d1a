import { SqliteDriver as Database } from '../../src/sqlite/sqlite-driver.js';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runReadpulse } from '../support/run-readpulse.js';
import { cleanUp, LOCK_ERRORS, makeTempDir, NO_RATE_LIMITS, sleep, startServer } from '../support/server-process.js';
import { seedReaders } from './support/seed-readers.js';
import { WriteLoad } from './support/write-load.js';

const MiB = 1024 * 1024;
const WAL_LIMIT = 4 * MiB;
const LOAD_MS = 20_000;
const SAMPLE_MS = 200;
/** The read transaction held from a separate connection, in ms from the start of the load. */
const HOLD = { from: 5_000, to: 9_000 };
/** When the backup CLI starts. */
const BACKUP_AT = 12_000;
/** After a reader lets go, the next periodic checkpoint (every 1 s) truncates the WAL: 2 s of grace. */
const SETTLE_MS = 2_000;

/*
 * The bound, derived from the configuration rather than fitted to a run:
 * - SQLite appends each commit's changed pages to the WAL as frames of page size + 24 bytes.
 * - When the WAL passes wal_autocheckpoint = 1000 pages, the next commit checkpoints it; once a
 *   checkpoint has copied every frame back and no reader needs the old frames, the next writer
 *   starts the WAL over from its beginning and journal_size_limit cuts the file to the limit. On
 *   top of that the server's own checkpoint(TRUNCATE) every READPULSE_CHECKPOINT_SECONDS empties it.
 * - So while no reader blocks it, the file is at most max(limit, 1000 frames) plus the frames of
 *   the commits between a checkpoint's trigger and the restart: one more autocheckpoint's worth is
 *   a generous allowance. STEADY_BOUND = limit + 2 x 1000 x (page size + 24).
 * - While a reader holds an old snapshot (the held transaction, the backup's VACUUM INTO), no
 *   checkpoint can pass its mark and the WAL cannot restart: it grows by every frame committed
 *   meanwhile. That growth is bounded by what was written: each acknowledged write changes at
 *   most WRITE_PAGES pages even alone in its commit (table leaf; an index entry moved between
 *   two leaves for each of two indexes; sqlite_sequence for AUTOINCREMENT; a split's interior
 *   page and root), and each heartbeat flush at most HEARTBEAT_PAGES per reader (users row, its
 *   two last_active indexes with an entry moved, sessions row). Group commit shares pages among
 *   writes, so real growth is far below this. HOLD_BOUND = STEADY_BOUND + that growth.
 */
const AUTOCHECKPOINT_PAGES = 1000;
const WRITE_PAGES = 8;
const HEARTBEAT_PAGES = 8;

afterEach(cleanUp);

describe('the WAL stays bounded', () => {
  it('under 20 s of writes with list readers, a held read transaction and a backup, the -wal file stays within the bound and ends under the limit', async () => {
    const dir = makeTempDir();
    const dbFile = join(dir, 'readpulse.db');
    const wal = `${dbFile}-wal`;
    const readers = await seedReaders(dbFile, 30);
    const server = await startServer({ dbFile, env: { ...NO_RATE_LIMITS, READPULSE_WAL_LIMIT_MB: '4', READPULSE_CHECKPOINT_SECONDS: '1' } });
    const pageSize = pageSizeOf(dbFile);
    const frame = pageSize + 24;
    const steadyBound = WAL_LIMIT + 2 * AUTOCHECKPOINT_PAGES * frame;

    const load = new WriteLoad({ baseUrl: server.baseUrl, readers, writers: 30, listReaders: 6, pauseMs: 1, stopOnConnectionError: false });
    const started = Date.now();
    const samples: { at: number; size: number; acknowledged: number }[] = [];
    const sampler = setInterval(() => {
      samples.push({ at: Date.now() - started, size: existsSync(wal) ? statSync(wal).size : 0, acknowledged: load.figures().acknowledged });
    }, SAMPLE_MS);
    load.start();

    // A reader that holds one snapshot for 4 s, as a slow report or a long backup would.
    await sleep(HOLD.from);
    const reader = new Database(dbFile, { readonly: true });
    reader.exec('BEGIN');
    reader.prepare('SELECT count(*) FROM activity_logs').get();
    const holdStarted = Date.now() - started;
    await sleep(HOLD.to - HOLD.from);
    reader.exec('COMMIT');
    reader.close();
    const holdEnded = Date.now() - started;

    await sleep(BACKUP_AT - (Date.now() - started));
    const backupStarted = Date.now() - started;
    const backup = await runReadpulse(['backup', join(dir, 'during-load.db')], { ...server.env, READPULSE_LOG_LEVEL: 'silent' }, { timeoutMs: 30_000 });
    const backupEnded = Date.now() - started;

    await sleep(LOAD_MS - (Date.now() - started));
    const figures = await load.stop();
    await sleep(2_500);
    clearInterval(sampler);
    const finalSize = existsSync(wal) ? statSync(wal).size : 0;

    const windows = [
      { from: holdStarted, to: holdEnded },
      { from: backupStarted, to: backupEnded },
    ];
    const blocked = (at: number) => windows.some((w) => at >= w.from - SAMPLE_MS && at <= w.to + SETTLE_MS);
    const writesIn = (w: { from: number; to: number }) => {
      const inside = samples.filter((s) => s.at >= w.from - SAMPLE_MS && s.at <= w.to + SETTLE_MS);
      return inside.length === 0 ? 0 : inside.at(-1)!.acknowledged - inside[0]!.acknowledged;
    };
    const growth = Math.max(
      ...windows.map((w) => (writesIn(w) * WRITE_PAGES + Math.ceil((w.to - w.from + SETTLE_MS) / 1000 + 1) * readers.length * HEARTBEAT_PAGES) * frame),
    );
    const holdBound = steadyBound + growth;
    const maxSize = Math.max(...samples.map((s) => s.size));
    const maxSteady = Math.max(0, ...samples.filter((s) => !blocked(s.at)).map((s) => s.size));
    console.info(
      `WAL: max ${(maxSize / MiB).toFixed(2)} MiB, max outside reader windows ${(maxSteady / MiB).toFixed(2)} MiB ` +
        `(bound ${(steadyBound / MiB).toFixed(2)} MiB), hold bound ${(holdBound / MiB).toFixed(2)} MiB, final ${finalSize} B; ` +
        `hold ${holdStarted}-${holdEnded} ms, backup ${backupStarted}-${backupEnded} ms; load ${JSON.stringify(figures)}; ` +
        `sizes ${samples.map((s) => `${s.at}:${(s.size / MiB).toFixed(1)}`).join(' ')}`,
    );

    expect(backup.code, backup.stderr).toBe(0);
    expect(backup.stderr).not.toMatch(LOCK_ERRORS);
    expect(figures.failures).toEqual([]);
    expect(figures.acknowledged, 'the load really ran').toBeGreaterThan(2_000);
    expect(samples.length).toBeGreaterThan(LOAD_MS / SAMPLE_MS / 2);
    expect(maxSteady, 'WAL size while no reader blocks checkpoints').toBeLessThanOrEqual(steadyBound);
    expect(maxSize, 'WAL size at any time').toBeLessThanOrEqual(holdBound);
    expect(finalSize, 'WAL size after the load').toBeLessThanOrEqual(WAL_LIMIT);
    // A reader in another process must not stall this one: the server's writes never wait on a
    // lock in the event loop (ARCHITECTURE.md, "The write path"). Normal latency here is well
    // under 0.5 s; a frozen event loop shows as a request taking about as long as the 4 s hold.
    expect(figures.maxLatencyMs, 'the slowest request while readers held snapshots (ms)').toBeLessThan(1_500);
    expect((await server.stop('SIGTERM')).code).toBe(0);
  });
});

function pageSizeOf(dbFile: string): number {
  const db = new Database(dbFile, { readonly: true });
  try {
    return db.pragma('page_size', { simple: true }) as number;
  } finally {
    db.close();
  }
}
